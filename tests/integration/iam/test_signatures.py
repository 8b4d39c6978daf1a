"""`--verify-signatures`: requests signed by botocore with wrong secrets, unknown keys, expired or
skewed dates and presigned URLs are refused as AWS refuses them; the default keys keep working."""

from __future__ import annotations

import contextlib
import datetime as dt
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from unittest import mock

import pytest
from botocore.compat import HAS_CRT
from botocore.config import Config

from overcast.testing import OvercastServer
from tests.integration.iam.conftest import refused


@pytest.fixture(scope="module")
def verifying() -> Iterator[OvercastServer]:
    with OvercastServer(env={"OVERCAST_VERIFY_SIGNATURES": "1"}) as server:
        yield server


def _key(server: OvercastServer) -> dict[str, str]:
    iam = server.client("iam")
    name = f"u-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key: dict[str, str] = iam.create_access_key(UserName=name)["AccessKey"]
    assert len(key["SecretAccessKey"]) == 40 and key["AccessKeyId"].startswith("AKIA")
    return key


def test_default_keys_keep_working(verifying):
    assert verifying.client("sqs").create_queue(QueueName="plain")["QueueUrl"]
    assert "Buckets" in verifying.client("s3").list_buckets()
    assert verifying.client("dynamodb", aws_access_key_id="123456789012").list_tables()["TableNames"] == []


def test_a_users_key_signs_with_its_secret(verifying):
    key = _key(verifying)
    sts = verifying.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"].endswith(":user/" + verifying.client("iam").list_access_keys(
        UserName=sts.get_caller_identity()["Arn"].rsplit("/", 1)[1])["AccessKeyMetadata"][0]["UserName"])
    wrong = verifying.client("sqs", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="x" * 40)
    code, message, status = refused(wrong.list_queues)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message == ("The request signature we calculated does not match the signature you provided. Check your "
                       "AWS Secret Access Key and signing method. Consult the service documentation for details.")
    ddb = verifying.client("dynamodb", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="x" * 40)
    assert refused(ddb.list_tables)[0:3:2] == ("InvalidSignatureException", 400)
    s3 = verifying.client("s3", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="x" * 40)
    code, message, status = refused(s3.list_buckets)
    assert (code, status) == ("SignatureDoesNotMatch", 403) and message.endswith("Check your key and signing method.")


def test_the_default_key_with_a_wrong_secret_is_refused(verifying):
    sts = verifying.client("sts", aws_secret_access_key="not-test")
    assert refused(sts.get_caller_identity)[0] == "SignatureDoesNotMatch"


def test_unknown_keys(verifying):
    unknown = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "x" * 40}
    assert refused(verifying.client("sts", **unknown).get_caller_identity) == (
        "InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    assert refused(verifying.client("dynamodb", **unknown).list_tables) == (
        "UnrecognizedClientException", "The security token included in the request is invalid.", 400)
    assert refused(verifying.client("s3", **unknown).list_buckets) == (
        "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403)


def test_role_sessions_sign_with_their_secret(verifying):
    creds = verifying.client("sts").assume_role(RoleArn="arn:aws:iam::000000000000:role/any",
                                                RoleSessionName="sess")["Credentials"]
    good = verifying.client("sqs", aws_access_key_id=creds["AccessKeyId"],
                            aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    assert good.list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200
    bad = verifying.client("sqs", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key="y" * 40,
                           aws_session_token=creds["SessionToken"])
    assert refused(bad.list_queues)[0] == "SignatureDoesNotMatch"
    for token in (None, "another-token"):  # temporary credentials need their own session token
        tokenless = verifying.client("sts", aws_access_key_id=creds["AccessKeyId"],
                                     aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=token)
        assert refused(tokenless.get_caller_identity) == (
            "InvalidClientTokenId", "The security token included in the request is invalid.", 403)


@contextlib.contextmanager
def _signed_at(moment: dt.datetime) -> Iterator[None]:
    """botocore's signer dated `moment` (the client's clock, not the server's). With awscrt
    installed botocore signs SigV4 through its CRT signer, which reads the clock on its own."""

    def now(remove_tzinfo: bool = True) -> dt.datetime:
        return moment.replace(tzinfo=None) if remove_tzinfo else moment

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch("botocore.auth.get_current_datetime", side_effect=now))
        if HAS_CRT:
            stack.enter_context(mock.patch("botocore.crt.auth.get_current_datetime", side_effect=now))
        yield


def test_requests_dated_outside_fifteen_minutes_are_refused(verifying):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    with _signed_at(past):
        code, message, status = refused(verifying.client("sts").get_caller_identity)
        assert (code, status) == ("SignatureDoesNotMatch", 403)
        assert message.startswith(f"Signature expired: {past:%Y%m%dT%H%M%S}Z is now earlier than ")
        assert message.endswith(" - 15 min.)")
        assert refused(verifying.client("s3").list_buckets)[0] == "RequestTimeTooSkewed"
    with _signed_at(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)):
        assert verifying.client("sts").get_caller_identity()["Account"]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


@pytest.mark.parametrize("version", ["s3", "s3v4"])
def test_presigned_urls(verifying, version):
    s3 = verifying.client("s3", config=Config(signature_version=version))
    bucket = f"pre-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"content")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=300)
    assert ("X-Amz-Signature=" in url) is (version == "s3v4")
    assert _get(url) == (200, b"content")
    forged = verifying.client("s3", aws_secret_access_key="wrong", config=Config(signature_version=version))
    status, body = _get(forged.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                                      ExpiresIn=300))
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body


def test_expired_presigned_urls(verifying):
    s3 = verifying.client("s3", config=Config(signature_version="s3v4"))
    bucket = f"old-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"content")
    with _signed_at(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)):
        old = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    status, body = _get(old)
    assert status == 403 and b"<Message>Request has expired</Message>" in body


def test_unsigned_calls_are_refused(verifying):
    request = urllib.request.Request(f"{verifying.url}/", data=b"Action=GetCallerIdentity&Version=2011-06-15",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"}, method="POST")
    status, body = _get_request(request)
    assert status == 403 and b"MissingAuthenticationToken" in body


def _get_request(request: urllib.request.Request) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()
