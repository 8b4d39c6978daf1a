"""Getting bytes in and out the ways clients do: boto3's managed transfers (multipart), the AWS CLI,
presigned URLs, virtual-hosted addressing, aws-chunked uploads; and keeping them safe (traversal keys,
SIGKILL)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from boto3.s3.transfer import TransferConfig

from overcast.testing import OvercastServer, wait_until

MB = 1024 * 1024
SMALL_PARTS = TransferConfig(multipart_threshold=5 * MB, multipart_chunksize=5 * MB, max_concurrency=4)


def _data(size: int) -> bytes:
    return hashlib.sha256(str(size).encode()).digest() * (size // 32) + b"x" * (size % 32)


def _cli(server, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.url, *args],
                          env=server.aws_cli_env(), capture_output=True, text=True, timeout=120, check=check)


def test_upload_file_and_download_file_multipart(s3, bucket, tmp_path):
    data = _data(12 * MB + 123)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    s3.upload_file(str(source), bucket, "big.bin", Config=SMALL_PARTS)
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == len(data)
    parts = [data[i:i + 5 * MB] for i in range(0, len(data), 5 * MB)]
    expected = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + f"-{len(parts)}"
    assert head["ETag"] == f'"{expected}"'
    assert s3.head_object(Bucket=bucket, Key="big.bin", PartNumber=2)["ContentLength"] == 5 * MB
    target = tmp_path / "back.bin"
    s3.download_file(bucket, "big.bin", str(target), Config=SMALL_PARTS)
    assert target.read_bytes() == data
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_multipart_rules(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="text/csv")["UploadId"]
    small = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"a" * 100)
    last = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=2, Body=b"b" * 100)
    parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload)["Parts"]
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in parts] == [(1, 100, small["ETag"]), (2, 100, last["ETag"])]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [upload]

    def complete(part_list):
        return s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                            MultipartUpload={"Parts": part_list})

    with pytest.raises(s3.exceptions.ClientError) as info:
        complete([{"PartNumber": 1, "ETag": small["ETag"]}, {"PartNumber": 2, "ETag": last["ETag"]}])
    assert info.value.response["Error"]["Code"] == "EntityTooSmall"
    with pytest.raises(s3.exceptions.ClientError) as info:
        complete([{"PartNumber": 2, "ETag": last["ETag"]}, {"PartNumber": 1, "ETag": small["ETag"]}])
    assert info.value.response["Error"]["Code"] == "InvalidPartOrder"
    with pytest.raises(s3.exceptions.ClientError) as info:
        complete([{"PartNumber": 1, "ETag": '"0123"'}])
    assert info.value.response["Error"]["Code"] == "InvalidPart"
    with pytest.raises(s3.exceptions.ClientError) as info:
        s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=10001, Body=b"x")
    assert info.value.response["Error"]["Code"] == "InvalidArgument"
    # a single (last) part may be small
    done = complete([{"PartNumber": 2, "ETag": last["ETag"]}])
    assert done["ETag"].endswith('-1"')
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert got["Body"].read() == b"b" * 100
    assert got["ContentType"] == "text/csv"
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload)


def test_abort_and_upload_part_copy(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789" * 1000)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    copied = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload, PartNumber=1,
                                 CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=10-29")
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": copied["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"01234567890123456789"
    other = s3.create_multipart_upload(Bucket=bucket, Key="gone")["UploadId"]
    s3.abort_multipart_upload(Bucket=bucket, Key="gone", UploadId=other)
    with pytest.raises(s3.exceptions.NoSuchUpload) as info:
        s3.abort_multipart_upload(Bucket=bucket, Key="gone", UploadId=other)
    assert info.value.response["Error"]["UploadId"] == other


def test_aws_chunked_upload_with_trailing_checksum(s3, bucket):
    """What botocore sends over HTTPS: Transfer-Encoding chunked, Content-Encoding aws-chunked, and the
    CRC32 in a trailer."""
    seen = {}

    def force_trailer(params, **_):
        algorithm = params["context"].get("checksum", {}).get("request_algorithm")
        if algorithm:
            algorithm["in"] = "trailer"

    def capture(request, **_):
        seen.update(request.headers)

    s3.meta.events.register("before-call.s3.PutObject", force_trailer)
    s3.meta.events.register("before-send.s3.PutObject", capture)
    data = _data(3 * MB + 17)
    put = s3.put_object(Bucket=bucket, Key="chunked", Body=data, ContentEncoding="gzip")
    assert seen["Content-Encoding"] == b"gzip,aws-chunked" or seen["Content-Encoding"] == "gzip,aws-chunked"
    assert "X-Amz-Trailer" in seen
    got = s3.get_object(Bucket=bucket, Key="chunked", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ContentEncoding"] == "gzip"
    assert got["ChecksumCRC32"] == put["ChecksumCRC32"]


def test_signed_aws_chunked_body_is_decoded(overcast_server, s3, bucket):
    """SigV4 streaming (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): chunk signatures are accepted, not stored."""
    payload = b"hello chunked world"
    body = (f"{len(payload[:7]):x};chunk-signature={'a' * 64}\r\n".encode() + payload[:7] + b"\r\n"
            + f"{len(payload[7:]):x};chunk-signature={'b' * 64}\r\n".encode() + payload[7:] + b"\r\n"
            + f"0;chunk-signature={'c' * 64}\r\n\r\n".encode())
    headers = {"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "Content-Encoding": "aws-chunked",
               "x-amz-decoded-content-length": str(len(payload)),
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
                                "SignedHeaders=host, Signature=x"}
    response = httpx.put(f"{overcast_server.url}/{bucket}/signed", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert s3.get_object(Bucket=bucket, Key="signed")["Body"].read() == payload
    short = dict(headers, **{"x-amz-decoded-content-length": "999"})
    response = httpx.put(f"{overcast_server.url}/{bucket}/short", content=body, headers=short)
    assert response.status_code == 400
    assert "<Code>IncompleteBody</Code>" in response.text


def test_aws_cli_cp_ls_sync(overcast_server, s3, bucket, tmp_path):
    big = tmp_path / "up" / "big.bin"
    big.parent.mkdir()
    big.write_bytes(_data(9 * MB))
    (tmp_path / "up" / "small.txt").write_text("small")
    _cli(overcast_server, "s3", "cp", str(big), f"s3://{bucket}/dir/big.bin")
    listing = _cli(overcast_server, "s3", "ls", f"s3://{bucket}/dir/").stdout
    assert "big.bin" in listing and str(9 * MB) in listing
    _cli(overcast_server, "s3", "sync", str(tmp_path / "up"), f"s3://{bucket}/synced")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["dir/big.bin", "synced/big.bin", "synced/small.txt"]
    _cli(overcast_server, "s3", "cp", f"s3://{bucket}/dir/big.bin", str(tmp_path / "down.bin"))
    assert (tmp_path / "down.bin").read_bytes() == big.read_bytes()
    missing = _cli(overcast_server, "s3api", "head-object", "--bucket", bucket, "--key", "nope", check=False)
    assert missing.returncode != 0 and "Not Found" in missing.stderr
    # a large S3-to-S3 copy is a multipart copy (UploadPartCopy with ranges)
    _cli(overcast_server, "s3", "cp", f"s3://{bucket}/dir/big.bin", f"s3://{bucket}/copied/big.bin")
    assert s3.get_object(Bucket=bucket, Key="copied/big.bin")["Body"].read() == big.read_bytes()
    _cli(overcast_server, "s3", "mv", f"s3://{bucket}/synced/small.txt", f"s3://{bucket}/moved.txt")
    assert s3.get_object(Bucket=bucket, Key="moved.txt")["Body"].read() == b"small"
    head = _cli(overcast_server, "s3api", "head-object", "--bucket", bucket, "--key", "moved.txt").stdout
    assert '"ContentLength": 5' in head
    _cli(overcast_server, "s3", "rm", f"s3://{bucket}", "--recursive")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_presigned_urls_v4_and_v2(client_factory, overcast_server, s3, bucket):
    from botocore.config import Config

    s3.put_object(Bucket=bucket, Key="common/file.txt", Body=b"common")
    s3 = client_factory(config=Config(signature_version="s3v4"))
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "common/file.txt"}, ExpiresIn=300)
    assert "X-Amz-Signature=" in url
    assert httpx.get(url).content == b"common"
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "uploaded"}, ExpiresIn=300)
    assert httpx.put(put_url, content=b"via presigned put").status_code == 200
    assert s3.get_object(Bucket=bucket, Key="uploaded")["Body"].read() == b"via presigned put"

    v2 = client_factory(config=Config(signature_version="s3"))
    url2 = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "uploaded"}, ExpiresIn=300)
    assert "AWSAccessKeyId=" in url2 and "Signature=" in url2
    assert httpx.get(url2).content == b"via presigned put"
    signed = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "uploaded"}, ExpiresIn=60)
    expired = re.sub(r"X-Amz-Date=\d{8}T", "X-Amz-Date=20200101T", signed)  # signed in 2020, valid 60 s
    response = httpx.get(expired)
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text and "Request has expired" in response.text
    # a negative X-Amz-Expires is no expiry at all: S3's AuthorizationQueryParametersError
    # (edited into a signed URL: botocore's CRT signer, used when awscrt is installed, refuses to presign it)
    negative = signed.replace("X-Amz-Expires=60", "X-Amz-Expires=-10")
    assert negative != signed
    response = httpx.get(negative)
    assert response.status_code == 403
    assert "<Code>AuthorizationQueryParametersError</Code>" in response.text
    assert "X-Amz-Expires must be non-negative" in response.text


@pytest.mark.parametrize("host", ["{b}.s3.localhost", "{b}.localhost", "{b}.s3.us-east-1.amazonaws.com"])
def test_virtual_hosted_addressing(overcast_server, s3, bucket, host):
    host = host.format(b=bucket)
    port = overcast_server.port
    put = httpx.put(f"{overcast_server.url}/vh/key.txt", content=b"virtual", headers={"Host": f"{host}:{port}"})
    assert put.status_code == 200, put.text
    assert s3.get_object(Bucket=bucket, Key="vh/key.txt")["Body"].read() == b"virtual"
    got = httpx.get(f"{overcast_server.url}/vh/key.txt", headers={"Host": f"{host}:{port}"})
    assert got.content == b"virtual"
    listing = httpx.get(f"{overcast_server.url}/?list-type=2", headers={"Host": f"{host}:{port}"})
    assert "<Key>vh/key.txt</Key>" in listing.text
    assert f"<Name>{bucket}</Name>" in listing.text


def test_traversal_keys_stay_inside_the_store(overcast_server, s3, bucket):
    data_dir = overcast_server.data_dir / "state"
    keys = ["../../etc/passwd", "../../../../../../tmp/overcast-escape", "..", "a/../../b", "/etc/shadow"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"trapped " + key.encode())
    for key in keys:
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"trapped " + key.encode()
    assert not os.path.exists("/tmp/overcast-escape")
    # (the Python runtime's folder links to installed packages once a function has run: not S3's files)
    files = [p for p in data_dir.rglob("*") if p.is_file() and p.relative_to(data_dir).parts[:2] != ("files", "runtime")]
    assert files, "objects are files under the data dir"
    for path in files:
        assert path.resolve().is_relative_to(data_dir.resolve())
        assert "passwd" not in path.name and "shadow" not in path.name
    with open("/etc/passwd", "rb") as real:
        assert b"trapped" not in real.read()


def test_objects_survive_sigkill(tmp_path):
    from contextlib import closing

    data = _data(6 * MB + 5)
    name = f"durable-{uuid.uuid4().hex[:8]}"
    with OvercastServer(tmp_path) as server:
        with closing(server.client("s3")) as s3:
            s3.create_bucket(Bucket=name)
            s3.put_object(Bucket=name, Key="small", Body=b"acknowledged")
            s3.put_object(Bucket=name, Key="large", Body=data)
            s3.upload_fileobj(__import__("io").BytesIO(data * 2), name, "multi", Config=SMALL_PARTS)
        server.restart(crash=True)
        with closing(server.client("s3")) as s3:
            assert s3.get_object(Bucket=name, Key="small")["Body"].read() == b"acknowledged"
            assert s3.get_object(Bucket=name, Key="large")["Body"].read() == data
            assert s3.get_object(Bucket=name, Key="multi")["Body"].read() == data * 2
            assert [o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]] == ["large", "multi", "small"]


def test_upload_cut_short_leaves_no_object_and_no_file(overcast_server, s3, bucket):
    import socket

    before = {p for p in (overcast_server.data_dir / "state").rglob("*") if p.is_file()}
    with socket.create_connection(("127.0.0.1", overcast_server.port)) as sock:
        sock.sendall(f"PUT /{bucket}/partial HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n".encode()
                     + b"x" * 1000)
    # the server notices the disconnect; poll until the partial file is gone (never an object)
    def leftovers() -> list[Path]:
        after = {p for p in (overcast_server.data_dir / "state").rglob("*") if p.is_file()} - before
        return [p for p in after if "objects" in p.parts]

    wait_until(lambda: not leftovers(), 10, "the partial upload's files removed")
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key="partial")
    assert "PutObject failed" not in overcast_server.log_text()


def test_full_object_crc32_multipart_checksum(s3, bucket):
    import base64
    import zlib

    first, second = _data(5 * MB), b"tail" * 10
    whole = base64.b64encode(zlib.crc32(first + second).to_bytes(4, "big")).decode()
    upload = s3.create_multipart_upload(Bucket=bucket, Key="full", ChecksumAlgorithm="CRC32",
                                        ChecksumType="FULL_OBJECT")
    assert upload["ChecksumType"] == "FULL_OBJECT"
    parts = []
    for number, body in ((1, first), (2, second)):
        out = s3.upload_part(Bucket=bucket, Key="full", UploadId=upload["UploadId"], PartNumber=number, Body=body,
                             ChecksumAlgorithm="CRC32")
        parts.append({"PartNumber": number, "ETag": out["ETag"], "ChecksumCRC32": out["ChecksumCRC32"]})
    with pytest.raises(s3.exceptions.ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="full", UploadId=upload["UploadId"],
                                     MultipartUpload={"Parts": parts}, ChecksumCRC32="AAAAAA==",
                                     ChecksumType="FULL_OBJECT")
    assert info.value.response["Error"]["Code"] == "BadDigest"
    done = s3.complete_multipart_upload(Bucket=bucket, Key="full", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": parts}, ChecksumCRC32=whole,
                                        ChecksumType="FULL_OBJECT")
    assert done["ChecksumCRC32"] == whole
    got = s3.get_object(Bucket=bucket, Key="full", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == whole and got["ChecksumType"] == "FULL_OBJECT"
    assert got["Body"].read() == first + second
    with pytest.raises(s3.exceptions.ClientError) as info:
        s3.get_object(Bucket=bucket, Key="full", PartNumber=1, Range="bytes=0-1")
    assert info.value.response["Error"]["Code"] == "InvalidRequest"
