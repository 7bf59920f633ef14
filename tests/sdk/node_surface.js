// Calls every public method of the official ComplyCube Node SDK against
// kyc-sandbox, each with a success path and an error path, and reports what
// it called.
//
// The methods are found by reflection, before anything is called: every
// prototype method of each resource a ComplyCube instance holds, plus
// EventVerifier's. Each is wrapped to count its successes and the SDK's own
// error (ComplyCubeApiError; ComplyCubeError for EventVerifier) - any other
// exception is a failure of the sandbox.
//
// Usage: KYC_BASE_URL=http://127.0.0.1:PORT KYC_API_KEY=test_... node node_surface.js
// Prints one JSON line: {"ok": true, "methods": {"client.create": {"ok": 1, "err": 1}, ...}}.
"use strict";
const assert = require("assert");
const crypto = require("crypto");
const http = require("http");
const { ComplyCube, ComplyCubeApiError, ComplyCubeError, EventVerifier } = require("@complycube/api");

const BASE = process.env.KYC_BASE_URL;
const KEY = process.env.KYC_API_KEY;
const MISSING = "5f0000000000000000000000";
const calls = {};

function sdk(apiKey) {
  const cc = new ComplyCube({ apiKey });
  cc.axiosInstance.defaults.baseURL = BASE + "/v1";
  return cc;
}

function wrap(key, target, name, errorType) {
  const original = target[name];
  calls[key] = { ok: 0, err: 0 };
  target[name] = function (...args) {
    const count = (ok) => (calls[key][ok ? "ok" : "err"] += 1);
    let out;
    try {
      out = original.apply(this, args);
    } catch (e) {
      if (e instanceof errorType) count(false);
      throw e;
    }
    if (out && typeof out.then === "function") {
      return out.then(
        (v) => (count(true), v),
        (e) => {
          if (e instanceof errorType) count(false);
          throw e;
        },
      );
    }
    count(true);
    return out;
  };
}

/** Every resource method (and EventVerifier's), wrapped on its class so
 * every ComplyCube instance counts. */
function instrument() {
  const probe = sdk(KEY);
  for (const prop of Object.keys(probe)) {
    if (prop === "axiosInstance") continue;
    const proto = Object.getPrototypeOf(probe[prop]);
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === "constructor" || typeof proto[name] !== "function") continue;
      wrap(`${prop}.${name}`, proto, name, ComplyCubeApiError);
    }
  }
  for (const name of Object.getOwnPropertyNames(EventVerifier.prototype)) {
    if (name !== "constructor") wrap(`EventVerifier.${name}`, EventVerifier.prototype, name, ComplyCubeError);
  }
}

async function err(promiseOrFn, needle) {
  try {
    const p = typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn;
    await p;
  } catch (e) {
    if (!(e instanceof ComplyCubeError)) throw e;
    assert.ok(e.message.includes(needle), `${e.message} lacks ${needle}`);
    return e;
  }
  throw new Error(`expected an error containing ${needle}`);
}

function image() {
  const seed = crypto.randomBytes(16);
  const buf = Buffer.alloc(40 * 1024);
  for (let i = 0; i < buf.length; i++) buf[i] = seed[i % 16] ^ (i & 0xff);
  return buf.toString("base64");
}

async function admin(cc, path, body) {
  const res = await cc.axiosInstance.post(BASE + path, body);
  return res.data;
}

function hookServer() {
  const received = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks), signature: req.headers["complycube-signature"] });
      res.end();
      while (waiters.length) waiters.shift()();
    });
  });
  const next = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no delivery within 30 s")), 30000);
      const take = () => {
        if (received.length) {
          clearTimeout(timer);
          resolve(received.shift());
        } else waiters.push(take);
      };
      take();
    });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, next })));
}

