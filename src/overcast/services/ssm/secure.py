"""SecureString values and KMS: the one seam between Parameter Store and key management.

AWS encrypts a SecureString value under the parameter's KMS key (`alias/aws/ssm` unless KeyId
names another) with the encryption context `{"PARAMETER_ARN": <arn>}`, stores the ciphertext, and
answers it base64-encoded to a read without WithDecryption
([AWS](https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html)).

Until overcast hosts KMS, the "ciphertext" here is an envelope that names the key and carries the
value unencrypted (so reads without decryption still differ from the value, as on AWS)."""

from __future__ import annotations

import base64

from overcast.platform import Platform

DEFAULT_KEY = "alias/aws/ssm"
_ENVELOPE = b"overcast-ssm-plain:"


def encrypt(platform: Platform, account: str, region: str, key_id: str, arn: str, value: str) -> str:
    """The stored form (base64 ciphertext) of `value` under `key_id`."""
    return base64.b64encode(_ENVELOPE + key_id.encode() + b"\n" + value.encode()).decode()


def decrypt(platform: Platform, account: str, region: str, key_id: str, arn: str, stored: str) -> str:
    """The value of a stored SecureString."""
    blob = base64.b64decode(stored)
    if blob.startswith(_ENVELOPE):
        return blob[len(_ENVELOPE):].split(b"\n", 1)[1].decode()
    return stored
