"""The hosted Flow page in a real headless Chromium, as a tester goes through it.

The app side is the official ComplyCube Python SDK (complycube 1.1.8,
unmodified, pointed at the sandbox as an integrator would): it registers the
app's webhook, creates a client and a check-driven Flow session (document and
identity checks) with successUrl and cancelUrl on a small local "app". In the
browser: opens the redirectUrl, gives consent, picks a driving licence, has a
too-small file refused before it is sent, uploads the front and a selfie (the
back stays the sandbox's sample), chooses the outcome `attention`, completes
and lands on the app's success page. Then through the SDK: the document's
front and the live photo are the uploaded bytes, the back is the sample the
page showed, both checks are pending until the sandbox's clock is moved on
through the admin API and then complete as `attention`, and every webhook
delivery the app received passes the SDK's EventVerifier. A second session (a
workflow, dark theme, French) is cancelled and lands on the cancel page, and
the SDK sees its workflow session cancelled; the first one's link now shows a
clear "complete" page. Any JavaScript console error or uncaught exception
fails the run.

Environment: BASE_URL (the sandbox), API_KEY (a fresh tenant), SHOTS_DIR,
CHROMIUM (the browser binary). Prints one JSON summary line at the end
(the sessions' ids and what the SDK saw, for the Rust side to check over
HTTP).
"""

import base64
import contextlib
import http.server
import io
import json
import os
import struct
import sys
import threading
import time
import urllib.request
import zlib

import complycube
from complycube.eventverifier import EventVerifier
from playwright.sync_api import expect, sync_playwright

BASE = os.environ["BASE_URL"].rstrip("/")
KEY = os.environ["API_KEY"]
SHOTS = os.environ["SHOTS_DIR"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 20_000
TEMPLATE = "68566be2a37a78622f4f7be3"

# The SDK hard-codes the live API; an integrator redirects it before building a client.
complycube._base_url = BASE + "/v1"
cc = complycube.ComplyCubeClient(api_key=KEY)


def admin(path):
    """A state-changing admin call (the sandbox's own API, which no SDK knows)."""
    req = urllib.request.Request(BASE + path, data=b"{}", method="POST")
    req.add_header("Authorization", KEY)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read())


def raw(path):
    """A file the Flow page serves (not an API resource)."""
    with urllib.request.urlopen(BASE + path, timeout=10) as res:
        return res.read()


def verified(secret, body, signature):
    """The event, if the SDK's EventVerifier accepts the delivery's signature."""
    # The SDK prints both signatures; keep stdout for the summary.
    with contextlib.redirect_stdout(io.StringIO()):
        return EventVerifier(secret).construct_event(body, signature)


def image_bytes(image):
    return base64.b64decode(image.data)


