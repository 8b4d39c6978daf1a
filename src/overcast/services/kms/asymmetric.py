"""Asymmetric and HMAC cryptography with `cryptography`: RSA OAEP encryption, signatures (RSA PSS and
PKCS #1 v1.5, ECDSA, Ed25519) over a message or its digest, HMACs, and ECDH.

The algorithms are AWS's (https://docs.aws.amazon.com/kms/latest/developerguide/asymmetric-key-specs.html):
PSS uses MGF1 with the message digest and a salt as long as the digest; ECDSA signatures are DER
encoded; RSA ciphertexts are raw OAEP output (they name no key, so Decrypt needs the KeyId).
"""

from __future__ import annotations

import hmac as std_hmac
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from overcast.services.kms import keyspecs

HASHES: dict[str, type[hashes.HashAlgorithm]] = {"SHA_1": hashes.SHA1, "SHA_224": hashes.SHA224,
                                                 "SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384,
                                                 "SHA_512": hashes.SHA512}


class CryptoFailure(Exception):
    """The operation cannot be done with these inputs (bad ciphertext, plaintext too long...)."""


def _hash(algorithm: str) -> hashes.HashAlgorithm:
    """The digest an algorithm name ends with (RSAES_OAEP_SHA_256 → SHA-256)."""
    return HASHES["SHA_" + algorithm.rsplit("_", 1)[1]]()


def oaep(algorithm: str) -> padding.OAEP:
    digest = _hash(algorithm)
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def rsa_encrypt(material: bytes, algorithm: str, plaintext: bytes) -> bytes:
    key: Any = keyspecs.private_key(material)
    try:
        return bytes(key.public_key().encrypt(plaintext, oaep(algorithm)))
    except ValueError as exc:
        raise CryptoFailure(str(exc)) from None


def rsa_decrypt(material: bytes, algorithm: str, ciphertext: bytes) -> bytes:
    key: Any = keyspecs.private_key(material)
    try:
        return bytes(key.decrypt(ciphertext, oaep(algorithm)))
    except ValueError as exc:
        raise CryptoFailure(str(exc)) from None


def digest_length(algorithm: str) -> int:
    """The length of a DIGEST message for this algorithm (ML-DSA's external mu is 64 bytes)."""
    return 64 if algorithm.startswith("ML_DSA") else _hash(algorithm).digest_size


def _mldsa(key: Any) -> bool:
    """An ML-DSA private or public key (never, with a cryptography too old to have ML-DSA)."""
    return isinstance(key, keyspecs.MLDSA_TYPES)


def sign(material: bytes, algorithm: str, message: bytes, digest: bool) -> bytes:
    """Sign a message, or (`digest`) a digest already computed with the algorithm's hash (for
    ML-DSA: the 64-byte external mu)."""
    key: Any = keyspecs.private_key(material)
    if algorithm == "ED25519_PH_SHA_512":
        raise CryptoFailure("ED25519_PH_SHA_512 (HashEdDSA) is not supported by overcast; use ED25519_SHA_512")
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    if _mldsa(key):
        return bytes(key.sign_mu(message) if digest else key.sign(message))
    chosen = _hash(algorithm)
    prehashed: Any = utils.Prehashed(chosen) if digest else chosen
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(message, _rsa_padding(algorithm, chosen), prehashed)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(message, ec.ECDSA(prehashed))
    raise CryptoFailure("not a signing key")


def verify(material: bytes, algorithm: str, message: bytes, digest: bool, signature: bytes) -> bool:
    public: Any = keyspecs.private_key(material).public_key()
    if algorithm == "ED25519_PH_SHA_512":
        raise CryptoFailure("ED25519_PH_SHA_512 (HashEdDSA) is not supported by overcast; use ED25519_SHA_512")
    try:
        if isinstance(public, ed25519.Ed25519PublicKey) and algorithm == "ED25519_SHA_512":
            public.verify(signature, message)
            return True
        if _mldsa(public):
            public.verify_mu(signature, message) if digest else public.verify(signature, message)
            return True
        chosen = _hash(algorithm)
        prehashed: Any = utils.Prehashed(chosen) if digest else chosen
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, message, _rsa_padding(algorithm, chosen), prehashed)
        else:
            public.verify(signature, message, ec.ECDSA(prehashed))
        return True
    except (InvalidSignature, ValueError):
        return False


def _rsa_padding(algorithm: str, chosen: hashes.HashAlgorithm) -> padding.AsymmetricPadding:
    if algorithm.startswith("RSASSA_PSS"):
        return padding.PSS(mgf=padding.MGF1(chosen), salt_length=chosen.digest_size)
    return padding.PKCS1v15()


def mac(material: bytes, algorithm: str, message: bytes) -> bytes:
    """HMAC_SHA_* of a message under an HMAC key's material."""
    return std_hmac.new(material, message, _hash(algorithm).name).digest()


def derive_shared_secret(material: bytes, peer_public_der: bytes) -> bytes:
    """ECDH: the raw shared secret of this key's private half and the peer's public key."""
    private: Any = keyspecs.private_key(material)
    try:
        peer = serialization.load_der_public_key(peer_public_der)
    except ValueError as exc:
        raise CryptoFailure(str(exc)) from None
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != private.curve.name:
        raise CryptoFailure("the public key is not on this key's curve")
    return bytes(private.exchange(ec.ECDH(), peer))
