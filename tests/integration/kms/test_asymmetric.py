"""Asymmetric and HMAC keys through boto3, with round-trips that prove the cryptography: a signature
verifies with `cryptography` against GetPublicKey's key, RSA OAEP ciphertexts made locally with the
public key decrypt in KMS, an HMAC matches one computed locally, ECDH agrees with a local peer, and a
data key pair's private key matches its public key."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, utils

RSA_SIGNING = ["RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
               "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"]
HASHES: dict[str, Any] = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512, "1": hashes.SHA1}


@pytest.fixture
def kms(overcast_server):
    return overcast_server.client("kms")


def _error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]


def _public(kms, key_id) -> Any:
    return serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])


def _local_verify(public, algorithm: str, signature: bytes, message: bytes, digest: bool = False) -> None:
    chosen = HASHES[algorithm.rsplit("_", 1)[1]]()
    prehashed = utils.Prehashed(chosen) if digest else chosen
    if algorithm.startswith("RSASSA_PSS"):
        public.verify(signature, message, padding.PSS(mgf=padding.MGF1(chosen), salt_length=chosen.digest_size),
                      prehashed)
    elif algorithm.startswith("RSASSA_PKCS1"):
        public.verify(signature, message, padding.PKCS1v15(), prehashed)
    else:
        public.verify(signature, message, ec.ECDSA(prehashed))


@pytest.mark.parametrize("spec", ["RSA_2048", "RSA_3072"])
def test_rsa_signatures_verify_locally_with_every_algorithm(kms, spec):
    meta = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert meta["SigningAlgorithms"] == RSA_SIGNING and "EncryptionAlgorithms" not in meta
    public = _public(kms, meta["KeyId"])
    for algorithm in RSA_SIGNING:
        signed = kms.sign(KeyId=meta["KeyId"], Message=b"message", SigningAlgorithm=algorithm)
        assert (signed["KeyId"], signed["SigningAlgorithm"]) == (meta["Arn"], algorithm)
        _local_verify(public, algorithm, signed["Signature"], b"message")
        assert kms.verify(KeyId=meta["KeyId"], Message=b"message", Signature=signed["Signature"],
                          SigningAlgorithm=algorithm)["SignatureValid"] is True
        err = _error(kms.verify, KeyId=meta["KeyId"], Message=b"other", Signature=signed["Signature"],
                     SigningAlgorithm=algorithm)
        assert err["Code"] == "KMSInvalidSignatureException"


@pytest.mark.parametrize(("spec", "algorithm"), [("ECC_NIST_P256", "ECDSA_SHA_256"), ("ECC_NIST_P384", "ECDSA_SHA_384"),
                                                 ("ECC_NIST_P521", "ECDSA_SHA_512"),
                                                 ("ECC_SECG_P256K1", "ECDSA_SHA_256")])
def test_ecdsa_signatures_over_messages_and_digests(kms, spec, algorithm):
    meta = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert meta["SigningAlgorithms"] == [algorithm]
    public = _public(kms, meta["KeyId"])
    signed = kms.sign(KeyId=meta["KeyId"], Message=b"raw message", SigningAlgorithm=algorithm)["Signature"]
    _local_verify(public, algorithm, signed, b"raw message")
    digest = hashlib.new("sha" + algorithm.rsplit("_", 1)[1], b"big document").digest()
    signed = kms.sign(KeyId=meta["KeyId"], Message=digest, MessageType="DIGEST", SigningAlgorithm=algorithm)
    _local_verify(public, algorithm, signed["Signature"], digest, digest=True)
    # a digest signature verifies as the signature of the message it digests
    _local_verify(public, algorithm, signed["Signature"], b"big document")
    err = _error(kms.sign, KeyId=meta["KeyId"], Message=b"short", MessageType="DIGEST", SigningAlgorithm=algorithm)
    assert err["Code"] == "ValidationException"
    assert _error(kms.sign, KeyId=meta["KeyId"], Message=b"m",
                  SigningAlgorithm="RSASSA_PSS_SHA_256")["Code"] == "InvalidKeyUsageException"


def test_ed25519_and_ml_dsa_signatures(kms):
    meta = kms.create_key(KeySpec="ECC_NIST_EDWARDS25519", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    signed = kms.sign(KeyId=meta["KeyId"], Message=b"edwards", SigningAlgorithm="ED25519_SHA_512")["Signature"]
    public = _public(kms, meta["KeyId"])
    assert isinstance(public, ed25519.Ed25519PublicKey)
    public.verify(signed, b"edwards")
    mldsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.mldsa")  # cryptography 47+
    meta = kms.create_key(KeySpec="ML_DSA_65", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert meta["SigningAlgorithms"] == ["ML_DSA_SHAKE_256"]
    signed = kms.sign(KeyId=meta["KeyId"], Message=b"post-quantum", SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"]
    public = _public(kms, meta["KeyId"])
    assert isinstance(public, mldsa.MLDSA65PublicKey)
    public.verify(signed, b"post-quantum")


def test_rsa_oaep_encryption_round_trips(kms):
    meta = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    assert meta["EncryptionAlgorithms"] == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
    public = _public(kms, meta["KeyId"])
    for algorithm in meta["EncryptionAlgorithms"]:
        chosen = HASHES[algorithm.rsplit("_", 1)[1]]()
        local = public.encrypt(b"to kms", padding.OAEP(mgf=padding.MGF1(chosen), algorithm=chosen, label=None))
        back = kms.decrypt(CiphertextBlob=local, KeyId=meta["KeyId"], EncryptionAlgorithm=algorithm)
        assert (back["Plaintext"], back["EncryptionAlgorithm"]) == (b"to kms", algorithm)
        sealed = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"both ways", EncryptionAlgorithm=algorithm)
        assert kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"], KeyId=meta["KeyId"],
                           EncryptionAlgorithm=algorithm)["Plaintext"] == b"both ways"
    assert _error(kms.encrypt, KeyId=meta["KeyId"], Plaintext=b"x")["Code"] == "ValidationException"
    assert _error(kms.generate_data_key, KeyId=meta["KeyId"], KeySpec="AES_256")["Code"] == \
        "InvalidKeyUsageException"
    sign_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    assert _error(kms.encrypt, KeyId=sign_key, Plaintext=b"x",
                  EncryptionAlgorithm="RSAES_OAEP_SHA_1")["Code"] == "InvalidKeyUsageException"


@pytest.mark.parametrize(("spec", "algorithm", "digest"), [("HMAC_224", "HMAC_SHA_224", "sha224"),
                                                           ("HMAC_256", "HMAC_SHA_256", "sha256"),
                                                           ("HMAC_384", "HMAC_SHA_384", "sha384"),
                                                           ("HMAC_512", "HMAC_SHA_512", "sha512")])
def test_hmac_keys(kms, spec, algorithm, digest):
    meta = kms.create_key(KeySpec=spec, KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    assert meta["MacAlgorithms"] == [algorithm]
    mac = kms.generate_mac(KeyId=meta["KeyId"], Message=b"payload", MacAlgorithm=algorithm)
    assert (mac["KeyId"], mac["MacAlgorithm"], len(mac["Mac"])) == (meta["Arn"], algorithm,
                                                                     hashlib.new(digest).digest_size)
    assert kms.verify_mac(KeyId=meta["KeyId"], Message=b"payload", MacAlgorithm=algorithm,
                          Mac=mac["Mac"])["MacValid"] is True
    assert _error(kms.verify_mac, KeyId=meta["KeyId"], Message=b"payload!", MacAlgorithm=algorithm,
                  Mac=mac["Mac"])["Code"] == "KMSInvalidMacException"
    assert _error(kms.encrypt, KeyId=meta["KeyId"], Plaintext=b"x")["Code"] == "InvalidKeyUsageException"
    assert _error(kms.get_public_key, KeyId=meta["KeyId"])["Code"] == "UnsupportedOperationException"


def test_an_hmac_matches_one_computed_with_imported_material(kms):
    material = bytes(range(32))
    meta = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC", Origin="EXTERNAL")["KeyMetadata"]
    assert meta["KeyState"] == "PendingImport"
    params = kms.get_parameters_for_import(KeyId=meta["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
    wrapping: Any = serialization.load_der_public_key(params["PublicKey"])
    wrapped = wrapping.encrypt(material, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(),
                                                      label=None))
    kms.import_key_material(KeyId=meta["KeyId"], ImportToken=params["ImportToken"], EncryptedKeyMaterial=wrapped,
                            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    mac = kms.generate_mac(KeyId=meta["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(material, b"m", hashlib.sha256).digest()
    kms.delete_imported_key_material(KeyId=meta["KeyId"])
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    assert _error(kms.generate_mac, KeyId=meta["KeyId"], Message=b"m",
                  MacAlgorithm="HMAC_SHA_256")["Code"] == "KMSInvalidStateException"


def test_ecdh_agrees_with_a_local_peer(kms):
    meta = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
    assert meta["KeyAgreementAlgorithms"] == ["ECDH"]
    peer = ec.generate_private_key(ec.SECP256R1())
    peer_public = peer.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    derived = kms.derive_shared_secret(KeyId=meta["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=peer_public)
    assert (derived["KeyId"], derived["KeyOrigin"]) == (meta["KeyId"], "AWS_KMS")
    assert derived["SharedSecret"] == peer.exchange(ec.ECDH(), _public(kms, meta["KeyId"]))


def test_data_key_pairs(kms):
    key = kms.create_key()["KeyMetadata"]
    pair = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256",
                                      EncryptionContext={"pair": "1"})
    private = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], password=None)
    assert private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo) == pair["PublicKey"]
    assert kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"],
                       EncryptionContext={"pair": "1"})["Plaintext"] == pair["PrivateKeyPlaintext"]
    hidden = kms.generate_data_key_pair_without_plaintext(KeyId=key["KeyId"], KeyPairSpec="RSA_2048")
    assert "PrivateKeyPlaintext" not in hidden and hidden["KeyPairSpec"] == "RSA_2048"
    assert hidden["KeyId"] == key["Arn"] and hidden["KeyMaterialId"] == key["CurrentKeyMaterialId"]
