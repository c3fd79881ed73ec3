"""How a request is signed, and how a receiver checks it (docs/webhooks.md shows the same in a
few lines for receivers written in Python).

The signature is HMAC-SHA256 with the endpoint's secret over `<timestamp>.<raw body>`, sent
as `X-Serviceloop-Signature: sha256=<hex>` beside `X-Serviceloop-Timestamp: <unix seconds>`.
Signing the timestamp with the body lets a receiver refuse an old request replayed later.
"""

import hashlib
import hmac

SCHEME = "sha256="


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The value of the X-Serviceloop-Signature header."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def is_valid(*, secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Whether `header` is the signature of this timestamp and body (constant-time)."""
    return hmac.compare_digest(signature(secret=secret, timestamp=timestamp, body=body), header)
