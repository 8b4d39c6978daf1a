"""Lambda's size limits in AWS's order (issue 14, item 7): the request first, then the zipped
upload, then the unzipped code; and a response up to the 6,291,556 bytes AWS's message quotes."""

from __future__ import annotations

import io
import os
import uuid
import zipfile

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
SOURCE = "def handler(event, context):\n    return 'ok'\n"


def _name() -> str:
    return f"lim-{uuid.uuid4().hex[:10]}"


def _error(info) -> tuple[str, int, str]:
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def _stored_zip(size: int) -> bytes:
    """A zip whose own size is a little over `size` bytes (incompressible content, stored)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("handler.py", SOURCE)
        archive.writestr("blob.bin", os.urandom(size))
    return buffer.getvalue()


def _zeros_zip(unzipped: int) -> bytes:
    """A small zip that unzips to `unzipped` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("handler.py", SOURCE)
        with archive.open("zeros.bin", "w", force_zip64=True) as out:
            chunk = bytes(1 << 20)
            for _ in range(unzipped // len(chunk)):
                out.write(chunk)
            out.write(bytes(unzipped % len(chunk)))
    return buffer.getvalue()


@pytest.fixture
def big_lam(overcast_server):
    return overcast_server.client("lambda", read_timeout=300)


def test_a_response_of_exactly_6291556_bytes_is_returned(lam):
    # a JSON string of 6,291,554 characters plus its two quotes
    name = create_function(lam, "def handler(event, context):\n    return 'x' * 6291554\n", MemorySize=512)
    response = lam.invoke(FunctionName=name, Payload=b"{}")
    assert "FunctionError" not in response
    assert len(response["Payload"].read()) == 6_291_556


def test_an_oversized_create_request_is_refused_before_other_checks(big_lam):
    archive = _stored_zip(53_000_000)  # about 70.7 MB once base64-encoded in the request
    with pytest.raises(ClientError) as info:  # an invalid runtime too: the size is checked first
        big_lam.create_function(FunctionName=_name(), Runtime="python0.1", Role=ROLE, Handler="handler.handler",
                                Code={"ZipFile": archive})
    assert _error(info) == ("RequestEntityTooLargeException", 413,
                            "Request must be smaller than 70167211 bytes for the CreateFunction operation")


def test_a_direct_upload_over_50_mb_is_refused(big_lam):
    archive = _stored_zip(52_500_000)  # over 52,428,800 zipped, under the request limit once encoded
    with pytest.raises(ClientError) as info:
        big_lam.create_function(FunctionName=_name(), Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                                Code={"ZipFile": archive})
    assert _error(info) == ("RequestEntityTooLargeException", 413, "Zipped size must be smaller than 52428800 bytes")


def test_code_from_s3_is_held_to_the_unzipped_limit_only(big_lam, overcast_server):
    s3 = overcast_server.client("s3")
    bucket = f"lim-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="big.zip", Body=_stored_zip(52_500_000))
    name = _name()
    created = big_lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                                      Code={"S3Bucket": bucket, "S3Key": "big.zip"})
    assert created["CodeSize"] > 52_428_800
    s3.put_object(Bucket=bucket, Key="huge.zip", Body=_zeros_zip(262_144_001))
    with pytest.raises(ClientError) as info:
        big_lam.create_function(FunctionName=_name(), Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                                Code={"S3Bucket": bucket, "S3Key": "huge.zip"})
    assert _error(info) == ("InvalidParameterValueException", 400,
                            "Unzipped size must be smaller than 262144000 bytes")
    big_lam.delete_function(FunctionName=name)

