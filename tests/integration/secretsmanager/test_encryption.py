"""Values are encrypted with the secret's KMS key (or aws/secretsmanager) with the encryption
context AWS binds; a disabled key fails writes with EncryptionFailure and reads with DecryptionFailure."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from botocore.exceptions import ClientError


def _error(call, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]


def test_values_are_sealed_with_kms(overcast_server):
    sm = overcast_server.client("secretsmanager")
    name = f"enc-{uuid.uuid4().hex[:8]}"
    marker = f"plain-text-{uuid.uuid4().hex}"
    arn = sm.create_secret(Name=name, SecretString=marker)["ARN"]
    assert sm.get_secret_value(SecretId=name)["SecretString"] == marker
    database = next((overcast_server.data_dir / "state").glob("*.db"))
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        stored, key = db.execute("SELECT value, sealed_with FROM secretsmanager_versions WHERE arn=?", (arn,)).fetchone()
    assert marker.encode() not in bytes(stored)
    aliases = overcast_server.client("kms").list_aliases()["Aliases"]
    managed = next(a for a in aliases if a["AliasName"] == "alias/aws/secretsmanager")
    assert key.endswith(f":key/{managed['TargetKeyId']}")


def test_customer_key_disabled_fails_reads_and_writes(overcast_server):
    sm, kms = overcast_server.client("secretsmanager"), overcast_server.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    name = f"enc-{uuid.uuid4().hex[:8]}"
    sm.create_secret(Name=name, SecretString="v1", KmsKeyId=key)
    assert sm.describe_secret(SecretId=name)["KmsKeyId"] == key
    kms.disable_key(KeyId=key)
    assert _error(sm.get_secret_value, SecretId=name)["Code"] == "DecryptionFailure"
    assert _error(sm.put_secret_value, SecretId=name, SecretString="v2")["Code"] == "EncryptionFailure"
    assert _error(sm.create_secret, Name=f"{name}-b", SecretString="x", KmsKeyId=key)["Code"] == "EncryptionFailure"
    kms.enable_key(KeyId=key)
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "v1"
