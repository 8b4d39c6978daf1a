"""Encryption: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom.

Symmetric keys encrypt into overcast's self-describing blob (blob.py); RSA keys with OAEP
(https://docs.aws.amazon.com/kms/latest/developerguide/asymmetric-key-specs.html#key-spec-rsa-encryption).
"""

from __future__ import annotations

import os
from typing import Any

from overcast.context import RequestContext
from overcast.services.kms import asymmetric, blob, cipher
from overcast.services.kms.api_base import ApiBase
from overcast.services.kms.errors import (
    DryRunOperationException,
    IncorrectKeyException,
    InvalidCiphertextException,
    InvalidKeyUsageException,
    ValidationException,
)
from overcast.services.kms.models import Doc, material_id, usable

DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}


def required(value: bytes | None, member: str) -> bytes:
    """A member the model leaves optional (for its Recipient variants) that the request needs."""
    if value is None:
        raise ValidationException(f"1 validation error detected: Value null at '{member}' failed to satisfy "
                                  "constraint: Member must not be null")
    return value


def refuse_dry_run(dry: bool | None) -> None:
    """A DryRun request that would succeed answers DryRunOperationException."""
    if dry:
        raise DryRunOperationException("The request would have succeeded, but the DryRun option is set.")


def algorithm_for(doc: Doc, algorithm: str | None) -> str:
    """The encryption algorithm to use with this key: SYMMETRIC_DEFAULT for symmetric keys, one of
    the key's RSAES_OAEP_* algorithms (which must be named) for RSA keys."""
    meta = doc["Metadata"]
    allowed = meta.get("EncryptionAlgorithms") or []
    if cipher.symmetric(doc):
        if algorithm not in (None, "SYMMETRIC_DEFAULT"):
            raise InvalidKeyUsageException(f"Algorithm {algorithm} is incompatible with key spec "
                                           f"{meta['KeySpec']}.")
        return "SYMMETRIC_DEFAULT"
    if algorithm is None:
        raise ValidationException("EncryptionAlgorithm is required for asymmetric KMS keys.")
    if algorithm not in allowed:
        raise InvalidKeyUsageException(f"Algorithm {algorithm} is incompatible with key spec {meta['KeySpec']}.")
    return algorithm