async function main() {
  instrument();
  const cc = sdk(KEY);
  const stranger = sdk("not-a-sandbox-key");
  const { server, next } = await hookServer();

  const hook = await cc.webhook.create({ url: `http://127.0.0.1:${server.address().port}/hook`, enabled: true, events: ["client.created"] });
  await err(cc.webhook.create({ url: "ftp://nowhere", events: ["client.created"] }), "url");
  assert.ok((await cc.webhook.get(hook.id)).url.endsWith("/hook"));
  await err(cc.webhook.get(MISSING), "Invalid webhook id");
  assert.strictEqual((await cc.webhook.update(hook.id, { description: "sandbox" })).description, "sandbox");
  await err(cc.webhook.update(MISSING, { description: "x" }), "Invalid webhook id");
  assert.ok((await cc.webhook.list()).some((w) => w.id === hook.id));
  await err(cc.webhook.list({ page: 0 }), "page");
  const spareHook = await cc.webhook.create({ url: "https://hooks.example/spare", enabled: false, events: ["check.completed"] });
  await cc.webhook.delete(spareHook.id);
  await err(cc.webhook.delete(spareHook.id), "Invalid webhook id");

  const client = await cc.client.create({ type: "person", email: "jane@example.com", personDetails: { firstName: "Jane", lastName: "Doe", nationality: "GB" } });
  await err(cc.client.create({ type: "person", email: "jane@example.com" }), "personDetails");
  const delivery = await next();
  const event = new EventVerifier(hook.secret).constructEvent(delivery.body, delivery.signature);
  assert.strictEqual(event.payload.id, client.id);
  await err(() => new EventVerifier(hook.secret).constructEvent(delivery.body, "00".repeat(32)), "Invalid signature");
  assert.strictEqual((await cc.client.get(client.id)).entityName, "Jane Doe");
  await err(cc.client.get(MISSING), "Invalid client id");
  assert.strictEqual((await cc.client.update(client.id, { mobile: "+447700900000" })).mobile, "+447700900000");
  await err(cc.client.update(MISSING, { mobile: "+447700900000" }), "Invalid client id");
  assert.ok((await cc.client.list({ page: 1, pageSize: 10 })).some((c) => c.id === client.id));
  await err(cc.client.list({ page: 0 }), "page");
  const temp = await cc.client.create({ type: "company", email: "c@acme.example", companyDetails: { name: "Acme" } });
  await cc.client.delete(temp.id);
  await err(cc.client.delete(temp.id), "Invalid client id");

  const address = await cc.address.create(client.id, { line: "1 High St", city: "London", country: "GB", postalCode: "N1 1AA" });
  await err(cc.address.create(client.id, { line: "1 High St", city: "London", country: "gb" }), "country");
  assert.strictEqual((await cc.address.get(address.id)).city, "London");
  await err(cc.address.get(MISSING), "Invalid address id");
  assert.strictEqual((await cc.address.update(address.id, { city: "Leeds" })).city, "Leeds");
  await err(cc.address.update(MISSING, { city: "Leeds" }), "Invalid address id");
  assert.strictEqual((await cc.address.list(client.id)).length, 1);
  await err(cc.address.list(MISSING), "Invalid client id");
  const spareAddress = await cc.address.create(client.id, { line: "2 High St", city: "London", country: "GB" });
  await cc.address.delete(spareAddress.id);
  await err(cc.address.delete(spareAddress.id), "Invalid address id");

  const doc = await cc.document.create(client.id, { type: "passport", issuingCountry: "GB" });
  await err(cc.document.create(client.id, { type: "library_card" }), "type");
  assert.strictEqual((await cc.document.upload(doc.id, { fileName: "front.jpg", data: image() }, "front")).documentSide, "front");
  await err(cc.document.upload(MISSING, { fileName: "front.jpg", data: image() }, "front"), "Invalid document id");
  assert.ok((await cc.document.download(doc.id, "front")).data.length > 1000);
  await err(cc.document.download(MISSING, "front"), "Invalid document id");
  assert.strictEqual((await cc.document.get(doc.id)).images.length, 1);
  await err(cc.document.get(MISSING), "Invalid document id");
  assert.strictEqual((await cc.document.update(doc.id, { documentNumber: "123456789" })).documentNumber, "123456789");
  await err(cc.document.update(MISSING, { documentNumber: "1" }), "Invalid document id");
  assert.strictEqual((await cc.document.redact(doc.id, { attributes: ["documentNumber"] })).id, doc.id);
  await err(cc.document.redact(MISSING, { attributes: ["documentNumber"] }), "Invalid document id");
  assert.strictEqual((await cc.document.list(client.id)).length, 1);
  await err(cc.document.list(MISSING), "Invalid client id");
  const spareDoc = await cc.document.create(client.id, { type: "passport", issuingCountry: "GB" });
  await cc.document.upload(spareDoc.id, { fileName: "front.jpg", data: image() }, "front");
  await cc.document.deleteImage(spareDoc.id, "front");
  await err(cc.document.deleteImage(spareDoc.id, "front"), "");
  await cc.document.delete(spareDoc.id);
  await err(cc.document.delete(spareDoc.id), "Invalid document id");

  const photo = await cc.livePhoto.upload(client.id, { data: image(), performLivenessCheck: true });
  await err(cc.livePhoto.upload(client.id, { data: "not base64 %%%" }), "data");
  assert.strictEqual((await cc.livePhoto.get(photo.id)).clientId, client.id);
  await err(cc.livePhoto.get(MISSING), "Invalid live photo id");
  assert.ok((await cc.livePhoto.download(photo.id)).data.length > 1000);
  await err(cc.livePhoto.download(MISSING), "Invalid live photo id");
  assert.strictEqual((await cc.livePhoto.redact(photo.id)).id, photo.id);
  await err(cc.livePhoto.redact(MISSING), "Invalid live photo id");
  assert.strictEqual((await cc.livePhoto.list(client.id)).length, 1);
  await err(cc.livePhoto.list(MISSING), "Invalid client id");
  const sparePhoto = await cc.livePhoto.upload(client.id, { data: image() });
  await cc.livePhoto.delete(sparePhoto.id);
  await err(cc.livePhoto.delete(sparePhoto.id), "Invalid live photo id");

  const video = await admin(cc, "/__admin/complycube/liveVideos", { clientId: client.id });
  assert.strictEqual((await cc.liveVideo.get(video.id)).clientId, client.id);
  await err(cc.liveVideo.get(MISSING), "Invalid live video id");
  assert.strictEqual((await cc.liveVideo.redact(video.id)).id, video.id);
  await err(cc.liveVideo.redact(MISSING), "Invalid live video id");
  assert.strictEqual((await cc.liveVideo.list(client.id)).length, 1);
  await err(cc.liveVideo.list(MISSING), "Invalid client id");
  const spareVideo = await admin(cc, "/__admin/complycube/liveVideos", { clientId: client.id });
  await cc.liveVideo.delete(spareVideo.id);
  await err(cc.liveVideo.delete(spareVideo.id), "Invalid live video id");

  const check = await cc.check.create(client.id, { type: "identity_check", documentId: doc.id, livePhotoId: photo.id });
  await err(cc.check.create(client.id, { type: "identity_check", documentId: doc.id }), "livePhotoId");
  assert.strictEqual((await cc.check.get(check.id)).status, "complete");
  await err(cc.check.get(MISSING), "Invalid check id");
  assert.strictEqual((await cc.check.validate(check.id, { outcome: "confirmed" })).outcome, "clear");
  await err(cc.check.validate(MISSING, { outcome: "confirmed" }), "Invalid check id");
  const screening = await cc.check.create(client.id, { type: "standard_screening_check" });
  assert.strictEqual((await cc.check.update(screening.id, { enableMonitoring: true })).enableMonitoring, true);
  await err(cc.check.update(MISSING, { enableMonitoring: true }), "Invalid check id");
  assert.strictEqual((await cc.check.list(client.id)).length, 2);
  await err(cc.check.list(client.id, { page: 0 }), "page");

  assert.strictEqual((await cc.riskProfile.get(client.id)).overall, "low");
  await err(cc.riskProfile.get(MISSING), "Invalid client id");
  assert.ok((await cc.token.generate(client.id, { referrer: "https://*.example.com/*" })).length > 10);
  await err(cc.token.generate(MISSING, { referrer: "https://*.example.com/*" }), "clientId");
  assert.ok((await cc.report.generate({ clientId: client.id })).data);
  await err(cc.report.generate({ checkId: MISSING }), "Invalid check id");

  const flow = await cc.flow.createSession(client.id, { workflowTemplateId: "68566be2a37a78622f4f7be3", successUrl: "https://app.example/ok", cancelUrl: "https://app.example/cancel" });
  assert.ok(flow.redirectUrl.includes("/__admin/flow/"), JSON.stringify(flow));
  await err(cc.flow.createSession(client.id, { checkTypes: ["document_check"] }), "successUrl");
  const done = await admin(cc, `/__admin/complycube/flow/sessions/${flow.redirectUrl.split("/").pop()}/complete`, { outcome: "attention" });
  assert.strictEqual(done.redirectUrl, "https://app.example/ok");
  const session = await cc.workflowSession.get(done.workflowSessionId);
  assert.strictEqual(session.status, "complete");
  assert.strictEqual(session.outcome, "attention");
  await err(cc.workflowSession.get(MISSING), "Invalid workflow session id");
  assert.strictEqual((await cc.workflowSession.list(client.id, "68566be2a37a78622f4f7be3")).length, 1);
  await err(cc.workflowSession.list(client.id, undefined, { page: 0 }), "page");
  const started = await admin(cc, "/__admin/complycube/workflowSessions", { clientId: client.id, checkTypes: ["standard_screening_check"] });
  assert.deepStrictEqual(await cc.workflowSession.complete(started.id), { status: "processing" });
  await err(cc.workflowSession.complete(MISSING), "Invalid workflow session id");

  assert.ok((await cc.static.listScreeningLists()).includes("HM Treasury Consolidated List"));
  await err(stranger.static.listScreeningLists(), "Authorization");
  assert.ok((await cc.static.listSupportedDocuments()).some((d) => d.issuingCountry === "GB"));
  await err(stranger.static.listSupportedDocuments(), "Authorization");
  const companies = await cc.lookup.searchCompany({ companyName: "Acme", incorporationCountry: "GB" });
  assert.strictEqual(companies.items.length, 2);
  assert.deepStrictEqual((await cc.lookup.searchCompany({ companyName: "no-match", incorporationCountry: "GB" })).items, []);
  await err(cc.lookup.searchCompany({ incorporationCountry: "GB" }), "companyName");
  assert.ok((await cc.lookup.getCompany(companies.items[0].id)).officers.length > 0);
  await err(cc.lookup.getCompany(MISSING), "Invalid company id");
  assert.strictEqual((await cc.lookup.searchAddress({ line: "350 Fifth", postalCode: "10118", country: "US" })).items[0].city, "New York");
  await err(cc.lookup.searchAddress({ line: "350 Fifth", country: "US" }), "postalCode");
  assert.deepStrictEqual((await cc.autofill.performAutofill({ data: image() })).extractedData.holderDetails.lastName, ["DOE"]);
  await err(cc.autofill.performAutofill({ data: "not base64 %%%" }), "data");
  const info = await cc.accountInfo.get();
  assert.ok(info.username && info.plan && info.remainingCredit > 0);
  await err(stranger.accountInfo.get(), "Authorization");
  const members = await cc.teamMember.list({ page: 1, pageSize: 10 });
  assert.strictEqual(members.length, 6);
  await err(cc.teamMember.list({ page: 0 }), "page");
  assert.strictEqual((await cc.teamMember.get(members[0].id)).id, members[0].id);
  await err(cc.teamMember.get("MOARgK33nMASdJKdd"), "Invalid team member id");
  const logs = await cc.auditLog.list({ page: 1, pageSize: 5 });
  assert.strictEqual(logs.length, 5);
  await err(cc.auditLog.list({ pageSize: 0 }), "pageSize");
  assert.ok(Array.isArray((await cc.auditLog.get(logs[0].id)).diff));
  await err(cc.auditLog.get(MISSING), "Invalid audit log id");

  server.close();
  console.log(JSON.stringify({ ok: true, methods: calls }));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e, e && e.responseBody ? JSON.stringify(e.responseBody) : "");
  process.exit(1);
});
