#!/usr/bin/env bash
# Exercise the replica deployment for real: the image, two replicas on one
# PostgreSQL, nginx with deploy/nginx.conf in front, and a replica crash.
#
#   deploy/check-replicas.sh postgres://user:password@127.0.0.1:5432/db
#   KYC_CHECK_PG_URL=postgres://… SKIP_BUILD=1 deploy/check-replicas.sh
#
# Needs: docker (the CLI, honouring DOCKER_HOST), host networking, an nginx
# binary on PATH, curl, and a PostgreSQL the containers reach at that URL
# (with host networking, 127.0.0.1 is the host). It builds the image from the
# Dockerfile unless SKIP_BUILD=1, runs the containers with the environment
# docker-compose.replicas.yml gives its replicas, and nginx with a copy of
# deploy/nginx.conf whose upstreams and port point at them. Everything it
# starts is removed on exit. Exit status 0 only when every check passed.
#
# Environment: IMAGE (kyc-sandbox:latest), PORT_A / PORT_B (18181 / 18182,
# the replicas), PORT_LB (18180, nginx), STREAM_SECS (65: how long the
# console's event stream is held open through nginx), KEEP_STORE=1 to leave
# the tenant's data in the database (it is reset otherwise).
set -euo pipefail

cd "$(dirname "$0")/.."

PG_URL=${1:-${KYC_CHECK_PG_URL:-}}
IMAGE=${IMAGE:-kyc-sandbox:latest}
PORT_A=${PORT_A:-18181}
PORT_B=${PORT_B:-18182}
PORT_LB=${PORT_LB:-18180}
STREAM_SECS=${STREAM_SECS:-65}
NAME_A=kyc-check-replica-a
NAME_B=kyc-check-replica-b
LB=http://127.0.0.1:$PORT_LB
KEY=test_replica_check_$$

PASSED=0
say() { printf '%s\n' "$*"; }
ok() { PASSED=$((PASSED + 1)); say "  ok   $*"; }
die() { say "  FAIL $*"; exit 1; }

[ -n "$PG_URL" ] || die "usage: $0 POSTGRES_URL (or KYC_CHECK_PG_URL)"
for tool in docker nginx curl; do
    command -v "$tool" >/dev/null || die "$tool is not on PATH"
done
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
    || die "no docker daemon answers (DOCKER_HOST=${DOCKER_HOST:-unset})"
for port in "$PORT_A" "$PORT_B" "$PORT_LB"; do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
        die "port $port already answers; choose PORT_A/PORT_B/PORT_LB"
    fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kyc-check-replicas.XXXXXX")
