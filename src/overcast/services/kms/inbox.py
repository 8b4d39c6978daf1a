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

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.kms import blob, cipher
from overcast.services.kms.errors import InvalidKeyUsageException
from overcast.services.kms.grants import GrantStore
from overcast.services.kms.models import Doc, KmsStore, usable
from overcast.services.kms.views import describe

T = TypeVar("T")


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


def check_usable_as(platform: Platform, account: str, region: str, key_id: str, codes: Mapping[str, T],
                    error: Callable[[T, ServiceError], ServiceError]) -> str:
    """`check_usable`, answering KMS's failures as the calling service does: a KMS error whose code is
    in `codes` raises `error(codes[code], kms_error)`; any other is raised as it is."""
    try:
        return check_usable(platform, account, region, key_id)
    except ServiceError as exc:
        if exc.code not in codes:
            raise
        raise error(codes[exc.code], exc) from None


# -- for IAM's request check (docs/iam.md, "KMS key policies and grants") ---------------------


def key_of(platform: Platform, account: str, region: str, key_id: str) -> tuple[str, str, list[Doc]] | None:
    """(key ARN, key policy, grants) of the key `key_id` names (id, ARN, alias name or alias ARN);
    None when there is no such key (the operation itself then answers NotFoundException). An
    `alias/aws/<service>` with no key yet names nothing (the key is made on first use)."""
    kms = store(platform)
    try:
        doc = kms.resolve(account, region, key_id, create_aws=False)
    except ServiceError:
        return None
    meta = doc["Metadata"]
    key_account = str(meta["Arn"]).split(":")[4]
    grants = [grant for _, grant in GrantStore(platform).of_key(key_account, region, meta["KeyId"])]
    return str(meta["Arn"]), str(doc.get("Policy") or ""), grants


def blob_key_id(data: Any) -> str | None:
    """The key id a ciphertext blob names (Decrypt and ReEncrypt need no KeyId); None if not ours."""
    if not isinstance(data, bytes | bytearray):
        return None
    try:
        return blob.header(bytes(data)).key_id
    except blob.BadBlob:
        return None
