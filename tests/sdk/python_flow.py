"""Drives kyc-sandbox with the official ComplyCube Python SDK, unmodified.

Usage: KYC_BASE_URL=http://127.0.0.1:PORT KYC_API_KEY=test_... python python_flow.py
Prints one JSON line with what it checked; exits non-zero on the first failure.
"""

import base64
import json
import os
import sys
import uuid

import requests
import complycube
from complycube.error import ComplyCubeAPIError

BASE = os.environ["KYC_BASE_URL"]
KEY = os.environ["KYC_API_KEY"]
complycube._base_url = BASE + "/v1"
cc = complycube.ComplyCubeClient(api_key=KEY)
seen = {}


def image():
    seed = uuid.uuid4().bytes
    return base64.b64encode(bytes(seed[i % 16] ^ (i & 0xFF) for i in range(40 * 1024))).decode()


def expect_error(fn, needle):
    try:
        fn()
    except ComplyCubeAPIError as e:
        assert needle in str(e), f"error {e!r} lacks {needle!r}"
        return str(e)
    raise AssertionError(f"expected an error containing {needle!r}")


client = cc.clients.create(
    type="person",
    email="john@example.com",
    personDetails={"firstName": "John", "lastName": "Doe", "dob": "1990-01-01", "nationality": "GB", "ssn": "123456789"},
)
assert len(client.id) == 24 and client.entity_name == "John Doe", client
assert cc.clients.get(client.id).person_details.first_name == "John"
updated = cc.clients.update(client.id, mobile="+447700900000")
assert updated.mobile == "+447700900000"

address = cc.addresses.create(client.id, line="1 High St", city="London", country="GB", postalCode="N1 1AA")
doc = cc.documents.create(client.id, "driving_license", issuingCountry="GB", documentNumber="MORGA753116SM9IJ")
for side in ("front", "back"):
    img = cc.documents.upload(doc.id, side, fileName=f"{side}.jpg", data=image())
    assert img.document_side == side, img
front = cc.documents.download(doc.id, "front")
assert front.data if hasattr(front, "data") else front["data"]
photo = cc.livephotos.upload(client.id, image())
second_photo = cc.livephotos.upload(client.id, image())
video = requests.post(
    BASE + "/__admin/complycube/liveVideos", json={"clientId": client.id}, headers={"Authorization": KEY}
).json()
assert len(video["id"]) == 24, video
assert any(v.id == video["id"] for v in cc.livevideos.list(client.id).items)

bodies = {
    "standard_screening_check": {},
    "extensive_screening_check": {},
    "document_check": {"documentId": doc.id},
    "identity_check": {"documentId": doc.id, "livePhotoId": photo.id},
    "enhanced_identity_check": {"documentId": doc.id, "liveVideoId": video["id"]},
    "proof_of_address_check": {"documentId": doc.id},
    "multi_bureau_check": {"addressId": address.id, "options": {"twoPlusTwo": True}},
    "identity_fraud_check": {"addressId": address.id},
    "email_intelligence_check": {},
    "mobile_intelligence_check": {},
    "ssn_check": {},
    "age_estimation_check": {"livePhotoId": photo.id},
    "driving_license_check": {"documentId": doc.id},
    # The identity check above enrolled the client's face.
    "face_authentication_check": {"livePhotoId": second_photo.id},
}


def completed(check):
    assert check.status == "pending", check
    for _ in range(50):
        check = cc.checks.get(check.id)
        if check.status != "pending":
            break
    assert check.status == "complete", check
    return check


for kind, extra in bodies.items():
    check = completed(cc.checks.create(client.id, kind, **extra))
    assert check.result.outcome == "clear", (kind, check)
    seen[kind] = check.result.outcome
    if kind == "multi_bureau_check":
        # twoPlusTwo: each attribute matched by two separate bureaus.
        assert len(check.result.breakdown.name.breakdown) == 2, check

# eID and device intelligence checks run in workflow sessions only: a direct
# call is refused; the sandbox's workflow stand-in runs them.
for kind in ("eid_check", "device_intelligence_check"):
    expect_error(lambda: cc.checks.create(client.id, kind), "workflow session")
    seeded = requests.post(
        BASE + "/__admin/complycube/checks", json={"clientId": client.id, "type": kind}, headers={"Authorization": KEY}
    ).json()
    assert seeded["status"] == "pending", seeded
    check = cc.checks.get(seeded["id"])
    assert check.status == "complete", check
    assert check.result.outcome == "clear", (kind, check)
    seen[kind] = check.result.outcome

fraud = cc.checks.list(clientId=client.id, type="identity_fraud_check")
assert fraud.total_items == 1 and fraud.items[0]["type"] == "identity_fraud_check" if isinstance(fraud.items[0], dict) else fraud.items[0].type == "identity_fraud_check"

# Every missing required field is reported by name.
expect_error(lambda: cc.checks.create(client.id, "identity_check", documentId=doc.id), "livePhotoId")
expect_error(lambda: cc.checks.create(client.id, "enhanced_identity_check", documentId=doc.id), "liveVideoId")
expect_error(lambda: cc.checks.create(client.id, "identity_fraud_check"), "addressId")

# Triggers: last name `attention`.
flagged = cc.clients.create(type="person", email="a@example.com", personDetails={"firstName": "A", "lastName": "attention"})
faddr = cc.addresses.create(flagged.id, line="2 High St", city="London", country="GB")
c = cc.checks.create(flagged.id, "identity_fraud_check", addressId=faddr.id)
assert cc.checks.get(c.id).result.outcome == "attention"

# Pagination to the last page with auto_list.
marker = uuid.uuid4().hex[:8]
for i in range(7):
    cc.clients.create(type="person", email=f"p{i}@example.com", personDetails={"firstName": marker, "lastName": f"P{i}"})
listed = list(cc.clients.auto_list(personDetails={"firstName": marker}, pageSize=3))
assert len(listed) == 7, len(listed)
assert len({c.id for c in listed}) == 7

# Delete, then get → 404 as ComplyCubeAPIError.
tmp = cc.clients.create(type="person", email="t@example.com", personDetails={"firstName": "T", "lastName": "T"})
cc.clients.delete(tmp.id)
expect_error(lambda: cc.clients.get(tmp.id), f"Invalid client id '{tmp.id}'")

# Another key sees nothing.
other = complycube.ComplyCubeClient(api_key="test_" + uuid.uuid4().hex)
expect_error(lambda: other.clients.get(client.id), "Invalid client id")

print(json.dumps({"ok": True, "checks": seen, "autoListed": len(listed)}))
