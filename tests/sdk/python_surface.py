"""Calls every public method of the official ComplyCube Python SDK against
kyc-sandbox, each with a success path and an error path, and reports what it
called.

The methods are found by introspection, before anything is called: every
function of the resource class behind each ComplyCubeClient property (except
`resource_object`, the factory the SDK turns responses into models with: it
makes no request), plus EventVerifier's. Each is wrapped to count its
successes and the SDK's own error (ComplyCubeAPIError; VertificationError for
EventVerifier) - any other exception is a failure of the sandbox.

Usage: KYC_BASE_URL=http://127.0.0.1:PORT KYC_API_KEY=test_... python python_surface.py
Prints one JSON line: {"ok": true, "methods": {"clients.create": {"ok": 1, "err": 1}, ...}}.
"""

import base64
import http.server
import inspect
import json
import os
import queue
import threading
import uuid

import requests
import complycube
from complycube.error import ComplyCubeAPIError
from complycube.eventverifier import EventVerifier, VertificationError

BASE = os.environ["KYC_BASE_URL"]
KEY = os.environ["KYC_API_KEY"]
complycube._base_url = BASE + "/v1"
MISSING = "5f0000000000000000000000"
CALLS = {}


def record(key, ok):
    CALLS[key]["ok" if ok else "err"] += 1


def drain(key, gen, errors):
    try:
        yield from gen
    except errors:
        record(key, False)
        raise
    record(key, True)


def wrap(key, fn, errors):
    def call(*args, **kwargs):
        try:
            out = fn(*args, **kwargs)
        except errors:
            record(key, False)
            raise
        if inspect.isgenerator(out):
            return drain(key, out, errors)
        record(key, True)
        return out

    return call


def instrument():
    probe = complycube.ComplyCubeClient(api_key=KEY)
    for prop, value in inspect.getmembers(complycube.ComplyCubeClient):
        if not isinstance(value, property):
            continue
        cls = type(getattr(probe, prop))
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or name == "resource_object":
                continue
            key = f"{prop}.{name}"
            CALLS[key] = {"ok": 0, "err": 0}
            setattr(cls, name, wrap(key, fn, ComplyCubeAPIError))
    for name, fn in inspect.getmembers(EventVerifier, inspect.isfunction):
        if not name.startswith("_"):
            key = f"EventVerifier.{name}"
            CALLS[key] = {"ok": 0, "err": 0}
            setattr(EventVerifier, name, wrap(key, fn, VertificationError))


def err(fn, needle=""):
    try:
        out = fn()
        if inspect.isgenerator(out):
            list(out)
    except (ComplyCubeAPIError, VertificationError) as e:
        assert needle in str(e), f"{e!r} lacks {needle!r}"
        return
    raise AssertionError(f"expected an error containing {needle!r}")


def image():
    seed = uuid.uuid4().bytes
    return base64.b64encode(bytes(seed[i % 16] ^ (i & 0xFF) for i in range(40 * 1024))).decode()


def admin(path, body):
    res = requests.post(BASE + path, json=body, headers={"Authorization": KEY})
    assert res.status_code == 200, (path, res.status_code, res.text)
    return res.json()


