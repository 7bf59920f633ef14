#!/usr/bin/env bash
# The contract test: schemathesis (pinned in requirements.txt, in a venv
# under target/) runs every check, the stateful phase on, a fixed seed and
# at least 3,000 generated cases against a sandbox binary started here, and
# fails on any failure. The vendor APIs and the read-only operations are
# exercised; the admin API's state-changing calls (faults, scenarios, clock,
# reset, import) are left out because they change every other answer on
# purpose.
#
#   tests/contract/run.sh [path/to/kyc-sandbox]     # default: target/release/kyc-sandbox
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${1:-target/release/kyc-sandbox}"
[ -x "$BIN" ] || { echo "no sandbox binary at $BIN (cargo build --release)"; exit 1; }
MIN_CASES="${CONTRACT_MIN_CASES:-3000}"

VENV=target/contract-venv
if [ ! -x "$VENV/bin/st" ] || ! cmp -s tests/contract/requirements.txt "$VENV/requirements.txt"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet -r tests/contract/requirements.txt
    cp tests/contract/requirements.txt "$VENV/requirements.txt"
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WORK=$(mktemp -d)
KEY=test_contract
# Only this key is accepted, so a wrong or missing one is refused (401) for
# both vendors; images of any size so generated base64 is accepted.
"$BIN" --host 127.0.0.1 --port "$PORT" --fixtures fixtures --api-keys "$KEY" \
    --relax-image-size >"$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/__admin/health" >/dev/null 2>&1 && break
    sleep 0.1
done

set +e
"$VENV/bin/st" --config-file tests/contract/schemathesis.toml run \
    "http://127.0.0.1:$PORT/openapi.json" \
    -H "Authorization: $KEY" \
    --include-path-regex '^/(v1|v2)/|^/openapi\.json$|^/metrics$|^/__admin/(health|docs)$' \
    --report junit --report-dir "$WORK/report" 2>&1 | tee "$WORK/st.log"
rc=${PIPESTATUS[0]}
set -e
kill -0 "$SERVER" 2>/dev/null || { echo "FAIL: the sandbox exited"; cat "$WORK/server.log"; exit 1; }
CASES=$(grep -Eo '[0-9]+ generated' "$WORK/st.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
SUMMARY=$(grep -E '^=+ .* in [0-9.]+s =+$' "$WORK/st.log" | tail -1 | sed -E 's/^=+ //; s/ =+$//')
echo "contract: $SUMMARY; $CASES cases generated"
[ "$rc" = 0 ] || { echo "FAIL: schemathesis reported failures"; exit 1; }
[ "$CASES" -ge "$MIN_CASES" ] || { echo "FAIL: $CASES cases generated, want at least $MIN_CASES"; exit 1; }
