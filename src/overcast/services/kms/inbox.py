"""KMS for the rest of overcast: services encrypt and decrypt with KMS keys here, in process, never
over HTTP (SQS and SNS `KmsMasterKeyId`, DynamoDB SSE, S3 SSE-KMS, Lambda environment variables,
Secrets Manager, Parameter Store SecureString, CloudWatch Logs).

The functions are synchronous (the store is SQLite, used from the event loop's thread). `key_id` is
a key id, key ARN, alias name or alias ARN; a predefined `alias/aws/<service>` creates that
AWS-managed key on first use, as KMS does. Failures raise `ServiceError`s with KMS's codes
(`NotFoundException`, `DisabledException`, `KMSInvalidStateException`,
`InvalidCiphertextException`, `IncorrectKeyException`, `InvalidKeyUsageException`); callers map
them to their own service's wording (SQS: `KMS.DisabledException`; Lambda: `KMSDisabledException`).
"""

from __future__ import annotations

from typing import Any

from overcast.platform import Platform
from overcast.services.kms import cipher
from overcast.services.kms.errors import InvalidKeyUsageException
from overcast.services.kms.models import KmsStore, usable
from overcast.services.kms.views import describe


def store(platform: Platform) -> KmsStore:
    return platform.component(KmsStore)


def encrypt(platform: Platform, account: str, region: str, key_id: str, plaintext: bytes,
            context: dict[str, str] | None = None) -> tuple[bytes, str]:
    """Encrypt with a symmetric key: (ciphertext blob, key ARN)."""
    kms = store(platform)
    doc = kms.resolve(account, region, key_id)
    return cipher.encrypt(kms, account, region, doc, plaintext, context), doc["Metadata"]["Arn"]


def decrypt(platform: Platform, account: str, region: str, blob: bytes,
            context: dict[str, str] | None = None) -> tuple[bytes, str]:
    """Decrypt a blob `encrypt` (or KMS's Encrypt) made: (plaintext, key ARN). The blob names its key."""
    plaintext, doc = cipher.decrypt(store(platform), account, region, blob, context)
    return plaintext, doc["Metadata"]["Arn"]


def describe_key(platform: Platform, account: str, region: str, key_id: str) -> dict[str, Any]:
    """KeyMetadata, as DescribeKey answers it. Raises NotFoundException for an unknown key."""
    kms = store(platform)
    return describe(kms, account, kms.resolve(account, region, key_id))


def check_usable(platform: Platform, account: str, region: str, key_id: str) -> str:
    """The key's ARN if it can encrypt now; otherwise KMS's error (disabled, pending deletion, not
    found, not a symmetric encryption key)."""
    kms = store(platform)
    doc = kms.resolve(account, region, key_id)
    usable(doc)
    if not cipher.symmetric(doc):
        cipher.check_usage(doc, "ENCRYPT_DECRYPT", "Encrypt")
        raise InvalidKeyUsageException(f"{doc['Metadata']['Arn']} is not a symmetric encryption key.")
    return str(doc["Metadata"]["Arn"])