class CryptoOperations(ApiBase):
    def encrypt(self, ctx: RequestContext, key_id: str, plaintext: bytes,
                encryption_context: dict[str, str] | None = None, encryption_algorithm: str | None = None,
                dry_run: bool | None = None, **_: Any) -> dict[str, Any]:
        doc = self._key(ctx, key_id)
        usable(doc)
        cipher.check_usage(doc, "ENCRYPT_DECRYPT", "Encrypt")
        algorithm = algorithm_for(doc, encryption_algorithm)
        refuse_dry_run(dry_run)
        return {"CiphertextBlob": self._encrypt(ctx, doc, algorithm, plaintext, encryption_context),
                "KeyId": self._arn(doc), "EncryptionAlgorithm": algorithm}

    def _encrypt(self, ctx: RequestContext, doc: Doc, algorithm: str, plaintext: bytes,
                 context: dict[str, str] | None) -> bytes:
        if algorithm == "SYMMETRIC_DEFAULT":
            return cipher.encrypt(self.store, ctx.account, ctx.region, doc, plaintext, context)
        _, material = self.store.material(ctx.account, ctx.region, doc["Metadata"]["KeyId"])
        try:
            return asymmetric.rsa_encrypt(material, algorithm, plaintext)
        except asymmetric.CryptoFailure:
            raise ValidationException(f"Plaintext is too long for {doc['Metadata']['KeySpec']} with "
                                      f"{algorithm}.") from None

    def decrypt(self, ctx: RequestContext, ciphertext_blob: bytes | None = None,
                encryption_context: dict[str, str] | None = None,
                key_id: str | None = None, encryption_algorithm: str | None = None, dry_run: bool | None = None,
                **_: Any) -> dict[str, Any]:
        data = required(ciphertext_blob, "ciphertextBlob")
        plaintext, doc, algorithm = self._decrypt(ctx, data, encryption_context, key_id, encryption_algorithm)
        refuse_dry_run(dry_run)
        out = {"KeyId": self._arn(doc), "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}
        if algorithm == "SYMMETRIC_DEFAULT":
            out["KeyMaterialId"] = self._material_id(ctx, doc, data)
        return out

    def _material_id(self, ctx: RequestContext, doc: Doc, data: bytes) -> str:
        version = blob.header(data).material
        owner = str(doc["Metadata"]["Arn"]).split(":")[4]  # the key's account (a cross-account key)
        _, material = self.store.material(owner, ctx.region, doc["Metadata"]["KeyId"], version)
        return material_id(material)

    def _decrypt(self, ctx: RequestContext, data: bytes, context: dict[str, str] | None, key_id: str | None,
                 algorithm: str | None) -> tuple[bytes, Doc, str]:
        """(plaintext, key, algorithm): a symmetric blob names its key; an RSA ciphertext needs KeyId."""
        named = self._key(ctx, key_id) if key_id is not None else None
        if named is not None and not cipher.symmetric(named):
            usable(named)
            cipher.check_usage(named, "ENCRYPT_DECRYPT", "Decrypt")
            chosen = algorithm_for(named, algorithm)
            _, material = self.store.material(ctx.account, ctx.region, named["Metadata"]["KeyId"])
            try:
                return asymmetric.rsa_decrypt(material, chosen, data), named, chosen
            except asymmetric.CryptoFailure:
                raise InvalidCiphertextException("") from None
        if algorithm not in (None, "SYMMETRIC_DEFAULT"):
            raise IncorrectKeyException(cipher.INCORRECT_KEY)
        plaintext, doc = cipher.decrypt(self.store, ctx.account, ctx.region, data, context, key_id)
        return plaintext, doc, "SYMMETRIC_DEFAULT"

    def re_encrypt(self, ctx: RequestContext, destination_key_id: str, ciphertext_blob: bytes | None = None,
                   source_encryption_context: dict[str, str] | None = None, source_key_id: str | None = None,
                   destination_encryption_context: dict[str, str] | None = None,
                   source_encryption_algorithm: str | None = None,
                   destination_encryption_algorithm: str | None = None, dry_run: bool | None = None,
                   **_: Any) -> dict[str, Any]:
        """Decrypt under the source key and encrypt under the destination, without the plaintext
        leaving KMS (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html)."""
        plaintext, source, source_algorithm = self._decrypt(ctx, required(ciphertext_blob, "ciphertextBlob"),
                                                            source_encryption_context,
                                                            source_key_id, source_encryption_algorithm)
        target = self._key(ctx, destination_key_id)
        usable(target)
        cipher.check_usage(target, "ENCRYPT_DECRYPT", "ReEncrypt")
        algorithm = algorithm_for(target, destination_encryption_algorithm)
        refuse_dry_run(dry_run)
        return {"CiphertextBlob": self._encrypt(ctx, target, algorithm, plaintext, destination_encryption_context),
                "SourceKeyId": self._arn(source), "KeyId": self._arn(target),
                "SourceEncryptionAlgorithm": source_algorithm, "DestinationEncryptionAlgorithm": algorithm}

    def generate_data_key(self, ctx: RequestContext, key_id: str, encryption_context: dict[str, str] | None = None,
                          number_of_bytes: int | None = None, key_spec: str | None = None,
                          dry_run: bool | None = None, **_: Any) -> dict[str, Any]:
        """A random data key, in plaintext and encrypted under a symmetric KMS key."""
        if (number_of_bytes is None) == (key_spec is None):
            raise ValidationException("Please specify either number of bytes or key spec.")
        doc = self._key(ctx, key_id)
        usable(doc)
        cipher.check_usage(doc, "ENCRYPT_DECRYPT", "GenerateDataKey")
        if not cipher.symmetric(doc):
            raise InvalidKeyUsageException(f"{self._arn(doc)} key usage is ENCRYPT_DECRYPT with an asymmetric "
                                           "key spec, which is not valid for GenerateDataKey.")
        refuse_dry_run(dry_run)
        plaintext = os.urandom(number_of_bytes if number_of_bytes is not None else DATA_KEY_BYTES[key_spec or ""])
        encrypted = cipher.encrypt(self.store, ctx.account, ctx.region, doc, plaintext, encryption_context)
        return {"CiphertextBlob": encrypted, "Plaintext": plaintext, "KeyId": self._arn(doc),
                "KeyMaterialId": self._material_id(ctx, doc, encrypted)}

    def generate_data_key_without_plaintext(self, ctx: RequestContext, key_id: str, **kwargs: Any) -> dict[str, Any]:
        out = self.generate_data_key(ctx, key_id, **kwargs)
        del out["Plaintext"]
        return out

    def generate_random(self, ctx: RequestContext, number_of_bytes: int | None = None,
                        custom_key_store_id: str | None = None, **_: Any) -> dict[str, Any]:
        if number_of_bytes is None:
            raise ValidationException("NumberOfBytes is required.")
        return {"Plaintext": os.urandom(number_of_bytes)}