class Hooks(http.server.BaseHTTPRequestHandler):
    received = queue.Queue()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hooks.received.put((body, self.headers["ComplyCube-Signature"]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


instrument()
cc = complycube.ComplyCubeClient(api_key=KEY)
stranger = complycube.ComplyCubeClient(api_key="not-a-sandbox-key")
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
threading.Thread(target=server.serve_forever, daemon=True).start()

# Webhooks, then everything they announce.
hook = cc.webhooks.create(f"http://127.0.0.1:{server.server_address[1]}/hook", True, ["client.created"])
err(lambda: cc.webhooks.create("ftp://nowhere", True, ["client.created"]), "url")
assert cc.webhooks.get(hook.id).url.endswith("/hook")
err(lambda: cc.webhooks.get(MISSING), "Invalid webhook id")
assert cc.webhooks.update(hook.id, description="sandbox").description == "sandbox"
err(lambda: cc.webhooks.update(MISSING, description="x"), "Invalid webhook id")
assert any(w.id == hook.id for w in cc.webhooks.list())
err(lambda: cc.webhooks.list(page=0), "page")
assert any(w.id == hook.id for w in list(cc.webhooks.auto_list()))
err(lambda: cc.webhooks.auto_list(pageSize=0), "pageSize")
spare = cc.webhooks.create("https://hooks.example/spare", False, ["check.completed"])
cc.webhooks.delete(spare.id)
err(lambda: cc.webhooks.delete(spare.id), "Invalid webhook id")

client = cc.clients.create("person", "jane@example.com",
                           personDetails={"firstName": "Jane", "lastName": "Doe", "nationality": "GB"})
err(lambda: cc.clients.create("person", "jane@example.com"), "personDetails")
body, signature = Hooks.received.get(timeout=30)
event = EventVerifier(hook.secret).construct_event(body, signature)
assert event.payload.id == client.id, event
err(lambda: EventVerifier(hook.secret).construct_event(body, "00" * 32), "Invalid signature")
assert cc.clients.get(client.id).entity_name == "Jane Doe"
err(lambda: cc.clients.get(MISSING), "Invalid client id")
assert cc.clients.update(client.id, mobile="+447700900000").mobile == "+447700900000"
err(lambda: cc.clients.update(MISSING, mobile="+447700900000"), "Invalid client id")
assert cc.clients.list().total_items >= 1
err(lambda: cc.clients.list(page=0), "page")
assert any(c.id == client.id for c in list(cc.clients.auto_list()))
err(lambda: cc.clients.auto_list(pageSize=0), "pageSize")
temp = cc.clients.create("company", "c@acme.example", companyDetails={"name": "Acme"})
cc.clients.delete(temp.id)
err(lambda: cc.clients.delete(temp.id), "Invalid client id")

address = cc.addresses.create(client.id, "1 High St", "London", "GB", postalCode="N1 1AA")
err(lambda: cc.addresses.create(client.id, "1 High St", "London", "gb"), "country")
assert cc.addresses.get(address.id).city == "London"
err(lambda: cc.addresses.get(MISSING), "Invalid address id")
assert cc.addresses.update(address.id, city="Leeds").city == "Leeds"
err(lambda: cc.addresses.update(MISSING, city="Leeds"), "Invalid address id")
assert cc.addresses.list(client.id).total_items == 1
err(lambda: cc.addresses.list(MISSING), "Invalid client id")
assert len(list(cc.addresses.auto_list(clientId=client.id))) == 1
err(lambda: cc.addresses.auto_list(clientId=MISSING), "Invalid client id")
spare = cc.addresses.create(client.id, "2 High St", "London", "GB")
cc.addresses.delete(spare.id)
err(lambda: cc.addresses.delete(spare.id), "Invalid address id")

doc = cc.documents.create(client.id, "passport", issuingCountry="GB")
err(lambda: cc.documents.create(client.id, "library_card"), "type")
assert cc.documents.upload(doc.id, "front", "front.jpg", image()).document_side == "front"
err(lambda: cc.documents.upload(MISSING, "front", "front.jpg", image()), "Invalid document id")
assert cc.documents.download(doc.id, "front").data
err(lambda: cc.documents.download(MISSING, "front"), "Invalid document id")
assert cc.documents.get(doc.id).images[0].document_side == "front"
err(lambda: cc.documents.get(MISSING), "Invalid document id")
assert cc.documents.update(doc.id, documentNumber="123456789").document_number == "123456789"
err(lambda: cc.documents.update(MISSING, documentNumber="1"), "Invalid document id")
assert cc.documents.list(client.id).total_items == 1
err(lambda: cc.documents.list(MISSING), "Invalid client id")
assert len(list(cc.documents.auto_list(client.id))) == 1
err(lambda: cc.documents.auto_list(MISSING), "Invalid client id")
spare = cc.documents.create(client.id, "passport", issuingCountry="GB")
cc.documents.upload(spare.id, "front", "front.jpg", image())
cc.documents.deleteImage(spare.id, "front")
err(lambda: cc.documents.deleteImage(spare.id, "front"), "")
cc.documents.delete(spare.id)
err(lambda: cc.documents.delete(spare.id), "Invalid document id")

photo = cc.livephotos.upload(client.id, image())
err(lambda: cc.livephotos.upload(client.id, "not base64 %%%"), "data")
assert cc.livephotos.get(photo.id).client_id == client.id
err(lambda: cc.livephotos.get(MISSING), "Invalid live photo id")
assert cc.livephotos.download(photo.id).data
err(lambda: cc.livephotos.download(MISSING), "Invalid live photo id")
assert cc.livephotos.list(client.id).total_items == 1
err(lambda: cc.livephotos.list(MISSING), "Invalid client id")
assert len(list(cc.livephotos.auto_list(clientId=client.id))) == 1
err(lambda: cc.livephotos.auto_list(clientId=MISSING), "Invalid client id")
for remove in (cc.livephotos.delete, cc.livephotos.deleteImage):
    spare = cc.livephotos.upload(client.id, image())
    remove(spare.id)
    err(lambda: remove(spare.id), "Invalid live photo id")

video = admin("/__admin/complycube/liveVideos", {"clientId": client.id})
assert cc.livevideos.get(video["id"]).client_id == client.id
err(lambda: cc.livevideos.get(MISSING), "Invalid live video id")
assert cc.livevideos.list(client.id).total_items == 1
err(lambda: cc.livevideos.list(MISSING), "Invalid client id")
assert len(list(cc.livevideos.auto_list(clientId=client.id))) == 1
err(lambda: cc.livevideos.auto_list(clientId=MISSING), "Invalid client id")
spare = admin("/__admin/complycube/liveVideos", {"clientId": client.id})
cc.livevideos.delete(spare["id"])
err(lambda: cc.livevideos.delete(spare["id"]), "Invalid live video id")

check = cc.checks.create(client.id, "identity_check", documentId=doc.id, livePhotoId=photo.id)
err(lambda: cc.checks.create(client.id, "identity_check", documentId=doc.id), "livePhotoId")
assert cc.checks.get(check.id).status == "complete"
err(lambda: cc.checks.get(MISSING), "Invalid check id")
assert cc.checks.validate(check.id, outcome="confirmed").outcome == "clear"
err(lambda: cc.checks.validate(MISSING, outcome="confirmed"), "Invalid check id")
screening = cc.checks.create(client.id, "standard_screening_check")
assert cc.checks.get(screening.id).status == "complete"
assert cc.checks.update(screening.id, enableMonitoring=True).enable_monitoring is True
err(lambda: cc.checks.update(MISSING, enableMonitoring=True), "Invalid check id")
assert cc.checks.list(clientId=client.id).total_items == 2
err(lambda: cc.checks.list(page=0), "page")
assert len(list(cc.checks.auto_list(clientId=client.id))) == 2
err(lambda: cc.checks.auto_list(pageSize=0), "pageSize")

assert cc.riskprofiles.get(client.id).overall == "low"
err(lambda: cc.riskprofiles.get(MISSING), "Invalid client id")
assert cc.tokens.create(client.id, referrer="https://*.example.com/*").token
err(lambda: cc.tokens.create(MISSING, referrer="https://*.example.com/*"), "clientId")
assert cc.reports.generate_client_report(client.id).data
err(lambda: cc.reports.generate_client_report(MISSING), "Invalid client id")
assert cc.reports.generate_check_report(check.id).data
err(lambda: cc.reports.generate_check_report(MISSING), "Invalid check id")
# An inherited mixin with no ComplyCube endpoint behind it: a wrong method.
err(lambda: cc.reports.create(clientId=client.id), "not allowed")

# Hosted Flow, completed headlessly, and workflow sessions.
flow = cc.flow.create(clientId=client.id, workflowTemplateId="68566be2a37a78622f4f7be3",
                      successUrl="https://app.example/ok", cancelUrl="https://app.example/cancel")
assert "/__admin/flow/" in flow.redirect_url, flow
err(lambda: cc.flow.create(clientId=client.id, checkTypes=["document_check"]), "successUrl")
done = admin(f"/__admin/complycube/flow/sessions/{flow.redirect_url.rsplit('/', 1)[1]}/complete", {})
assert done["redirectUrl"] == "https://app.example/ok", done
session = cc.workflow_sessions.get(done["workflowSessionId"])
assert session.status == "complete" and session.outcome == "clear", session
err(lambda: cc.workflow_sessions.get(MISSING), "Invalid workflow session id")
assert cc.workflow_sessions.list(clientId=client.id).total_items == 1
err(lambda: cc.workflow_sessions.list(page=0), "page")
started = admin("/__admin/complycube/workflowSessions", {"clientId": client.id, "checkTypes": ["standard_screening_check"]})
assert cc.workflow_sessions.complete(started["id"]).status == "processing"
err(lambda: cc.workflow_sessions.complete(MISSING), "Invalid workflow session id")
assert len(list(cc.workflow_sessions.auto_list(clientId=client.id, pageSize=1))) == 2
err(lambda: cc.workflow_sessions.auto_list(pageSize=0), "pageSize")

lists = cc.static.screening_lists()
assert "HM Treasury Consolidated List" in lists, lists
err(lambda: stranger.static.screening_lists(), "Authorization")
info = cc.account_info.get()
assert info.username and info.plan and info.remaining_credit > 0, info
err(lambda: stranger.account_info.get(), "Authorization")
owner = cc.teammembers.get("VNARgK33nMASdJKdi")
assert owner.role == "owner", owner
err(lambda: cc.teammembers.get("MOARgK33nMASdJKdd"), "Invalid team member id")
assert cc.teammembers.list(role="owner").total_items == 1
err(lambda: cc.teammembers.list(page=0), "page")
assert len(list(cc.teammembers.auto_list(pageSize=4))) == 6
err(lambda: cc.teammembers.auto_list(pageSize=0), "pageSize")
logs = cc.auditlogs.list(clientId=client.id, action="update")
assert logs.total_items >= 1, logs
entry = cc.auditlogs.get(logs.items[0].id)
assert entry.diff and entry.resource_id, entry
err(lambda: cc.auditlogs.get(MISSING), "Invalid audit log id")
err(lambda: cc.auditlogs.list(page=0), "page")
assert len(list(cc.auditlogs.auto_list(trigger="createClient"))) >= 2
err(lambda: cc.auditlogs.auto_list(pageSize=0), "pageSize")

server.shutdown()
print(json.dumps({"ok": True, "methods": CALLS}))
