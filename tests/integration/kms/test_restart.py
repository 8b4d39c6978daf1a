"""Keys are durable: after a restart a key, its alias and its material are still there, and a
ciphertext made before the restart decrypts."""

from __future__ import annotations

from overcast.testing import OvercastServer


def test_keys_and_ciphertexts_survive_a_restart():
    with OvercastServer() as server:
        kms = server.client("kms")
        key = kms.create_key(Description="durable")["KeyMetadata"]
        kms.create_alias(AliasName="alias/durable", TargetKeyId=key["KeyId"])
        blob = kms.encrypt(KeyId="alias/durable", Plaintext=b"kept", EncryptionContext={"k": "v"})["CiphertextBlob"]
        managed = kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]["KeyId"]
        port = server.port
        server.kill()
        server.port = port
        server.start()
        kms = server.client("kms")
        assert kms.describe_key(KeyId="alias/durable")["KeyMetadata"]["Description"] == "durable"
        out = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"k": "v"})
        assert (out["Plaintext"], out["KeyId"]) == (b"kept", key["Arn"])
        assert kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]["KeyId"] == managed
