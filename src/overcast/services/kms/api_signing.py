"""Asymmetric and HMAC keys: Sign, Verify, GetPublicKey, GenerateMac, VerifyMac, DeriveSharedSecret and
GenerateDataKeyPair(WithoutPlaintext)
(https://docs.aws.amazon.com/kms/latest/developerguide/symmetric-asymmetric.html)."""

from __future__ import annotations

import hmac
from typing import Any

from overcast.context import RequestContext
from overcast.services.kms import asymmetric, cipher, keyspecs
from overcast.services.kms.api_base import ApiBase
from overcast.services.kms.api_crypto import refuse_dry_run
from overcast.services.kms.errors import (
    InvalidKeyUsageException,
    KMSInvalidMacException,
    KMSInvalidSignatureException,
    UnsupportedOperationException,
    ValidationException,
)
from overcast.services.kms.models import Doc, usable

ALGORITHM_LISTS = ("EncryptionAlgorithms", "SigningAlgorithms", "KeyAgreementAlgorithms")


class SigningOperations(ApiBase):
    def _signing_key(self, ctx: RequestContext, key_id: str, algorithm: str, operation: str) -> tuple[Doc, bytes]:
        """A usable SIGN_VERIFY key that lists `algorithm`, and its material."""
        doc = self._key(ctx, key_id)
        usable(doc)
        cipher.check_usage(doc, "SIGN_VERIFY", operation)
        meta = doc["Metadata"]
        if algorithm not in meta.get("SigningAlgorithms", []):
            raise InvalidKeyUsageException(f"Algorithm {algorithm} is incompatible with key spec {meta['KeySpec']}.")
        return doc, self.store.material(ctx.account, ctx.region, meta["KeyId"])[1]

    @staticmethod
    def _digest(algorithm: str, message: bytes, message_type: str | None) -> bool:
        """Whether `message` is a digest (MessageType DIGEST), checking its length against the
        algorithm's hash; a RAW message is at most 4096 bytes (the model's limit)."""
        if message_type in (None, "RAW"):
            if algorithm == "ED25519_PH_SHA_512":
                raise ValidationException("ED25519_PH_SHA_512 requires MessageType DIGEST.")
            return False
        mldsa = algorithm.startswith("ML_DSA")
        if message_type != ("EXTERNAL_MU" if mldsa else "DIGEST") or algorithm == "ED25519_SHA_512":
            raise ValidationException(f"MessageType {message_type} is not supported for {algorithm}.")
        if len(message) != asymmetric.digest_length(algorithm):
            raise ValidationException(f"Digest is invalid length for algorithm {algorithm}.")
        return True

    def sign(self, ctx: RequestContext, key_id: str, message: bytes, signing_algorithm: str,
             message_type: str | None = None, dry_run: bool | None = None, **_: Any) -> dict[str, Any]:
        doc, material = self._signing_key(ctx, key_id, signing_algorithm, "Sign")
        digest = self._digest(signing_algorithm, message, message_type)
        refuse_dry_run(dry_run)
        try:
            signature = asymmetric.sign(material, signing_algorithm, message, digest)
        except asymmetric.CryptoFailure as exc:
            raise UnsupportedOperationException(str(exc)) from None
        return {"KeyId": self._arn(doc), "Signature": signature, "SigningAlgorithm": signing_algorithm}

    def verify(self, ctx: RequestContext, key_id: str, message: bytes, signature: bytes, signing_algorithm: str,
               message_type: str | None = None, dry_run: bool | None = None, **_: Any) -> dict[str, Any]:
        """A signature that does not verify is KMSInvalidSignatureException, not SignatureValid false."""
        doc, material = self._signing_key(ctx, key_id, signing_algorithm, "Verify")
        digest = self._digest(signing_algorithm, message, message_type)
        refuse_dry_run(dry_run)
        try:
            valid = asymmetric.verify(material, signing_algorithm, message, digest, signature)
        except asymmetric.CryptoFailure as exc:
            raise UnsupportedOperationException(str(exc)) from None
        if not valid:
            raise KMSInvalidSignatureException("")
        return {"KeyId": self._arn(doc), "SignatureValid": True, "SigningAlgorithm": signing_algorithm}

    def get_public_key(self, ctx: RequestContext, key_id: str, **_: Any) -> dict[str, Any]:
        doc = self._key(ctx, key_id)
        usable(doc)
        meta = doc["Metadata"]
        if keyspecs.family(meta["KeySpec"]) in ("symmetric", "hmac"):
            raise UnsupportedOperationException(f"{meta['Arn']} key spec {meta['KeySpec']} has no public key.")
        material = self.store.material(ctx.account, ctx.region, meta["KeyId"])[1]
        out = {"KeyId": meta["Arn"], "PublicKey": keyspecs.public_der(material), "KeySpec": meta["KeySpec"],
               "CustomerMasterKeySpec": meta["KeySpec"], "KeyUsage": meta["KeyUsage"]}
        out.update({name: meta[name] for name in ALGORITHM_LISTS if name in meta})
        return out

    def _mac_key(self, ctx: RequestContext, key_id: str, algorithm: str, operation: str) -> tuple[Doc, bytes]:
        doc = self._key(ctx, key_id)
        usable(doc)
        cipher.check_usage(doc, "GENERATE_VERIFY_MAC", operation)
        meta = doc["Metadata"]
        if algorithm not in meta.get("MacAlgorithms", []):
            raise InvalidKeyUsageException(f"Algorithm {algorithm} is incompatible with key spec {meta['KeySpec']}.")
        return doc, self.store.material(ctx.account, ctx.region, meta["KeyId"])[1]

    def generate_mac(self, ctx: RequestContext, message: bytes, key_id: str, mac_algorithm: str,
                     dry_run: bool | None = None, **_: Any) -> dict[str, Any]:
        doc, material = self._mac_key(ctx, key_id, mac_algorithm, "GenerateMac")
        refuse_dry_run(dry_run)
        return {"Mac": asymmetric.mac(material, mac_algorithm, message), "MacAlgorithm": mac_algorithm,
                "KeyId": self._arn(doc)}

    def verify_mac(self, ctx: RequestContext, message: bytes, key_id: str, mac_algorithm: str, mac: bytes,
                   dry_run: bool | None = None, **_: Any) -> dict[str, Any]:
        doc, material = self._mac_key(ctx, key_id, mac_algorithm, "VerifyMac")
        refuse_dry_run(dry_run)
        if not hmac.compare_digest(asymmetric.mac(material, mac_algorithm, message), mac):
            raise KMSInvalidMacException("")
        return {"KeyId": self._arn(doc), "MacValid": True, "MacAlgorithm": mac_algorithm}

    def derive_shared_secret(self, ctx: RequestContext, key_id: str, key_agreement_algorithm: str, public_key: bytes,
                             dry_run: bool | None = None, **_: Any) -> dict[str, Any]:
        """ECDH between a KEY_AGREEMENT key's private half and the peer's public key (DER)."""
        doc = self._key(ctx, key_id)
        usable(doc)
        cipher.check_usage(doc, "KEY_AGREEMENT", "DeriveSharedSecret")
        if key_agreement_algorithm != "ECDH":
            raise InvalidKeyUsageException(f"Algorithm {key_agreement_algorithm} is not supported.")
        refuse_dry_run(dry_run)
        material = self.store.material(ctx.account, ctx.region, doc["Metadata"]["KeyId"])[1]
        try:
            secret = asymmetric.derive_shared_secret(material, public_key)
        except asymmetric.CryptoFailure as exc:
            raise ValidationException(f"PublicKey is not valid: {exc}") from None
        return {"KeyId": doc["Metadata"]["KeyId"], "SharedSecret": secret, "KeyAgreementAlgorithm": "ECDH",
                "KeyOrigin": doc["Metadata"]["Origin"]}

    def generate_data_key_pair(self, ctx: RequestContext, key_id: str, key_pair_spec: str,
                               encryption_context: dict[str, str] | None = None, dry_run: bool | None = None,
                               **_: Any) -> dict[str, Any]:
        """A fresh key pair; the private key (PKCS #8 DER) also encrypted under a symmetric KMS key."""
        doc = self._key(ctx, key_id)
        usable(doc)
        cipher.check_usage(doc, "ENCRYPT_DECRYPT", "GenerateDataKeyPair")
        if not cipher.symmetric(doc):
            raise InvalidKeyUsageException(f"{self._arn(doc)} is not a symmetric encryption key.")
        if keyspecs.family(key_pair_spec) in ("", "symmetric", "hmac"):
            raise UnsupportedOperationException(f"KeyPairSpec {key_pair_spec} is not supported in this region.")
        refuse_dry_run(dry_run)
        private = keyspecs.new_material(key_pair_spec)
        sealed = cipher.encrypt(self.store, ctx.account, ctx.region, doc, private, encryption_context)
        return {"PrivateKeyCiphertextBlob": sealed, "PrivateKeyPlaintext": private,
                "PublicKey": keyspecs.public_der(private), "KeyId": self._arn(doc), "KeyPairSpec": key_pair_spec,
                "KeyMaterialId": doc["Metadata"].get("CurrentKeyMaterialId")}

    def generate_data_key_pair_without_plaintext(self, ctx: RequestContext, key_id: str, key_pair_spec: str,
                                                 **kwargs: Any) -> dict[str, Any]:
        out = self.generate_data_key_pair(ctx, key_id, key_pair_spec, **kwargs)
        del out["PrivateKeyPlaintext"]
        return out
