"""The QA console in a real headless Chromium, as a tester would use it.

Creates a client, a document and a live photo through the public API, then
in the browser: lands on the console from `/`, opens the tenant, finds the
client by name, arms the `attention` scenario; creates a check through the
API; advances the clock from the console; sees the check complete as
`attention` with the highlighted leaf; sees the webhook delivery reach a
local receiver and redelivers it from the console; watches the journal
update live, shows hostile request content as text, and copies a request as
curl. Any JavaScript console error or uncaught exception fails the run.
Screenshots of the main pages go to SHOTS_DIR.

Environment: BASE_URL (the sandbox), API_KEY (a fresh tenant), SHOTS_DIR,
CHROMIUM (the browser binary). Prints one JSON summary line at the end.
"""

import base64
import http.server
import json
import os
import struct
import sys
import threading
import urllib.request
import zlib

from playwright.sync_api import expect, sync_playwright

BASE = os.environ["BASE_URL"].rstrip("/")
KEY = os.environ["API_KEY"]
SHOTS = os.environ["SHOTS_DIR"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 20_000


def api(method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Authorization", KEY)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            raw = res.read()
            return res.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, (json.loads(raw) if raw else None)


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


class Receiver(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Receiver.received.append((self.headers.get("ComplyCube-Signature"), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_):
        pass


def main():
    os.makedirs(SHOTS, exist_ok=True)
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"

    # --- Through the public API: a webhook, a client, a document, a live photo.
    s, hook = api("POST", "/v1/webhooks", {"url": hook_url, "events": ["check.completed.attention"]})
    assert s == 200, hook
    s, client = api("POST", "/v1/clients", {
        "type": "person", "email": "ada@example.com", "externalId": "crm-1815",
        "personDetails": {"firstName": "Ada", "lastName": "Lovelace", "dob": "1990-12-10", "nationality": "GB"},
    })
    assert s == 200, client
    s, doc = api("POST", "/v1/documents", {"clientId": client["id"], "type": "passport", "issuingCountry": "GB"})
    assert s == 200, doc
    front = base64.b64encode(png(220, 140, 1)).decode()
    s, up = api("POST", f"/v1/documents/{doc['id']}/upload/front", {"fileName": "passport.png", "data": front})
    assert s == 200, up
    selfie = base64.b64encode(png(160, 160, 2)).decode()
    s, photo = api("POST", "/v1/livePhotos", {"clientId": client["id"], "data": selfie})
    assert s == 200, photo
    # Hostile content the journal must show as text, never run.
    api("POST", "/v1/clients", {"type": "person", "email": "x@example.com",
                                "personDetails": {"firstName": "<img src=x onerror=window.__xss=1>", "lastName": "<script>window.__xss=2</script>"}})
    api("GET", "/v1/%3Cscript%3Ewindow.__xss=3%3C/script%3E")

    errors = []
    summary = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ])
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=BASE)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))

        def shot(name, target=None):
            (target or page).screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=False)

        # A browser opening the root lands on the console; pick the tenant.
        page.goto(BASE + "/")
        expect(page).to_have_url(BASE + "/__admin/ui/")
        expect(page.get_by_role("heading", name="Choose a tenant")).to_be_visible()
        shot("tenants")
        page.get_by_role("link", name=KEY).click()
        expect(page.get_by_role("heading", name="Overview")).to_be_visible()

        # Find the client by name; its page shows the stored images.
        page.get_by_role("navigation", name="Tenant pages").get_by_role("link", name="Clients").click()
        page.get_by_label("Find a client").fill("lovelace")
        page.get_by_role("button", name="Search").click()
        expect(page).to_have_url(f"{BASE}/__admin/ui/tenants/{KEY}/clients?q=lovelace")
        page.get_by_role("link", name="Ada Lovelace").click()
        expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
        for alt in ["front · passport.png"]:
            img = page.get_by_role("img", name=alt)
            expect(img).to_be_visible()
            page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=img.element_handle())
        expect(page.locator("figure.thumb img")).to_have_count(2)
        shot("client")

        # Arm `attention` from the scenarios page.
        page.get_by_role("navigation", name="Tenant pages").get_by_role("link", name="Scenarios").click()
        page.get_by_role("button", name="Arm attention", exact=True).click()
        armed = page.get_by_role("region", name="Armed for this tenant")
        expect(armed.get_by_text("attention", exact=True)).to_be_visible()
        shot("scenarios")

        # A check through the API: pending, because completion takes a minute.
        s, check = api("POST", "/v1/checks", {"clientId": client["id"], "type": "identity_check",
                                              "documentId": doc["id"], "livePhotoId": photo["id"]})
        assert s == 200 and check["status"] == "pending", check
        page.goto(f"{BASE}/__admin/ui/tenants/{KEY}/checks/{check['id']}")
        expect(page.locator("#check-status")).to_have_text("pending")

        # Advance the clock from the console: the page updates by itself.
        page.get_by_role("button", name="Advance the clock 1 h").click()
        expect(page.locator("#check-status")).to_have_text("complete")
        expect(page.locator("#check-outcome")).to_have_text("attention")
        leaf = page.locator("#breakdown li.attention").first
        expect(leaf).to_be_visible()
        expect(leaf.locator(".leaf.attention")).to_have_text('"attention"')
        summary["highlightedLeaf"] = leaf.get_attribute("data-key")
        expect(page.locator("#decided-by")).to_contain_text("armed")

        # The webhook reached the receiver; the timeline shows it delivered.
        timeline = page.get_by_role("region", name="Timeline")
        expect(timeline.get_by_text("delivered")).to_be_visible()
        shot("check")
        assert len(Receiver.received) == 1, Receiver.received
        first_event = Receiver.received[0][1]
        assert first_event["type"] == "check.completed.attention", first_event

        # Redeliver from the webhooks page.
        page.get_by_role("navigation", name="Tenant pages").get_by_role("link", name="Webhooks").click()
        row = page.locator('tr[data-event="check.completed.attention"]')
        expect(row).to_have_count(1)
        row.get_by_role("button", name="Redeliver check.completed.attention").click()
        expect(row.locator("td").nth(4)).to_have_text("2")
        assert len(Receiver.received) == 2, Receiver.received
        assert Receiver.received[1][1]["id"] == first_event["id"], "a redelivery keeps the event id"
        shot("webhooks")
        row.get_by_role("link", name="check.completed.attention").click()
        expect(page.locator("#signed-body")).to_contain_text(first_event["id"])
        expect(page.get_by_text("ComplyCube-Signature: ")).to_be_visible()

        # The journal: hostile content as text, live rows, copy as curl.
        page.get_by_role("navigation", name="Tenant pages").get_by_role("link", name="Journal").click()
        expect(page.locator("#journal-rows tr.unknown")).to_have_count(1)
        expect(page.locator("#journal-rows tr.unknown")).to_contain_text("/v1/%3Cscript%3Ewindow.__xss=3%3C/script%3E")
        before = page.locator("#journal-rows tr").count()
        api("GET", f"/v1/clients/{client['id']}")
        expect(page.locator("#journal-rows tr")).to_have_count(before + 1)
        expect(page.locator("#journal-rows tr").first).to_contain_text(f"/v1/clients/{client['id']}")
        shot("journal")
        page.locator("#journal-rows tr", has_text="<img src=x").get_by_role("link").click()
        expect(page.locator("#request-body")).to_contain_text("<img src=x onerror=window.__xss=1>")
        page.get_by_role("button", name="Copy as curl").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("curl -X POST ") and f"Authorization: {KEY}" in copied, copied
        assert page.evaluate("window.__xss") is None, "hostile content ran"

        # The back button returns to the journal.
        page.go_back()
        expect(page.get_by_role("heading", name="Journal")).to_be_visible()

        # Keyboard: the skip link is the first stop and leads to the page.
        page.goto(f"{BASE}/__admin/ui/tenants/{KEY}/checks/{check['id']}")
        expect(page.locator("#check-outcome")).to_have_text("attention")
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

        # Phone-sized.
        phone = context.new_page()
        phone.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        phone.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(f"{BASE}/__admin/ui/tenants/{KEY}/checks/{check['id']}")
        expect(phone.locator("#check-outcome")).to_have_text("attention")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the phone page scrolls sideways: {width}px"
        shot("check-phone", phone)
        phone.close()

        # Reset the tenant, after confirming in the dialog.
        page.goto(f"{BASE}/__admin/ui/tenants/{KEY}")
        page.get_by_role("button", name="Reset tenant").click()
        dialog = page.get_by_role("dialog", name="Reset this tenant?")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Reset the tenant").click()
        expect(page.get_by_text("This tenant holds nothing yet.")).to_be_visible()
        s, _ = api("GET", f"/v1/checks/{check['id']}")
        assert s == 404, "the reset forgot the check"

        browser.close()

    receiver.shutdown()
    summary.update({"ok": not errors, "errors": errors, "deliveries": len(Receiver.received)})
    print(json.dumps(summary))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
