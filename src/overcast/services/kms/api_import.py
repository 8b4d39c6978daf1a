"""Imported key material: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial
(https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html).

A key created with Origin EXTERNAL waits in PendingImport. GetParametersForImport hands out an RSA
wrapping public key and an import token (valid 24 hours); ImportKeyMaterial unwraps the material with
the wrapping algorithm chosen (RSAES_OAEP_*, RSAES_PKCS1_V1_5, or RSA_AES_KEY_WRAP_* for asymmetric and
HMAC material) and enables the key. Material that expires (ValidTo) is deleted on the platform clock.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from cryptography.hazmat.primitives import keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from overcast.context import RequestContext
from overcast.services.kms import asymmetric, keyspecs
from overcast.services.kms.api_base import ApiBase
from overcast.services.kms.api_keys import not_pending_deletion
from overcast.services.kms.errors import (
    ExpiredImportTokenException,
    IncorrectKeyMaterialException,
    InvalidImportTokenException,
    UnsupportedOperationException,
    ValidationException,
)
from overcast.services.kms.models import DAY, Doc, material_id

WRAPPING_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}


def _unwrap(private: rsa.RSAPrivateKey, algorithm: str, wrapped: bytes) -> bytes:
    if algorithm == "RSAES_PKCS1_V1_5":
        return private.decrypt(wrapped, padding.PKCS1v15())
    if algorithm.startswith("RSAES_OAEP"):
        return private.decrypt(wrapped, asymmetric.oaep(algorithm))
    # RSA_AES_KEY_WRAP_SHA_*: an RSA-OAEP wrapped AES key, then the material under AES key wrap with padding
    size = private.key_size // 8
    aes = private.decrypt(wrapped[:size], asymmetric.oaep(algorithm.replace("RSA_AES_KEY_WRAP", "RSAES_OAEP")))
    return keywrap.aes_key_unwrap_with_padding(aes, wrapped[size:])


def _check_material(doc: Doc, material: bytes) -> None:
    """The material must fit the key spec: 32 bytes for symmetric keys, the HMAC key's length, or a
    PKCS #8 private key of the spec's type."""
    spec = doc["Metadata"]["KeySpec"]
    kind = keyspecs.family(spec)
    if kind == "symmetric" and len(material) == 32:
        return
    if kind == "hmac" and len(material) == keyspecs.HMAC_BYTES[spec]:
        return
    if kind not in ("symmetric", "hmac"):
        try:
            key: Any = serialization.load_der_private_key(material, password=None)
        except ValueError:
            key = None
        if key is not None and keyspecs.public_der(material):
            return
    raise IncorrectKeyMaterialException("The key material is not valid for this KMS key.")


class ImportOperations(ApiBase):
    def _external(self, ctx: RequestContext, key_id: str) -> Doc:
        doc = self._own_key(ctx, key_id)
        meta = doc["Metadata"]
        if meta["Origin"] != "EXTERNAL":
            raise UnsupportedOperationException(f"{meta['Arn']} origin is {meta['Origin']} which is not valid "
                                                "for this operation.")
        not_pending_deletion(doc)
        return doc

    def get_parameters_for_import(self, ctx: RequestContext, key_id: str, wrapping_algorithm: str,
                                  wrapping_key_spec: str) -> dict[str, Any]:
        doc = self._external(ctx, key_id)
        if wrapping_key_spec not in WRAPPING_BITS:
            raise UnsupportedOperationException(f"WrappingKeySpec {wrapping_key_spec} is not supported.")
        wrapping = rsa.generate_private_key(public_exponent=65537, key_size=WRAPPING_BITS[wrapping_key_spec])
        token = os.urandom(64)
        valid_to = self.clock.now() + DAY
        doc["Import"] = {"Token": token.hex(), "Algorithm": wrapping_algorithm, "ExpiresAt": self.clock.later(DAY),
                         "WrappingKey": wrapping.private_bytes(serialization.Encoding.DER,
                                                               serialization.PrivateFormat.PKCS8,
                                                               serialization.NoEncryption()).hex()}
        self._save(ctx, doc)
        public = wrapping.public_key().public_bytes(serialization.Encoding.DER,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
        return {"KeyId": self._arn(doc), "ImportToken": token, "PublicKey": public, "ParametersValidTo": valid_to}

    def import_key_material(self, ctx: RequestContext, key_id: str, import_token: bytes,
                            encrypted_key_material: bytes, valid_to: dt.datetime | None = None,
                            expiration_model: str | None = None, **_: Any) -> dict[str, Any]:
        doc = self._external(ctx, key_id)
        meta = doc["Metadata"]
        pending = doc.get("Import")
        if not pending or pending["Token"] != import_token.hex():
            raise InvalidImportTokenException("The import token is not valid for this KMS key.")
        if self.clock.now() >= pending["ExpiresAt"]:
            raise ExpiredImportTokenException("The import token has expired.")
        model = expiration_model or ("KEY_MATERIAL_EXPIRES" if valid_to else "KEY_MATERIAL_DOES_NOT_EXPIRE")
        if (model == "KEY_MATERIAL_EXPIRES") != (valid_to is not None):
            raise ValidationException("ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES, and "
                                      "not allowed otherwise.")
        wrapping: Any = serialization.load_der_private_key(bytes.fromhex(pending["WrappingKey"]), password=None)
        try:
            material = _unwrap(wrapping, pending["Algorithm"], encrypted_key_material)
        except (ValueError, keywrap.InvalidUnwrap):
            raise InvalidImportTokenException("The key material could not be decrypted with the import "
                                              "token's wrapping key.") from None
        _check_material(doc, material)
        previous = meta.get("CurrentKeyMaterialId") or doc.get("ImportedMaterialId")
        if previous and previous != material_id(material):
            raise IncorrectKeyMaterialException("The key material is not the material previously imported "
                                                "into this KMS key.")
        self.store.add_material(ctx.account, ctx.region, meta["KeyId"], 1, material, "NEW_KEY_MATERIAL")
        doc.pop("Import", None)
        doc["ImportedMaterialId"] = material_id(material)
        meta.update(KeyState="Enabled", Enabled=True, ExpirationModel=model,
                    CurrentKeyMaterialId=material_id(material))
        if valid_to is not None:
            meta["ValidTo"] = valid_to.timestamp()
            doc["ExpiresAt"] = self.clock.later(max(0.0, valid_to.timestamp() - self.clock.now()))
        else:
            meta.pop("ValidTo", None)
            doc.pop("ExpiresAt", None)
        self._save(ctx, doc)
        return {"KeyId": meta["KeyId"], "KeyMaterialId": meta["CurrentKeyMaterialId"]}

    def delete_imported_key_material(self, ctx: RequestContext, key_id: str, **_: Any) -> dict[str, Any]:
        doc = self._external(ctx, key_id)
        self.store.expire_material(ctx.account, ctx.region, doc)
        return {"KeyId": doc["Metadata"]["KeyId"], "KeyMaterialId": doc.get("ImportedMaterialId", "")}