NGINX_PID=
STREAM_PID=
cleanup() {
    status=$?
    [ -n "$STREAM_PID" ] && kill "$STREAM_PID" 2>/dev/null
    if [ -n "$NGINX_PID" ]; then
        kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    fi
    if [ "$status" -ne 0 ]; then
        for c in "$NAME_A" "$NAME_B"; do
            say "--- last log lines of $c"
            docker logs --tail 15 "$c" 2>&1 || true
        done
        [ -f "$WORK/error.log" ] && { say "--- nginx error.log"; tail -n 15 "$WORK/error.log"; }
    fi
    docker rm -f "$NAME_A" "$NAME_B" >/dev/null 2>&1 || true
    rm -rf "$WORK"
    if [ "$status" -eq 0 ]; then
        say "PASSED: $PASSED checks"
    else
        say "FAILED after $PASSED passed checks"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# curl through the load balancer: prints the body, status in $WORK/status,
# the replica that answered (nginx's $upstream_addr, see below) in $WORK/upstream.
api() {
    local method=$1 url=$2
    shift 2
    curl -s -X "$method" "$url" -H "Authorization: $KEY" -D "$WORK/headers" \
        -o "$WORK/body" -w '%{http_code}' "$@" >"$WORK/status" || true
    tr -d '\r' <"$WORK/headers" | sed -n 's/^[Xx]-[Uu]pstream: //p' | tail -n 1 >"$WORK/upstream"
    cat "$WORK/body"
}
status() { cat "$WORK/status"; }
json_field() { # a top-level string field of a JSON object, without jq
    sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}
# sleep in the background, so INT/TERM run the cleanup at once
pause() { sleep "$1" & wait $!; }
health_of() { docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1" 2>/dev/null; }
wait_healthy() {
    local c=$1 i s
    for i in $(seq 1 60); do
        s=$(health_of "$c")
        [ "$s" = healthy ] && return 0
        [ "$(docker inspect --format '{{.State.Running}}' "$c")" = true ] \
            || die "$c exited: $(docker logs --tail 5 "$c" 2>&1)"
        pause 2
    done
    die "$c is '$s' after 120 s"
}

say "== 1. image"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    docker build --network host -t "$IMAGE" . >"$WORK/build.log" 2>&1 \
        || { tail -n 30 "$WORK/build.log"; die "docker build"; }
    ok "docker build -t $IMAGE ."
else
    docker image inspect "$IMAGE" >/dev/null || die "no image $IMAGE (SKIP_BUILD=1)"
    ok "image $IMAGE present (SKIP_BUILD=1)"
fi
if command -v hadolint >/dev/null; then
    hadolint Dockerfile || die "hadolint Dockerfile"
    ok "hadolint Dockerfile"
else
    say "  skip hadolint is not on PATH"
fi
docker run --rm --network host "$IMAGE" --help >"$WORK/help" 2>&1 || die "$IMAGE --help"
# Every KYC_SANDBOX_* variable the compose file and the Kubernetes example
# set must be one the binary reads.
grep -ho 'KYC_SANDBOX_[A-Z_]*' docker-compose.replicas.yml deploy/kubernetes.yaml | sort -u >"$WORK/vars"
while read -r var; do
    grep -q "\\b$var\\b" "$WORK/help" || die "$var is set by the deployment but not read by the binary"
done <"$WORK/vars"
ok "every KYC_SANDBOX_* variable of the compose file and deploy/kubernetes.yaml is in --help"

say "== 2. two replicas on $(printf '%s' "$PG_URL" | sed 's#://[^@]*@#://…@#')"
# The compose healthcheck is exec form (["CMD", "/usr/local/bin/kyc-sandbox",
# "healthcheck"]); docker run's --health-cmd is shell form, which this image
# has no shell for. So the replicas keep the image's own HEALTHCHECK, checked
# below to be that same exec-form command. Otherwise the environment is the
# one docker-compose.replicas.yml gives replica-a/replica-b, but for the port
# and the store URL.
run_replica() { # name port
    docker run -d --name "$1" --network host \
        -v "$PWD/fixtures:/fixtures:ro" \
        -e KYC_SANDBOX_PORT="$2" \
        -e KYC_SANDBOX_FIXTURES=/fixtures \
        -e KYC_SANDBOX_STORE="$PG_URL" \
        -e KYC_SANDBOX_STORE_WAIT_SECS=60 \
        -e KYC_SANDBOX_LOG_FORMAT=json \
        -e RUST_LOG=info \
        "$IMAGE" >/dev/null
}
run_replica "$NAME_A" "$PORT_A"
run_replica "$NAME_B" "$PORT_B"
[ "$(docker inspect --format '{{json .Config.Healthcheck.Test}}' "$NAME_A")" \
    = '["CMD","/usr/local/bin/kyc-sandbox","healthcheck"]' ] \
    || die "image HEALTHCHECK is not the compose file's command"
wait_healthy "$NAME_A"
wait_healthy "$NAME_B"
ok "both replicas healthy (docker inspect: HEALTHCHECK kyc-sandbox healthcheck)"
for port in "$PORT_A" "$PORT_B"; do
    h=$(curl -s "http://127.0.0.1:$port/__admin/health")
    case $h in *'"connected":true'*) ;; *) die "replica on $port: store not connected: $h" ;; esac
done
ok "both replicas report store.connected: true"

say "== 3. nginx with deploy/nginx.conf"
# The shipped file names the compose services; point them at the replicas
# here, listen on loopback, keep logs and the pid file in $WORK, and report
# which replica answered (X-Upstream) so alternation can be seen.
sed -e "s/server replica-a:8080/server 127.0.0.1:$PORT_A/" \
    -e "s/server replica-b:8080/server 127.0.0.1:$PORT_B/" \
    -e "s/listen 8080;/listen 127.0.0.1:$PORT_LB;/" \
    -e "s#^http {#http {\\n    access_log $WORK/access.log;\\n    add_header X-Upstream \$upstream_addr always;#" \
    deploy/nginx.conf >"$WORK/nginx.conf"
{ grep -q "127.0.0.1:$PORT_A" "$WORK/nginx.conf" && grep -q "127.0.0.1:$PORT_B" "$WORK/nginx.conf" \
    && grep -q "listen 127.0.0.1:$PORT_LB" "$WORK/nginx.conf"; } \
    || die "deploy/nginx.conf no longer has replica-a:8080, replica-b:8080, listen 8080"
