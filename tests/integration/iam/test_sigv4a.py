"""`--verify-signatures` and SigV4a (`AWS4-ECDSA-P256-SHA256`): CloudFront KeyValueStore requests
signed by botocore's CRT signer with the right secret pass, with a wrong one are refused, and an
expired or skewed date is refused as for SigV4."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from overcast.testing import OvercastServer
from tests.integration.iam.conftest import refused
from tests.integration.iam.test_signatures import _key, _signed_at

pytest.importorskip("awscrt")


@pytest.fixture(scope="module")
def verifying() -> Iterator[OvercastServer]:
    with OvercastServer(env={"OVERCAST_VERIFY_SIGNATURES": "1"}) as server:
        yield server


def _kvs(server: OvercastServer, **creds: Any) -> Any:
    """A cloudfront-keyvaluestore client (SigV4a), sent to the server whatever host its endpoint names."""
    client = server.client("cloudfront-keyvaluestore", **creds)

    def to_server(request: Any, **_: Any) -> None:
        request.url = f"{server.url}/{request.url.split('://', 1)[1].partition('/')[2]}"

    client.meta.events.register("before-send.cloudfront-keyvaluestore", to_server)
    return client


def _store(server: OvercastServer) -> str:
    arn: str = server.client("cloudfront").create_key_value_store(
        Name=f"kvs{uuid.uuid4().hex[:8]}")["KeyValueStore"]["ARN"]
    return arn


def test_sigv4a_with_the_keys_secret_is_verified(verifying):
    arn = _store(verifying)
    assert _kvs(verifying).describe_key_value_store(KvsARN=arn)["ItemCount"] == 0  # the default key
    key = _key(verifying)
    mine = _kvs(verifying, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert mine.describe_key_value_store(KvsARN=arn)["KvsARN"] == arn
    etag = mine.describe_key_value_store(KvsARN=arn)["ETag"]
    assert mine.put_key(KvsARN=arn, Key="k", Value="v", IfMatch=etag)["ItemCount"] == 1  # a signed body


def test_sigv4a_with_a_wrong_secret_or_unknown_key_is_refused(verifying):
    arn = _store(verifying)
    key = _key(verifying)
    wrong = _kvs(verifying, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key="x" * 40)
    code, message, status = refused(wrong.describe_key_value_store, KvsARN=arn)
    assert (code in ("InvalidSignatureException", "SignatureDoesNotMatch"), status) == (True, 403)
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    unknown = _kvs(verifying, aws_access_key_id="AKIA" + "Z" * 16, aws_secret_access_key="x" * 40)
    assert refused(unknown.describe_key_value_store, KvsARN=arn)[2] == 403


def test_sigv4a_dated_outside_fifteen_minutes_is_refused(verifying):
    arn = _store(verifying)
    with _signed_at(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)):
        _, message, _ = refused(_kvs(verifying).describe_key_value_store, KvsARN=arn)
    assert message.startswith("Signature expired: ")


def test_s3_sigv4a_in_the_header_and_in_presigned_urls(verifying):
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.crt.auth import CrtS3SigV4AsymAuth, CrtS3SigV4AsymQueryAuth

    bucket = f"v4a-{uuid.uuid4().hex[:8]}"
    s3 = verifying.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello")
    key = _key(verifying)

    def get(auth: Any) -> tuple[int, bytes]:
        request = AWSRequest(method="GET", url=f"{verifying.url}/{bucket}/k")
        auth.add_auth(request)
        try:
            with urllib.request.urlopen(urllib.request.Request(request.url, headers=dict(request.headers.items())),
                                        timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    right = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
    wrong = Credentials(key["AccessKeyId"], "x" * 40)
    assert get(CrtS3SigV4AsymAuth(right, "s3", "*")) == (200, b"hello")
    assert get(CrtS3SigV4AsymQueryAuth(right, "s3", "*", expires=300)) == (200, b"hello")
    for refused_auth in (CrtS3SigV4AsymAuth(wrong, "s3", "*"), CrtS3SigV4AsymQueryAuth(wrong, "s3", "*", expires=300)):
        status, body = get(refused_auth)
        assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body
