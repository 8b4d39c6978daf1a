"""Key specs: the key usages each allows, the algorithms KeyMetadata lists for it, and its key material.

https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html. Material is
kept as bytes: 32 random bytes for SYMMETRIC_DEFAULT, the key's own length for HMAC keys, and a
PKCS#8 DER private key for asymmetric keys.
"""

from __future__ import annotations

import os
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

try:  # ML-DSA keys need cryptography 47 or newer (and external mu, sign_mu, a newer one still)
    from cryptography.hazmat.primitives.asymmetric import mldsa

    MLDSA: dict[str, Any] = {"ML_DSA_44": mldsa.MLDSA44PrivateKey, "ML_DSA_65": mldsa.MLDSA65PrivateKey,
                             "ML_DSA_87": mldsa.MLDSA87PrivateKey}
    MLDSA_TYPES: tuple[type, ...] = (mldsa.MLDSA44PrivateKey, mldsa.MLDSA65PrivateKey, mldsa.MLDSA87PrivateKey,
                                     mldsa.MLDSA44PublicKey, mldsa.MLDSA65PublicKey, mldsa.MLDSA87PublicKey)
except ImportError:  # pragma: no cover - an older cryptography: ML-DSA key specs are unsupported
    MLDSA, MLDSA_TYPES = {}, ()

SYMMETRIC = "SYMMETRIC_DEFAULT"
RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
CURVES: dict[str, type[ec.EllipticCurve]] = {
    "ECC_NIST_P256": ec.SECP256R1, "ECC_NIST_P384": ec.SECP384R1, "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1,
}
EDWARDS = "ECC_NIST_EDWARDS25519"
HMAC_BYTES = {"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}

RSA_SIGNING = ["RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
               "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"]
RSA_ENCRYPTION = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
ECDSA = {"ECC_NIST_P256": "ECDSA_SHA_256", "ECC_NIST_P384": "ECDSA_SHA_384", "ECC_NIST_P521": "ECDSA_SHA_512",
         "ECC_SECG_P256K1": "ECDSA_SHA_256"}

#: the key usages each family of key specs accepts, the first one being CreateKey's default
USAGES = {"symmetric": ["ENCRYPT_DECRYPT"], "rsa": ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
          "ecc": ["SIGN_VERIFY", "KEY_AGREEMENT"], "secp256k1": ["SIGN_VERIFY"], "edwards": ["SIGN_VERIFY"],
          "hmac": ["GENERATE_VERIFY_MAC"], "mldsa": ["SIGN_VERIFY"]}


def family(spec: str) -> str:
    if spec == SYMMETRIC:
        return "symmetric"
    if spec in RSA_BITS:
        return "rsa"
    if spec == "ECC_SECG_P256K1":
        return "secp256k1"
    if spec in CURVES:
        return "ecc"
    if spec == EDWARDS:
        return "edwards"
    if spec in HMAC_BYTES:
        return "hmac"
    if spec in MLDSA:
        return "mldsa"
    return ""


def supported(spec: str) -> bool:
    return family(spec) != ""


def algorithms(spec: str, usage: str) -> dict[str, Any]:
    """KeyMetadata's algorithm lists for a key of this spec and usage."""
    kind = family(spec)
    if kind == "symmetric":
        return {"EncryptionAlgorithms": [SYMMETRIC]}
    if kind == "hmac":
        return {"MacAlgorithms": [f"HMAC_SHA_{spec.split('_')[1]}"]}
    if usage == "KEY_AGREEMENT":
        return {"KeyAgreementAlgorithms": ["ECDH"]}
    if kind == "rsa":
        return ({"EncryptionAlgorithms": list(RSA_ENCRYPTION)} if usage == "ENCRYPT_DECRYPT"
                else {"SigningAlgorithms": list(RSA_SIGNING)})
    if kind == "edwards":
        return {"SigningAlgorithms": ["ED25519_SHA_512", "ED25519_PH_SHA_512"]}
    if kind == "mldsa":
        return {"SigningAlgorithms": ["ML_DSA_SHAKE_256"]}
    return {"SigningAlgorithms": [ECDSA[spec]]}


def new_material(spec: str) -> bytes:
    """Fresh key material for a key of this spec."""
    kind = family(spec)
    if kind == "symmetric":
        return os.urandom(32)
    if kind == "hmac":
        return os.urandom(HMAC_BYTES[spec])
    private: Any
    if kind == "rsa":
        private = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS[spec])
    elif kind == "edwards":
        private = ed25519.Ed25519PrivateKey.generate()
    elif kind == "mldsa":
        private = MLDSA[spec].generate()
    else:
        private = ec.generate_private_key(CURVES[spec]())
    return private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())


def private_key(material: bytes) -> Any:
    return serialization.load_der_private_key(material, password=None)


def public_der(material: bytes) -> bytes:
    """The DER SubjectPublicKeyInfo of an asymmetric key, as GetPublicKey returns it."""
    return private_key(material).public_key().public_bytes(serialization.Encoding.DER,
                                                           serialization.PublicFormat.SubjectPublicKeyInfo)