def png(width, height, seed):
    """A real PNG of noisy pixels (incompressible enough to pass 34 KB)."""
    rows = bytearray()
    state = seed
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            state = (state * 1103515245 + 12345) & 0x7FFFFFFF
            noise = state >> 25
            rows += bytes([(x * 255 // width) ^ noise, (y * 255 // height + noise) & 0xFF, (seed * 90 + noise) & 0xFF])

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


class App(http.server.BaseHTTPRequestHandler):
    """The integrating app: its return pages and its webhook endpoint."""

    visits = []
    deliveries = []

    def do_GET(self):
        if self.path == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return
        App.visits.append(self.path)
        title = "Back in the app" if self.path.startswith("/ok") else "Verification cancelled in the app"
        body = f"<!doctype html><title>{title}</title><h1>{title}</h1>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        App.deliveries.append((body, self.headers.get("ComplyCube-Signature", "")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_):
        pass


def main():
    os.makedirs(SHOTS, exist_ok=True)
    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    here = f"http://127.0.0.1:{app.server_address[1]}"

    hook = cc.webhooks.create(here + "/hook", True, ["*"])
    assert hook.secret, hook
    client = cc.clients.create(
        type="person", email="ada@example.com",
        personDetails={"firstName": "Ada", "lastName": "Lovelace", "dob": "1990-12-10", "nationality": "GB"},
    )
    assert client.entity_name == "Ada Lovelace", client
    first = cc.flow.create(
        clientId=client.id, checkTypes=["document_check", "identity_check"],
        successUrl=here + "/ok?from=flow", cancelUrl=here + "/cancel?from=flow",
    ).redirect_url
    assert first.startswith(BASE + "/__admin/flow/"), first
    second = cc.flow.create(
        clientId=client.id, workflowTemplateId=TEMPLATE, theme="dark", language="fr",
        successUrl=here + "/ok?from=workflow", cancelUrl=here + "/cancel?from=workflow",
    ).redirect_url

    front = png(260, 170, 5)
    selfie = png(200, 200, 6)
    tiny = png(8, 8, 7)
    errors = []
    summary = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ])
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))

        def shot(name, target=None):
            (target or page).screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)

        # --- The check-driven session, completed with an uploaded front and selfie.
        page.goto(first)
        expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
        expect(page.locator("#flow-client")).to_have_text("Ada Lovelace")
        steps = page.locator("#flow-steps li")
        expect(steps).to_have_text(["Consent", "Document", "Selfie", "Finish"])
        expect(steps.nth(0)).to_have_attribute("aria-current", "step")
        expect(page.get_by_role("button", name="Complete verification")).to_be_hidden()
        shot("flow-consent")
        # Consent is required before the next step.
        page.get_by_role("button", name="Next").click()
        expect(steps.nth(0)).to_have_attribute("aria-current", "step")
        page.get_by_label("I agree to have my identity verified").check()
        page.get_by_role("button", name="Next").click()
        expect(steps.nth(1)).to_have_attribute("aria-current", "step")

        # The document: a driving licence has a back; a too-small file is refused in place.
        document = page.get_by_role("group", name="Identity document")
        expect(document).to_be_visible()
        expect(page.locator("#back-side")).to_be_hidden()
        page.get_by_label("Document type").select_option("driving_license")
        expect(page.locator("#back-side")).to_be_visible()
        page.set_input_files("#front", files=[{"name": "tiny.png", "mimeType": "image/png", "buffer": tiny}])
        expect(page.locator("#front-error")).to_contain_text("at least 34 KB")
        page.get_by_role("button", name="Next").click()
        expect(steps.nth(1)).to_have_attribute("aria-current", "step")
        page.set_input_files("#front", files=[{"name": "licence-front.png", "mimeType": "image/png", "buffer": front}])
        expect(page.locator("#front-error")).to_be_hidden()
        expect(page.locator("#front-caption")).to_contain_text("Your file: licence-front.png")
        page.wait_for_function("() => document.getElementById('front-preview').src.startsWith('blob:')")
        page.wait_for_function("() => { const i = document.getElementById('back-preview'); return i.complete && i.naturalWidth > 0; }")
        shot("flow-document")
        page.get_by_role("button", name="Next").click()

        # The selfie.
        expect(steps.nth(2)).to_have_attribute("aria-current", "step")
        page.set_input_files("#livePhoto", files=[{"name": "me.png", "mimeType": "image/png", "buffer": selfie}])
        expect(page.locator("#livePhoto-caption")).to_contain_text("Your file: me.png")
        page.get_by_role("button", name="Next").click()

        # How it ends: attention.
        expect(steps.nth(3)).to_have_attribute("aria-current", "step")
        page.get_by_label("Attention", exact=True).check()
        shot("flow-finish")
        page.get_by_role("button", name="Complete verification").click()
        expect(page).to_have_url(here + "/ok?from=flow")
        expect(page.get_by_role("heading", name="Back in the app")).to_be_visible()
        summary["first"] = first.rsplit("/", 1)[1]

        # What the page stored, through the SDK: the uploads and the sample back.
        docs = cc.documents.list(client.id)
        assert docs.total_items == 1, docs
        doc = docs.items[0]
        assert doc.type == "driving_license", doc
        assert image_bytes(cc.documents.download(doc.id, "front")) == front, "the front is not the uploaded file"
        back = raw(first.replace(BASE, "") + "/samples/back")
        assert image_bytes(cc.documents.download(doc.id, "back")) == back, "the back is not the sample"
        photos = cc.livephotos.list(client.id)
        assert photos.total_items == 1, photos
        assert image_bytes(cc.livephotos.download(photos.items[0].id)) == selfie, "the live photo is not the uploaded selfie"

        # The checks the page created, through the SDK: both complete as attention.
        # Checks take sandbox time (the Rust side sets the delay): pending until the clock moves on.
        checks = cc.checks.list(clientId=client.id)
        assert checks.total_items == 2, checks
        summary["statusBeforeClock"] = sorted(cc.checks.get(c.id).status for c in checks.items)
        admin("/__admin/complycube/checks/complete-pending")
        summary["checks"] = {}
        for c in checks.items:
            check = cc.checks.get(c.id)
            assert (check.status, check.result.outcome) == ("complete", "attention"), check
            summary["checks"][check.type] = {"id": check.id, "status": check.status, "outcome": check.result.outcome}

        # The webhook events reach the app, each signed as the SDK verifies.
        def attention_events():
            return sum(json.loads(body)["type"] == "check.completed.attention" for body, _ in App.deliveries)

        deadline = time.time() + 15
        while time.time() < deadline and attention_events() < 2:
            time.sleep(0.2)
        events = [verified(hook.secret, body, signature) for body, signature in list(App.deliveries)]
        summary["events"] = sorted({e.type for e in events})
        summary["verifiedDeliveries"] = len(events)

        # The link again: a clear page, not the form.
        page.goto(first)
        expect(page.get_by_role("heading", name="Verification complete")).to_be_visible()
        expect(page.locator("form")).to_have_count(0)
        shot("flow-complete")

        # --- The workflow session: dark, French, cancelled.
        page.goto(second)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator("body")).to_have_attribute("data-theme", "dark")
        expect(page.locator("#flow-steps li")).to_have_text(["Consent", "Document", "Selfie", "Finish"])
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        summary["darkBackground"] = background
        shot("flow-dark")
        page.get_by_role("button", name="Cancel verification").click()
        expect(page).to_have_url(here + "/cancel?from=workflow")
        summary["second"] = second.rsplit("/", 1)[1]
        sessions = cc.workflow_sessions.list(clientId=client.id)
        assert sessions.total_items == 1, sessions
        assert sessions.items[0].status == "cancelled", sessions
        summary["workflowSession"] = {"id": sessions.items[0].id, "status": sessions.items[0].status}

        # Phone-sized: the page does not scroll sideways.
        phone_flow = cc.flow.create(
            clientId=client.id, checkTypes=["identity_check"], successUrl=here + "/ok", cancelUrl=here + "/cancel",
        ).redirect_url
        phone = context.new_page()
        phone.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        phone.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(phone_flow)
        expect(phone.get_by_role("heading", name="Verify your identity")).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the phone page scrolls sideways: {width}px"
        shot("flow-phone", phone)
        phone.close()

        browser.close()

    app.shutdown()
    summary.update({"ok": not errors, "errors": errors, "visits": App.visits})
    print(json.dumps(summary))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
