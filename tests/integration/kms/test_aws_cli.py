"""KMS through the AWS CLI: a signing key made, named and described, a signature made by `aws kms sign`
verified locally against `aws kms get-public-key`'s key, and a data key generated."""

from __future__ import annotations

import base64
import json
import subprocess
import uuid
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def test_sign_with_the_cli_and_verify_locally(overcast_server, tmp_path):
    env = overcast_server.aws_cli_env()

    def cli(*args: str) -> Any:
        done = subprocess.run(["aws", "kms", *args, "--output", "json"], env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    key = cli("create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY",
              "--description", "cli")["KeyMetadata"]
    alias = f"alias/cli-{uuid.uuid4().hex[:8]}"
    cli("create-alias", "--alias-name", alias, "--target-key-id", key["KeyId"])
    assert cli("describe-key", "--key-id", alias)["KeyMetadata"]["Description"] == "cli"
    assert [a["AliasName"] for a in cli("list-aliases", "--key-id", key["KeyId"])["Aliases"]] == [alias]
    (tmp_path / "message").write_bytes(b"signed on the command line")
    signed = cli("sign", "--key-id", alias, "--message", f"fileb://{tmp_path / 'message'}", "--message-type", "RAW",
                 "--signing-algorithm", "ECDSA_SHA_256")
    public: Any = serialization.load_der_public_key(
        base64.b64decode(cli("get-public-key", "--key-id", key["KeyId"])["PublicKey"]))
    public.verify(base64.b64decode(signed["Signature"]), b"signed on the command line", ec.ECDSA(hashes.SHA256()))
    symmetric = cli("create-key")["KeyMetadata"]["KeyId"]
    data_key = cli("generate-data-key", "--key-id", symmetric, "--key-spec", "AES_256")
    assert len(base64.b64decode(data_key["Plaintext"])) == 32 and data_key["KeyId"].endswith(symmetric)
