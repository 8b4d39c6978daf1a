"""Browser-facing S3 (issue 15): POST object uploads from HTML forms (boto3's presigned POST) and
CORS: preflight answers from the bucket's CORS rules, CORS headers on actual responses."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

CORS = {"CORSRules": [{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"],
                       "AllowedHeaders": ["x-amz-*", "content-type"], "ExposeHeaders": ["ETag"],
                       "MaxAgeSeconds": 300},
                      {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}


def _code(response: httpx.Response) -> str:
    return ET.fromstring(response.content).findtext("Code") or ""


def test_presigned_post_upload(s3, bucket):
    post = s3.generate_presigned_post(Bucket=bucket, Key="uploads/${filename}",
                                      Fields={"Content-Type": "text/plain", "x-amz-meta-owner": "me"},
                                      Conditions=[{"Content-Type": "text/plain"}, {"x-amz-meta-owner": "me"},
                                                  ["content-length-range", 1, 100]])
    answer = httpx.post(post["url"], data=post["fields"], files={"file": ("hello.txt", b"hello", "text/plain")})
    assert answer.status_code == 204  # AWS's default success_action_status
    assert answer.headers["etag"] == '"5d41402abc4b2a76b9719d911017c592"'
    got = s3.get_object(Bucket=bucket, Key="uploads/hello.txt")
    assert got["Body"].read() == b"hello"
    assert got["ContentType"] == "text/plain" and got["Metadata"] == {"owner": "me"}


def test_post_upload_201_and_policy_failures(s3, bucket):
    post = s3.generate_presigned_post(Bucket=bucket, Key="k", Fields={"success_action_status": "201"},
                                      Conditions=[{"success_action_status": "201"},
                                                  ["content-length-range", 1, 3]])
    created = httpx.post(post["url"], data=post["fields"], files={"file": ("f", b"abc")})
    assert created.status_code == 201
    document = ET.fromstring(created.content)
    assert document.tag == "PostResponse" and document.findtext("Key") == "k"
    assert document.findtext("Bucket") == bucket
    too_big = httpx.post(post["url"], data=post["fields"], files={"file": ("f", b"abcd")})
    assert too_big.status_code == 400 and _code(too_big) == "EntityTooLarge"
    extra = httpx.post(post["url"], data={**post["fields"], "x-amz-meta-sneaky": "1"}, files={"file": ("f", b"a")})
    assert extra.status_code == 403 and _code(extra) == "AccessDenied"
    assert b"Extra input fields: x-amz-meta-sneaky" in extra.content
    no_key = httpx.post(post["url"], data={}, files={"file": ("f", b"a")})
    assert no_key.status_code == 400 and _code(no_key) == "InvalidArgument"


def test_cors_preflight(s3, bucket, overcast_server):
    url = f"{overcast_server.url}/{bucket}/some/key"
    ask = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"}
    not_enabled = httpx.options(url, headers=ask)
    assert not_enabled.status_code == 403 and _code(not_enabled) == "AccessForbidden"
    assert b"CORS is not enabled for this bucket" in not_enabled.content
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)
    allowed = httpx.options(url, headers={**ask, "Access-Control-Request-Headers": "Content-Type, x-amz-date"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert allowed.headers["access-control-allow-methods"] == "GET, PUT"
    assert allowed.headers["access-control-allow-headers"] == "content-type, x-amz-date"
    assert allowed.headers["access-control-max-age"] == "300"
    assert allowed.headers["access-control-expose-headers"] == "ETag"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    wildcard = httpx.options(url, headers={"Origin": "https://other.org", "Access-Control-Request-Method": "GET"})
    assert wildcard.status_code == 200 and wildcard.headers["access-control-allow-origin"] == "*"
    refused = httpx.options(url, headers={"Origin": "https://other.org", "Access-Control-Request-Method": "DELETE"})
    assert refused.status_code == 403 and _code(refused) == "AccessForbidden"
    assert b"This CORS request is not allowed" in refused.content


@pytest.mark.parametrize("origin, expected", [("https://app.example.com", "https://app.example.com"),
                                               ("https://other.org", "*")])
def test_cors_headers_on_responses(s3, bucket, overcast_server, origin, expected):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    answer = httpx.get(url, headers={"Origin": origin})
    assert answer.status_code == 200 and answer.content == b"x"
    assert answer.headers["access-control-allow-origin"] == expected
    plain = httpx.get(url)
    assert "access-control-allow-origin" not in plain.headers
