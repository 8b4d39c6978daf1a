"""Encrypt and Decrypt with a symmetric KMS key: what the Encrypt/Decrypt/ReEncrypt/GenerateDataKey
operations and the inbox (other services) share."""

from __future__ import annotations

from overcast.services.kms import blob, keyspecs
from overcast.services.kms.errors import (
    IncorrectKeyException,
    InvalidCiphertextException,
    InvalidKeyUsageException,
    NotFoundException,
)
from overcast.services.kms.models import Doc, KmsStore, key_arn, usable

INCORRECT_KEY = "The key ID in the request does not identify a CMK that can perform this operation."


def symmetric(doc: Doc) -> bool:
    meta = doc["Metadata"]
    return bool(meta["KeySpec"] == keyspecs.SYMMETRIC and meta["KeyUsage"] == "ENCRYPT_DECRYPT")


def check_usage(doc: Doc, usage: str, operation: str) -> None:
    """InvalidKeyUsageException unless the key's KeyUsage is `usage` (AWS: a key does only what its
    usage allows: https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-usage.html)."""
    meta = doc["Metadata"]
    if meta["KeyUsage"] != usage:
        raise InvalidKeyUsageException(f"{meta['Arn']} key usage is {meta['KeyUsage']} which is not valid for "
                                       f"{operation}.")


def encrypt(store: KmsStore, account: str, region: str, doc: Doc, plaintext: bytes,
            context: dict[str, str] | None) -> bytes:
    """A blob of `plaintext` under the key's current material; the key must be usable and symmetric."""
    usable(doc)
    check_usage(doc, "ENCRYPT_DECRYPT", "Encrypt")
    if not symmetric(doc):
        raise InvalidKeyUsageException(f"{doc['Metadata']['Arn']} is not a symmetric encryption key.")
    key_id = doc["Metadata"]["KeyId"]
    version, secret = store.material(account, region, key_id)
    return blob.seal(key_id, version, secret, plaintext, context)


def decrypt(store: KmsStore, account: str, region: str, data: bytes, context: dict[str, str] | None,
            key_id: str | None = None) -> tuple[bytes, Doc]:
    """(plaintext, key) of a symmetric blob. A KeyId, when given, must name the blob's key
    (IncorrectKeyException otherwise); a blob not ours, or under another context, is
    InvalidCiphertextException, as AWS answers for a ciphertext it cannot authenticate."""
    try:
        head = blob.header(data)
    except blob.BadBlob:
        raise InvalidCiphertextException("") from None
    if key_id is not None:
        named = store.resolve(account, region, key_id)
        if named["Metadata"]["KeyId"] != head.key_id:
            raise IncorrectKeyException(INCORRECT_KEY)
        # a key of another account, named by its ARN (the key policy allows this account)
        account = str(named["Metadata"]["Arn"]).split(":")[4]
    doc = store.get(account, region, head.key_id)
    if doc is None:
        raise NotFoundException(f"Key '{key_arn(account, region, head.key_id)}' does not exist")
    usable(doc)
    if not symmetric(doc):
        raise InvalidCiphertextException("")
    try:
        _, secret = store.material(account, region, head.key_id, head.material)
        return blob.open_blob(data, secret, context), doc
    except (KeyError, blob.BadBlob):
        raise InvalidCiphertextException("") from None
