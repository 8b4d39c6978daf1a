"""How a secret's value is kept at rest: the one seam between Secrets Manager and KMS.

On AWS every version of a secret is encrypted with the secret's KMS key (its KmsKeyId, or the
AWS-managed key `alias/aws/secretsmanager`, created on first use), with the encryption context
`{"SecretARN": <arn>, "SecretVersionId": <version id>}`
(https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
overcast does the same through KMS's inbox: the stored value is KMS's ciphertext blob, which names
its key, so a version sealed before the secret's key changed still opens. A key that cannot
encrypt (disabled, pending deletion, unknown) fails the write with EncryptionFailure; one that
cannot decrypt fails the read with DecryptionFailure. Values stored before this seam used KMS
(`sealed_with` NULL) are read as they are.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.kms import inbox as kms
from overcast.services.secretsmanager.errors import DecryptionFailure, EncryptionFailure

DEFAULT_KEY = "alias/aws/secretsmanager"
CANNOT_ENCRYPT = ("Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check that "
                  "the KMS key is available, enabled, and not in an invalid state.")
CANNOT_DECRYPT = "Secrets Manager can't decrypt the protected secret text using the provided KMS key."


def encode(secret_string: str | None, secret_binary: bytes | None) -> bytes:
    """A version's value as bytes (one of the two is set)."""
    if secret_binary is not None:
        return json.dumps({"b": base64.b64encode(secret_binary).decode()}).encode()
    return json.dumps({"s": secret_string}).encode()


def decode(data: bytes) -> dict[str, Any]:
    """`{"SecretString": ...}` or `{"SecretBinary": ...}` of an encoded value."""
    value = json.loads(data)
    if "b" in value:
        return {"SecretBinary": base64.b64decode(value["b"])}
    return {"SecretString": value["s"]}


def _context(arn: str, version_id: str) -> dict[str, str]:
    return {"SecretARN": arn, "SecretVersionId": version_id}


def seal(platform: Platform, account: str, region: str, key_id: str | None, data: bytes, arn: str,
         version_id: str) -> tuple[bytes, str]:
    """(the ciphertext blob to store, the ARN of the key that sealed it)."""
    try:
        return kms.encrypt(platform, account, region, key_id or DEFAULT_KEY, data, _context(arn, version_id))
    except ServiceError:
        raise EncryptionFailure(CANNOT_ENCRYPT) from None


def unseal(platform: Platform, account: str, region: str, sealed_with: str | None, stored: bytes, arn: str,
           version_id: str) -> bytes:
    """The value's bytes back from what `seal` stored."""
    if sealed_with is None:
        return stored
    try:
        plaintext, _ = kms.decrypt(platform, account, region, stored, _context(arn, version_id))
    except ServiceError:
        raise DecryptionFailure(CANNOT_DECRYPT) from None
    return plaintext


def check_key(platform: Platform, account: str, region: str, key_id: str | None) -> None:
    """Raise EncryptionFailure when `key_id` cannot encrypt (unknown, disabled, pending deletion)."""
    if key_id is None:
        return
    try:
        kms.check_usable(platform, account, region, key_id)
    except ServiceError:
        raise EncryptionFailure(CANNOT_ENCRYPT) from None
