"""The platform foundation, end to end: start-up, routing, errors, admin routes, persistence."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import botocore.exceptions
import pytest

from overcast.testing import OvercastServer, free_port


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_sts_get_caller_identity_with_boto3(overcast_server):
    identity = overcast_server.client("sts").get_caller_identity()
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"


def test_account_comes_from_a_twelve_digit_access_key(overcast_server):
    sts = overcast_server.client("sts", aws_access_key_id="111122223333")
    assert sts.get_caller_identity()["Account"] == "111122223333"


def test_sts_with_the_aws_cli(overcast_server):
    out = subprocess.run(
        [sys.executable, "-m", "awscli", "--endpoint-url", overcast_server.url, "sts", "get-caller-identity"],
        env=overcast_server.aws_cli_env(), capture_output=True, text=True, timeout=60, check=True,
    )
    assert json.loads(out.stdout)["Account"] == "000000000000"


def test_assume_role_answers_dummy_credentials(overcast_server):
    sts = overcast_server.client("sts")
    creds = sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/x", RoleSessionName="session")["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert creds["SessionToken"]


def test_unknown_query_action_is_an_aws_error(overcast_server):
    status, headers, body = _post(
        overcast_server.url + "/",
        b"Action=NoSuchThing&Version=2011-06-15",
        {"Content-Type": "application/x-www-form-urlencoded",
         "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, "
                          "SignedHeaders=host, Signature=x"},
    )
    assert status == 400
    assert b"<Code>InvalidAction</Code>" in body
    assert "x-amzn-RequestId" in headers or "x-amzn-requestid" in {k.lower() for k in headers}


def test_unimplemented_operation_is_a_501(overcast_server):
    sts = overcast_server.client("sts")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sts.decode_authorization_message(EncodedMessage="x")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert info.value.response["Error"]["Code"] == "NotImplemented"


def test_missing_required_parameter_is_a_validation_error(overcast_server):
    status, _, body = _post(
        overcast_server.url + "/",
        b"Action=AssumeRole&Version=2011-06-15&RoleSessionName=s",
        {"Content-Type": "application/x-www-form-urlencoded",
         "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, "
                          "SignedHeaders=host, Signature=x"},
    )
    assert status == 400
    assert b"<Code>ValidationError</Code>" in body
    assert b"roleArn" in body


def test_health_and_reset(overcast_server):
    health = overcast_server.admin("health")
    assert health["status"] == "running"
    assert {"sts", "iam"} <= set(health["services"])
    iam = overcast_server.client("iam")
    iam.create_role(RoleName="reset-me", AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}')
    overcast_server.reset()
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="reset-me")


def test_iam_roles_and_policies_are_stored(overcast_server):
    iam = overcast_server.client("iam")
    doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    role = iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=doc)["Role"]
    assert role["Arn"] == "arn:aws:iam::000000000000:role/lambda-role"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=doc)
    policy = iam.create_policy(PolicyName="p", PolicyDocument='{"Version":"2012-10-17","Statement":[]}')["Policy"]
    iam.attach_role_policy(RoleName="lambda-role", PolicyArn=policy["Arn"])
    iam.attach_role_policy(RoleName="lambda-role",
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    attached = iam.list_attached_role_policies(RoleName="lambda-role")["AttachedPolicies"]
    assert {a["PolicyName"] for a in attached} == {"p", "AWSLambdaBasicExecutionRole"}
    iam.put_role_policy(RoleName="lambda-role", PolicyName="inline", PolicyDocument='{"Statement":[]}')
    assert iam.get_role_policy(RoleName="lambda-role", PolicyName="inline")["PolicyDocument"] == {"Statement": []}
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_role(RoleName="lambda-role")
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.create_role(RoleName="bad", AssumeRolePolicyDocument="not json")


def test_port_in_use_is_refused_with_exit_code_2(overcast_server):
    out = subprocess.run([sys.executable, "-m", "overcast", "up", "--port", str(overcast_server.port)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    assert "already in use" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_unusable_data_dir_is_refused_with_exit_code_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    out = subprocess.run([sys.executable, "-m", "overcast", "up", "--port", str(free_port()),
                          "--data-dir", str(blocker / "sub")], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    assert "data dir" in out.stderr


def test_state_survives_sigkill(tmp_path):
    with OvercastServer(tmp_path) as server:
        iam = server.client("iam")
        iam.create_role(RoleName="durable", AssumeRolePolicyDocument='{"Statement":[]}')
        server.restart(crash=True)
        assert server.client("iam").get_role(RoleName="durable")["Role"]["RoleName"] == "durable"


def test_sigterm_shuts_down_cleanly(tmp_path):
    server = OvercastServer(tmp_path).start()
    assert server.stop() == 0


def test_in_memory_keeps_nothing_on_disk(tmp_path):
    with OvercastServer(tmp_path, in_memory=True) as server:
        server.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument='{"Statement":[]}')
        assert not (tmp_path / "state").exists()


def test_everything_works_after_a_reset(tmp_path):
    from overcast.testing import create_function

    with OvercastServer(tmp_path) as server:
        lam, s3 = server.client("lambda"), server.client("s3")
        create_function(lam, "def handler(e, c):\n    return 1\n", name="before")
        assert lam.invoke(FunctionName="before", Payload=b"{}")["Payload"].read() == b"1"
        s3.create_bucket(Bucket="before-reset")
        server.reset()
        create_function(lam, "def handler(e, c):\n    return 2\n", name="after")
        assert lam.invoke(FunctionName="after", Payload=b"{}")["Payload"].read() == b"2"
        s3.create_bucket(Bucket="after-reset")
        s3.put_object(Bucket="after-reset", Key="k", Body=b"v")
        assert s3.get_object(Bucket="after-reset", Key="k")["Body"].read() == b"v"


def test_assumed_role_credentials_act_in_the_role_account(overcast_server):
    creds = overcast_server.client("sts").assume_role(RoleArn="arn:aws:iam::222233334444:role/deployer",
                                                      RoleSessionName="cdk")["Credentials"]
    sts = overcast_server.client("sts", aws_access_key_id=creds["AccessKeyId"],
                                 aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"])
    assert sts.get_caller_identity()["Account"] == "222233334444"
