"""Symmetric encryption through boto3 and the AWS CLI: round-trips that prove the cryptography (a
ciphertext decrypts only under its own key and context; a data key decrypts what it encrypted),
ReEncrypt, GenerateRandom, and AWS's errors."""

from __future__ import annotations

import base64
import json
import os
import subprocess

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


@pytest.fixture
def kms(overcast_server):
    return overcast_server.client("kms")


def _error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]


def test_a_ciphertext_decrypts_only_with_the_same_context(kms):
    key = kms.create_key()["KeyMetadata"]
    context = {"purpose": "test", "tenant": "a"}
    out = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"hello", EncryptionContext=context)
    assert (out["KeyId"], out["EncryptionAlgorithm"]) == (key["Arn"], "SYMMETRIC_DEFAULT")
    assert b"hello" not in out["CiphertextBlob"]
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext=dict(reversed(context.items())))
    assert (back["Plaintext"], back["KeyId"], back["EncryptionAlgorithm"]) == (b"hello", key["Arn"],
                                                                               "SYMMETRIC_DEFAULT")
    assert back["KeyMaterialId"] == key["CurrentKeyMaterialId"]
    for wrong in ({"purpose": "test"}, {"purpose": "test", "tenant": "b"}, None):
        kwargs = {"EncryptionContext": wrong} if wrong is not None else {}
        assert _error(kms.decrypt, CiphertextBlob=out["CiphertextBlob"], **kwargs)["Code"] == \
            "InvalidCiphertextException"


def test_decrypt_with_another_key_id_is_incorrect_key(kms):
    first = kms.create_key()["KeyMetadata"]["KeyId"]
    second = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=first, Plaintext=b"x")["CiphertextBlob"]
    assert _error(kms.decrypt, CiphertextBlob=blob, KeyId=second)["Code"] == "IncorrectKeyException"
    assert kms.decrypt(CiphertextBlob=blob, KeyId=first)["Plaintext"] == b"x"
    assert _error(kms.decrypt, CiphertextBlob=os.urandom(80))["Code"] == "InvalidCiphertextException"


def test_a_data_key_decrypts_what_it_encrypted(kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    data_key = kms.generate_data_key(KeyId=key, KeySpec="AES_256", EncryptionContext={"file": "f1"})
    assert len(data_key["Plaintext"]) == 32
    nonce = os.urandom(12)
    sealed = AESGCM(data_key["Plaintext"]).encrypt(nonce, b"a large document", None)
    # later: only the encrypted data key is kept; KMS gives the plaintext key back
    recovered = kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"], EncryptionContext={"file": "f1"})
    assert AESGCM(recovered["Plaintext"]).decrypt(nonce, sealed, None) == b"a large document"
    assert len(kms.generate_data_key(KeyId=key, NumberOfBytes=64)["Plaintext"]) == 64
    assert len(kms.generate_data_key(KeyId=key, KeySpec="AES_128")["Plaintext"]) == 16
    hidden = kms.generate_data_key_without_plaintext(KeyId=key, KeySpec="AES_256")
    assert "Plaintext" not in hidden
    assert len(kms.decrypt(CiphertextBlob=hidden["CiphertextBlob"])["Plaintext"]) == 32
    err = _error(kms.generate_data_key, KeyId=key)
    assert err == {"Code": "ValidationException", "Message": "Please specify either number of bytes or key spec."}
    err = _error(kms.generate_data_key, KeyId=key, KeySpec="AES_256", NumberOfBytes=32)
    assert err["Code"] == "ValidationException"


def test_reencrypt_moves_a_ciphertext_to_another_key(kms):
    source = kms.create_key()["KeyMetadata"]
    target = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=source["KeyId"], Plaintext=b"moving", EncryptionContext={"a": "1"})["CiphertextBlob"]
    moved = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"a": "1"},
                           DestinationKeyId=target["KeyId"], DestinationEncryptionContext={"b": "2"})
    assert (moved["SourceKeyId"], moved["KeyId"]) == (source["Arn"], target["Arn"])
    back = kms.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext={"b": "2"})
    assert (back["Plaintext"], back["KeyId"]) == (b"moving", target["Arn"])
    assert _error(kms.re_encrypt, CiphertextBlob=blob, DestinationKeyId=target["KeyId"])["Code"] == \
        "InvalidCiphertextException"


def test_generate_random(kms):
    first = kms.generate_random(NumberOfBytes=32)["Plaintext"]
    assert len(first) == 32 and first != kms.generate_random(NumberOfBytes=32)["Plaintext"]
    assert _error(kms.generate_random, NumberOfBytes=1025)["Code"] == "ValidationException"


def test_dry_run_answers_its_exception(kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    assert _error(kms.encrypt, KeyId=key, Plaintext=b"x", DryRun=True)["Code"] == "DryRunOperationException"


def test_aws_cli_encrypt_and_decrypt(overcast_server, kms, tmp_path):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    env = overcast_server.aws_cli_env()

    def cli(*args: str) -> dict:
        done = subprocess.run(["aws", "kms", *args, "--output", "json"], env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    (tmp_path / "plain").write_bytes(b"from the cli")
    encrypted = cli("encrypt", "--key-id", key, "--plaintext", f"fileb://{tmp_path / 'plain'}",
                    "--encryption-context", "app=cli")
    (tmp_path / "sealed").write_bytes(base64.b64decode(encrypted["CiphertextBlob"]))
    decrypted = cli("decrypt", "--ciphertext-blob", f"fileb://{tmp_path / 'sealed'}", "--encryption-context",
                    "app=cli")
    assert base64.b64decode(decrypted["Plaintext"]) == b"from the cli"
    assert decrypted["KeyId"].endswith(key)


def test_plaintext_limits_are_worded_as_aws_does(overcast_server, kms):
    """AWS never echoes a sensitive blob in a constraint message (recorded against AWS)."""
    unchecked = overcast_server.client("kms", validate=False)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    assert _error(unchecked.encrypt, KeyId=key, Plaintext=b"") == {
        "Code": "ValidationException", "Message": "1 validation error detected: Value at 'plaintext' failed to "
                                                  "satisfy constraint: Member must have length greater than or equal to 1"}
    assert _error(unchecked.encrypt, KeyId=key, Plaintext=b"x" * 4097)["Message"] == (
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length "
        "less than or equal to 4096")
