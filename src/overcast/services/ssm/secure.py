"""SecureString values and KMS: the one seam between Parameter Store and key management.

AWS encrypts a SecureString value under the parameter's KMS key (`alias/aws/ssm`, made on first
use, unless KeyId names another) with the encryption context `{"PARAMETER_ARN": <arn>}`, stores the
ciphertext, and answers it base64-encoded to a read without WithDecryption
([AWS](https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html)). KMS's
failures (a disabled key, one pending deletion, an unknown one) answer SSM's `InvalidKeyId` with
KMS's own message and code, as SSM reports them."""

from __future__ import annotations

import base64

from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.kms import inbox as kms
from overcast.services.ssm.errors import InvalidKeyId

DEFAULT_KEY = "alias/aws/ssm"
#: values stored before overcast hosted KMS: an envelope naming the key around the value
_LEGACY = b"overcast-ssm-plain:"


def _key_error(error: ServiceError) -> InvalidKeyId:
    return InvalidKeyId(f"{error.message} (Service: AWSKMS; Status Code: {error.status}; Error Code: {error.code})")


def encrypt(platform: Platform, account: str, region: str, key_id: str, arn: str, value: str) -> str:
    """The stored form (base64 ciphertext) of `value` under `key_id`."""
    try:
        blob, _ = kms.encrypt(platform, account, region, key_id, value.encode(), {"PARAMETER_ARN": arn})
    except ServiceError as error:
        raise _key_error(error) from None
    return base64.b64encode(blob).decode()


def decrypt(platform: Platform, account: str, region: str, key_id: str, arn: str, stored: str) -> str:
    """The value of a stored SecureString."""
    blob = base64.b64decode(stored)
    if blob.startswith(_LEGACY):
        return blob[len(_LEGACY):].split(b"\n", 1)[1].decode()
    try:
        plaintext, _ = kms.decrypt(platform, account, region, blob, {"PARAMETER_ARN": arn})
    except ServiceError as error:
        raise _key_error(error) from None
    return plaintext.decode()
