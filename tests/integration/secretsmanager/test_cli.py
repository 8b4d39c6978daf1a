"""The AWS CLI against overcast's Secrets Manager: each operation family once."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid


def test_aws_cli(overcast_server):
    env = overcast_server.aws_cli_env()

    def aws(*args: str, fail: bool = False) -> dict:
        out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", overcast_server.url,
                              "secretsmanager", *args], env=env, capture_output=True, text=True, timeout=60)
        if fail:
            assert out.returncode != 0
            return {"stderr": out.stderr}
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if out.stdout.strip() else {}

    name = f"cli-{uuid.uuid4().hex[:8]}"
    arn = aws("create-secret", "--name", name, "--secret-string", '{"user":"app"}',
              "--tags", "Key=team,Value=core")["ARN"]
    assert aws("get-secret-value", "--secret-id", name)["SecretString"] == '{"user":"app"}'
    version = aws("put-secret-value", "--secret-id", arn, "--secret-string", "v2")["VersionId"]
    stages = aws("list-secret-version-ids", "--secret-id", name)["Versions"]
    assert {v["VersionId"]: v["VersionStages"] for v in stages}[version] == ["AWSCURRENT"]
    listed = aws("list-secrets", "--filters", f"Key=name,Values={name}")["SecretList"]
    assert [s["Name"] for s in listed] == [name]
    assert len(aws("get-random-password", "--password-length", "12")["RandomPassword"]) == 12
    aws("put-resource-policy", "--secret-id", name, "--resource-policy",
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},'
        '"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}')
    assert "ResourcePolicy" in aws("get-resource-policy", "--secret-id", name)
    aws("delete-secret", "--secret-id", name, "--recovery-window-in-days", "7")
    assert "InvalidRequestException" in aws("get-secret-value", "--secret-id", name, fail=True)["stderr"]
    aws("restore-secret", "--secret-id", name)
    aws("delete-secret", "--secret-id", name, "--force-delete-without-recovery")
    assert "ResourceNotFoundException" in aws("describe-secret", "--secret-id", name, fail=True)["stderr"]
