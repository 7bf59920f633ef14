// Drives kyc-sandbox with the official ComplyCube Node SDK, unmodified.
// Usage: KYC_BASE_URL=http://127.0.0.1:PORT KYC_API_KEY=test_... node node_flow.js
"use strict";
const assert = require("assert");
const crypto = require("crypto");
const { ComplyCube } = require("@complycube/api");

const BASE = process.env.KYC_BASE_URL;
const KEY = process.env.KYC_API_KEY;

function image() {
  const seed = crypto.randomBytes(16);
  const buf = Buffer.alloc(40 * 1024);
  for (let i = 0; i < buf.length; i++) buf[i] = seed[i % 16] ^ (i & 0xff);
  return buf.toString("base64");
}

async function expectError(promise, status, needle) {
  try {
    await promise;
  } catch (e) {
    assert.strictEqual(e.statusCode, status, `status of ${e.message}`);
    assert.ok(e.message.includes(needle), `${e.message} lacks ${needle}`);
    return e;
  }
  throw new Error(`expected a ${status} error containing ${needle}`);
}

async function main() {
  const cc = new ComplyCube({ apiKey: KEY });
  cc.axiosInstance.defaults.baseURL = BASE + "/v1";
  const seen = {};

  const client = await cc.client.create({
    type: "person",
    email: "jane@example.com",
    personDetails: { firstName: "Jane", lastName: "Doe", dob: "1990-01-01" },
  });
  assert.strictEqual(client.entityName, "Jane Doe");
  const address = await cc.address.create(client.id, { line: "1 High St", city: "London", country: "GB" });
  const doc = await cc.document.create(client.id, { type: "passport", issuingCountry: "GB" });
  await cc.document.upload(doc.id, { fileName: "front.jpg", data: image() }, "front");
  const downloaded = await cc.document.download(doc.id, "front");
  assert.ok(downloaded.data.length > 1000);
  const photo = await cc.livePhoto.upload(client.id, { data: image(), performLivenessCheck: true });
  const video = await cc.axiosInstance.post(BASE + "/__admin/complycube/liveVideos", { clientId: client.id });

  const bodies = {
    identity_check: { documentId: doc.id, livePhotoId: photo.id },
    enhanced_identity_check: { documentId: doc.id, liveVideoId: video.data.id },
    identity_fraud_check: { addressId: address.id },
    document_check: { documentId: doc.id },
    standard_screening_check: {},
  };
  for (const [type, extra] of Object.entries(bodies)) {
    let check = await cc.check.create(client.id, { type, ...extra });
    assert.strictEqual(check.status, "pending");
    for (let i = 0; i < 50 && check.status === "pending"; i++) check = await cc.check.get(check.id);
    assert.strictEqual(check.status, "complete");
    assert.strictEqual(check.result.outcome, "clear", JSON.stringify(check));
    seen[type] = check.result.outcome;
  }
  const checks = await cc.check.list(client.id);
  assert.strictEqual(checks.length, Object.keys(bodies).length);

  const err = await expectError(cc.check.create(client.id, { type: "identity_check", documentId: doc.id }), 400, "livePhotoId");
  assert.strictEqual(err.type, "invalid_request");
  assert.strictEqual(err.param, "livePhotoId");

  const tmp = await cc.client.create({ type: "company", email: "c@acme.com", companyDetails: { name: "Acme" } });
  await cc.client.delete(tmp.id);
  const gone = await expectError(cc.client.get(tmp.id), 404, `Invalid client id '${tmp.id}'`);
  assert.strictEqual(gone.type, "resource_not_found");

  const other = new ComplyCube({ apiKey: "test_" + crypto.randomBytes(8).toString("hex") });
  other.axiosInstance.defaults.baseURL = BASE + "/v1";
  await expectError(other.client.get(client.id), 404, "Invalid client id");
  assert.deepStrictEqual(await other.client.list(), []);

  console.log(JSON.stringify({ ok: true, checks: seen }));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e, e && e.responseBody ? JSON.stringify(e.responseBody) : "");
  process.exit(1);
});
