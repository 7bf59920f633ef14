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
    mobile: "+447700900123",
    personDetails: { firstName: "Jane", lastName: "Doe", dob: "1990-01-01", ssn: "123456789" },
  });
  assert.strictEqual(client.entityName, "Jane Doe");
  const address = await cc.address.create(client.id, { line: "1 High St", city: "London", country: "GB", postalCode: "N1 1AA" });
  const doc = await cc.document.create(client.id, { type: "passport", issuingCountry: "GB" });
  await cc.document.upload(doc.id, { fileName: "front.jpg", data: image() }, "front");
  const downloaded = await cc.document.download(doc.id, "front");
  assert.ok(downloaded.data.length > 1000);
  const licence = await cc.document.create(client.id, { type: "driving_license", issuingCountry: "GB", documentNumber: "MORGA753116SM9IJ" });
  const photo = await cc.livePhoto.upload(client.id, { data: image(), performLivenessCheck: true });
  const secondPhoto = await cc.livePhoto.upload(client.id, { data: image(), performLivenessCheck: true });
  const video = await cc.axiosInstance.post(BASE + "/__admin/complycube/liveVideos", { clientId: client.id });

  async function completed(check) {
    assert.strictEqual(check.status, "pending");
    for (let i = 0; i < 50 && check.status === "pending"; i++) check = await cc.check.get(check.id);
    assert.strictEqual(check.status, "complete");
    return check;
  }

  const bodies = {
    identity_check: { documentId: doc.id, livePhotoId: photo.id, options: { enableVpnDetection: false } },
    enhanced_identity_check: { documentId: doc.id, liveVideoId: video.data.id },
    identity_fraud_check: { addressId: address.id },
    document_check: { documentId: doc.id, options: { analysisCoverage: ["mrz_analysis"] } },
    standard_screening_check: {},
    extensive_screening_check: { options: { screeningClassification: ["pepLevel1"] } },
    proof_of_address_check: { documentId: doc.id },
    multi_bureau_check: { addressId: address.id },
    ssn_check: {},
    age_estimation_check: { livePhotoId: photo.id },
    driving_license_check: { documentId: licence.id },
    email_intelligence_check: {},
    mobile_intelligence_check: {},
    // The identity check above enrolled the client's face.
    face_authentication_check: { livePhotoId: secondPhoto.id },
  };
  for (const [type, extra] of Object.entries(bodies)) {
    const check = await completed(await cc.check.create(client.id, { type, ...extra }));
    assert.strictEqual(check.result.outcome, "clear", JSON.stringify(check));
    seen[type] = check.result.outcome;
    if (type === "identity_check") assert.ok(!("vpnDetected" in check.result.breakdown.integrityAnalysis));
    if (type === "document_check") assert.strictEqual(check.result.breakdown.contentAnalysis.dataIntegrity, "not_processed");
    if (type === "ssn_check") assert.strictEqual(check.result.breakdown.dataVerification.breakdown.matchCode, "full_name_match");
  }

  // eID and device intelligence checks run in workflow sessions only: a
  // direct call is refused; the sandbox's workflow stand-in runs them.
  for (const type of ["eid_check", "device_intelligence_check"]) {
    const refused = await expectError(cc.check.create(client.id, { type }), 400, "workflow session");
    assert.strictEqual(refused.param, "type");
    const seeded = await cc.axiosInstance.post(BASE + "/__admin/complycube/checks", { clientId: client.id, type });
    assert.strictEqual(seeded.data.status, "pending");
    const check = await cc.check.get(seeded.data.id);
    assert.strictEqual(check.status, "complete");
    assert.strictEqual(check.result.outcome, "clear", JSON.stringify(check));
    seen[type] = check.result.outcome;
  }
  const checks = await cc.check.list(client.id);
  assert.strictEqual(checks.length, Object.keys(seen).length);

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