NGINX_G="pid $WORK/nginx.pid; error_log $WORK/error.log;"
nginx -t -q -c "$WORK/nginx.conf" -g "$NGINX_G" 2>"$WORK/nginx-t" || { cat "$WORK/nginx-t"; die "nginx -t"; }
ok "nginx -t on deploy/nginx.conf (upstreams and port substituted)"
# The file itself, its service names resolved as compose's DNS would: in a
# private mount namespace whose /etc/hosts names them (root only).
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    printf '127.0.0.1 localhost\n127.0.0.1 replica-a\n127.0.0.1 replica-b\n' >"$WORK/hosts"
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare -m sh -c 'mount --bind "$1" /etc/hosts && nginx -t -q -c "$2" -g "$3"' \
        sh "$WORK/hosts" "$PWD/deploy/nginx.conf" "$NGINX_G" 2>"$WORK/nginx-t" \
        || { cat "$WORK/nginx-t"; die "nginx -t deploy/nginx.conf"; }
    ok "nginx -t on deploy/nginx.conf unmodified (replica-a/replica-b in a private /etc/hosts)"
else
    say "  skip nginx -t on the unmodified file needs root (unshare) to name replica-a/replica-b"
fi
nginx -c "$WORK/nginx.conf" -g "$NGINX_G daemon off;" &
NGINX_PID=$!
for _ in $(seq 1 50); do
    curl -s -o /dev/null "$LB/__admin/health" && break
    pause 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$LB/__admin/health")" = 200 ] || die "nginx does not answer on $PORT_LB"
ok "nginx serves on 127.0.0.1:$PORT_LB"

say "== 4. through the load balancer"
J=(-H 'Content-Type: application/json')
CLIENT=$(api POST "$LB/v1/clients" "${J[@]}" \
    -d '{"type":"person","email":"john@example.com","personDetails":{"firstName":"John","lastName":"Doe"}}' | json_field id)
{ [ "$(status)" = 200 ] && [ -n "$CLIENT" ]; } \
    || die "POST /v1/clients: $(status) $(cat "$WORK/body")"
ADDRESS=$(api POST "$LB/v1/addresses" "${J[@]}" \
    -d "{\"clientId\":\"$CLIENT\",\"line\":\"1 High St\",\"city\":\"London\",\"country\":\"GB\"}" | json_field id)
{ [ "$(status)" = 200 ] && [ -n "$ADDRESS" ]; } \
    || die "POST /v1/addresses: $(status) $(cat "$WORK/body")"
CHECK=$(api POST "$LB/v1/checks" "${J[@]}" \
    -d "{\"clientId\":\"$CLIENT\",\"type\":\"identity_fraud_check\",\"addressId\":\"$ADDRESS\"}" | json_field id)
{ [ "$(status)" = 200 ] && [ -n "$CHECK" ]; } \
    || die "POST /v1/checks: $(status) $(cat "$WORK/body")"
ok "created client $CLIENT, address, check $CHECK through nginx"
: >"$WORK/seen"
for _ in 1 2 3 4 5 6; do
    body=$(api GET "$LB/v1/checks/$CHECK")
    [ "$(status)" = 200 ] || die "GET /v1/checks/$CHECK: $(status) $body"
    case $body in *"\"id\":\"$CHECK\""*) ;; *) die "GET /v1/checks/$CHECK: $body" ;; esac
    cat "$WORK/upstream" >>"$WORK/seen"
    body=$(api GET "$LB/v1/clients")
    [ "$(status)" = 200 ] || die "GET /v1/clients: $(status)"
    case $body in *"\"id\":\"$CLIENT\""*) ;; *) die "GET /v1/clients does not list $CLIENT" ;; esac
    cat "$WORK/upstream" >>"$WORK/seen"
done
{ grep -q ":$PORT_A\$" "$WORK/seen" && grep -q ":$PORT_B\$" "$WORK/seen"; } \
    || die "requests did not reach both replicas: $(sort "$WORK/seen" | uniq -c | tr '\n' ' ')"
ok "12 reads of the check and the client list found them, answered by both replicas ($(sort "$WORK/seen" | uniq -c | tr -s ' \n' ' '))"
body=$(api GET "$LB/v1/checks/$CHECK")
case $body in *'"outcome":"clear"'*) ok "the check completed: outcome clear" ;;
    *) die "check $CHECK did not complete as clear: $body" ;; esac
body=$(api POST "$LB/v1/flow/sessions" "${J[@]}" \
    -d "{\"clientId\":\"$CLIENT\",\"checkTypes\":[\"identity_check\"],\"successUrl\":\"https://example.com/ok\",\"cancelUrl\":\"https://example.com/cancel\"}")
url=$(printf '%s' "$body" | json_field redirectUrl)
case $url in "$LB/__admin/flow/"*) ;; *) die "Flow redirectUrl through nginx is '$url', not under $LB (Host header)" ;; esac
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ] || die "GET $url"
ok "a hosted Flow redirectUrl names the load balancer's host:port and opens"
page=$(curl -s -D "$WORK/headers" "$LB/__admin/ui/")
{ grep -qi '^content-type: text/html' "$WORK/headers" && case $page in *'<html'*) true ;; *) false ;; esac; } \
    || die "/__admin/ui/ through nginx: $(head -n 1 "$WORK/headers")"
