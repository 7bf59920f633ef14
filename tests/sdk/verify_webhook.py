"""Verifies one webhook delivery with the official ComplyCube Python SDK.

Usage: verify_webhook.py <secret> <signature> <body-file>
Prints the parsed event as JSON; exits non-zero when the signature is rejected.
"""

import contextlib
import io
import json
import sys

from complycube.eventverifier import EventVerifier


def main() -> int:
    secret, signature, body_path = sys.argv[1:4]
    with open(body_path, "rb") as f:
        body = f.read()
    # The SDK prints both signatures; keep stdout for the result.
    with contextlib.redirect_stdout(io.StringIO()):
        event = EventVerifier(secret).construct_event(body, signature)
    print(json.dumps({
        "id": event.id,
        "type": event.type,
        "resourceType": event.resource_type,
        "payloadId": event.payload["id"] if isinstance(event.payload, dict) else getattr(event.payload, "id", None),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
