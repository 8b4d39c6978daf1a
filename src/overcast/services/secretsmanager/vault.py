"""How a secret's value is kept at rest: the one seam between Secrets Manager and KMS.

On AWS every version of a secret is encrypted with the secret's KMS key (its KmsKeyId, or the
AWS-managed key `alias/aws/secretsmanager`)
(https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
`seal` turns a value into what is stored, with the name of the key that sealed it (None: stored
as is); `unseal` reverses it. Until overcast's KMS is wired in here, values are stored as they are,
in the data dir's SQLite database.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from overcast.platform import Platform


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


def seal(platform: Platform, account: str, region: str, key_id: str | None, data: bytes) -> tuple[bytes, str | None]:
    """(stored bytes, the key that sealed them or None)."""
    return data, None


def unseal(platform: Platform, account: str, region: str, sealed_with: str | None, stored: bytes) -> bytes:
    """The value's bytes back from what `seal` stored."""
    return stored


def check_key(platform: Platform, account: str, region: str, key_id: str | None) -> None:
    """Raise Secrets Manager's error when `key_id` cannot encrypt (unknown, disabled, pending deletion)."""
    return None