ok "the console /__admin/ui/ loads through nginx"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$LB/__admin/clock/advance" -H "Authorization: $KEY" \
    -H "Origin: $LB" "${J[@]}" -d '{"seconds":1}')
[ "$code" = 200 ] || die "a same-origin console POST through nginx answered $code (Origin vs Host)"
ok "a console POST with Origin $LB is accepted (Host reaches the replica with its port)"
api GET "$LB/v1/clients/$CLIENT" -H 'X-Sandbox-Fault: error:502' >/dev/null
{ [ "$(status)" = 502 ] && grep -q '"type"' "$WORK/body"; } \
    || die "an injected 502 did not reach the client: $(status) $(cat "$WORK/body")"
grep -q , "$WORK/upstream" && die "nginx retried an injected 502 on the other replica: $(cat "$WORK/upstream")"
for _ in 1 2 3 4; do
    api GET "$LB/v1/clients/$CLIENT" >/dev/null
    [ "$(status)" = 200 ] || die "after an injected 502, GET answered $(status): $(cat "$WORK/body")"
done
ok "an injected 502 (X-Sandbox-Fault) reaches the client as the vendor's body and takes no replica out"

say "== 5. the console's event stream through nginx (${STREAM_SECS}s)"
curl -s -N --max-time "$STREAM_SECS" "$LB/__admin/events?tenant=$KEY" >"$WORK/stream" 2>&1 &
STREAM_PID=$!
pause 2
grep -q '^event: change' "$WORK/stream" || die "no event within 2 s through nginx (buffered?)"
first=$(grep -c '^event: change' "$WORK/stream")
# A clock advance is shared state: whichever replica serves the stream sees it.
pause $((STREAM_SECS - 8))
curl -s -o /dev/null -X POST "$LB/__admin/clock/advance" -H "Authorization: $KEY" "${J[@]}" -d '{"seconds":60}'
pause 3
[ "$(grep -c '^event: change' "$WORK/stream")" -gt "$first" ] \
    || die "no change event $((STREAM_SECS - 6))s into the stream: $(tail -n 3 "$WORK/stream")"
kill -0 "$STREAM_PID" 2>/dev/null || die "the stream ended early"
wait "$STREAM_PID" || true
STREAM_PID=
ok "the stream delivered its first event at once and a change after $((STREAM_SECS - 6))s, still open"

say "== 6. a replica dies"
docker kill "$NAME_B" >/dev/null
ok "docker kill $NAME_B"
: >"$WORK/seen"
for i in 1 2 3 4 5 6 7 8; do
    api GET "$LB/v1/checks/$CHECK" >/dev/null
    [ "$(status)" = 200 ] || die "request $i after the kill: $(status) $(cat "$WORK/body")"
    cat "$WORK/upstream" >>"$WORK/seen"
done
ok "8 GETs after the kill all answered 200 with the check (upstreams: $(sort "$WORK/seen" | uniq -c | tr -s ' \n' ' '))"
CLIENT2=$(api POST "$LB/v1/clients" "${J[@]}" \
    -d '{"type":"person","email":"jane@example.com","personDetails":{"firstName":"Jane","lastName":"Doe"}}' | json_field id)
{ [ "$(status)" = 200 ] && [ -n "$CLIENT2" ]; } \
    || die "POST /v1/clients with one replica: $(status)"
ok "created client $CLIENT2 with one replica down"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$LB/__admin/health")" = 200 ] || die "health through nginx"
ok "GET /__admin/health through nginx: 200"

say "== 7. it comes back"
docker start "$NAME_B" >/dev/null
wait_healthy "$NAME_B"
ok "$NAME_B healthy again"
body=$(curl -s "http://127.0.0.1:$PORT_B/v1/clients/$CLIENT2" -H "Authorization: $KEY")
case $body in *"\"id\":\"$CLIENT2\""*) ;; *) die "the restarted replica does not know $CLIENT2: $body" ;; esac
ok "the restarted replica serves the client created while it was down"
pause 6 # nginx's fail_timeout (5s) for the replica it saw fail
: >"$WORK/seen"
for _ in 1 2 3 4 5 6; do
    api GET "$LB/v1/clients/$CLIENT2" >/dev/null
    [ "$(status)" = 200 ] || die "GET after the restart: $(status)"
    cat "$WORK/upstream" >>"$WORK/seen"
done
grep -q ":$PORT_B\$" "$WORK/seen" || die "nginx does not send to the restarted replica: $(sort "$WORK/seen" | uniq -c | tr '\n' ' ')"
ok "nginx sends to it again ($(sort "$WORK/seen" | uniq -c | tr -s ' \n' ' '))"

if [ "${KEEP_STORE:-0}" != 1 ]; then
    curl -s -o /dev/null -X POST "$LB/__admin/reset" -H "Authorization: $KEY"
fi
