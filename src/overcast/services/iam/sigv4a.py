"""SigV4a (`AWS4-ECDSA-P256-SHA256`): the asymmetric signature of multi-region requests (CloudFront
KeyValueStore, EventBridge global endpoints, S3 multi-region access points).

The client signs with an ECDSA P-256 key derived from its secret access key, so the signature (a
random-nonce ECDSA signature) cannot be recomputed, only verified with the same key's public half.
The derivation is AWS's (the AWS Common Runtime's `aws-c-auth`, which every SDK's SigV4a signer
uses): NIST SP 800-108 counter-mode KDF with HMAC-SHA256 keyed by `"AWS4A" + secret`, over
`be32(1) || "AWS4-ECDSA-P256-SHA256" || 0x00 || access key id || counter || be32(256)`; the first
output `k` with `k <= n - 2` (n the curve's order; the counter starts at 1) gives the private key
`k + 1`. The canonical request is SigV4's; the string to sign is
`AWS4-ECDSA-P256-SHA256\\n<x-amz-date>\\n<date>/<service>/aws4_request\\n<hex SHA-256 of the canonical
request>` (the scope has no region: the region set is the signed `X-Amz-Region-Set`), and the
signature is the hex of the DER-encoded ECDSA-SHA256 signature over it. The derivation and the
verification use `cryptography` (already a dependency); awscrt signs but offers no verification.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ALGORITHM = "AWS4-ECDSA-P256-SHA256"
#: the order of the P-256 group
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_MAX_COUNTER = 254


@lru_cache(maxsize=256)
def private_key(access_key: str, secret: str) -> ec.EllipticCurvePrivateKey:
    """The ECDSA P-256 key a SigV4a signer derives from `access_key` and `secret`."""
    key = f"AWS4A{secret}".encode()
    for counter in range(1, _MAX_COUNTER + 1):
        fixed = (b"\x00\x00\x00\x01" + ALGORITHM.encode() + b"\x00" + access_key.encode()
                 + bytes([counter]) + (256).to_bytes(4, "big"))
        candidate = int.from_bytes(hmac.new(key, fixed, hashlib.sha256).digest(), "big")
        if candidate <= _N - 2:
            return ec.derive_private_key(candidate + 1, ec.SECP256R1())
    raise ValueError("no SigV4a key could be derived")  # probability about 2^-8000


def string_to_sign(stamp: str, date: str, service: str, canonical_request: str) -> str:
    """SigV4a's string to sign: the algorithm, the time, the region-less scope, the request's hash."""
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    return "\n".join([ALGORITHM, stamp, f"{date}/{service}/aws4_request", digest])


def verify(access_key: str, secret: str, text: str, signature_hex: str) -> bool:
    """Whether `signature_hex` is the signature of `text` with the key of `access_key`/`secret`."""
    try:
        signature = bytes.fromhex(signature_hex)
        private_key(access_key, secret).public_key().verify(signature, text.encode(), ec.ECDSA(hashes.SHA256()))
    except (ValueError, InvalidSignature):
        return False
    return True
