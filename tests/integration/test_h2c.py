"""HTTP/2 with prior knowledge (h2c) on overcast's one port, with a real HTTP/2 client (httpx over the
`h2` library): the same answers as over HTTP/1.1, request and response bodies larger than HTTP/2's
initial flow-control window, concurrent streams on one connection, and HTTP/1.1 still on that port."""

from __future__ import annotations

import asyncio
import json

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from overcast.testing.server import DUMMY_CREDENTIALS


def signed(url: str, service: str, target: str, body: dict, content_type: str) -> tuple[dict[str, str], bytes]:
    """Headers and body of a SigV4-signed JSON-protocol request, as an SDK sends them."""
    data = json.dumps(body).encode()
    request = AWSRequest(method="POST", url=url + "/", data=data,
                         headers={"X-Amz-Target": target, "Content-Type": content_type})
    SigV4Auth(Credentials(DUMMY_CREDENTIALS["aws_access_key_id"], DUMMY_CREDENTIALS["aws_secret_access_key"]),
              service, "us-east-1").add_auth(request)
    return dict(request.headers.items()), data


def h2_client() -> httpx.Client:
    return httpx.Client(http1=False, http2=True, timeout=60)  # http:// + http2 only: prior knowledge


async def concurrently(url: str, count: int) -> list[httpx.Response]:
    """`count` concurrent GETs over HTTP/2.

    The async client, not threads over the sync one: httpcore's sync HTTP/2 client takes a stream id
    and sends that stream's HEADERS in two steps no lock holds together, so two threads can send the
    same or a lower id, which a server must refuse with a connection error PROTOCOL_ERROR
    (RFC 9113 section 5.1.1) — a rare failure of the client, not of the server."""
    async with httpx.AsyncClient(http1=False, http2=True, timeout=60) as client:
        answers = await asyncio.gather(*(client.get(f"{url}/h2c-bucket/small-{i}") for i in range(count)))
        return list(answers)


def test_json_protocol_over_h2c(overcast_server):
    sqs = overcast_server.client("sqs")
    url = sqs.create_queue(QueueName="h2c-queue")["QueueUrl"]
    headers, data = signed(overcast_server.url, "sqs", "AmazonSQS.SendMessage",
                           {"QueueUrl": url, "MessageBody": "x" * 200_000}, "application/x-amz-json-1.0")
    with h2_client() as client:
        sent = client.post(overcast_server.url + "/", headers=headers, content=data)
        assert sent.http_version == "HTTP/2"
        assert sent.status_code == 200 and "MessageId" in sent.json()
        assert sent.headers["content-type"].startswith("application/x-amz-json-1.0")
    got = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert got["Body"] == "x" * 200_000


def test_large_response_and_concurrent_streams(overcast_server):
    s3 = overcast_server.client("s3")
    s3.create_bucket(Bucket="h2c-bucket")
    payload = bytes(range(256)) * 4096  # 1 MiB: many times HTTP/2's initial 64 KiB window
    s3.put_object(Bucket="h2c-bucket", Key="big", Body=payload)
    for i in range(8):
        s3.put_object(Bucket="h2c-bucket", Key=f"small-{i}", Body=f"body {i}".encode())
    with h2_client() as client:
        big = client.get(f"{overcast_server.url}/h2c-bucket/big")
        assert big.http_version == "HTTP/2" and big.status_code == 200
        assert big.content == payload and big.headers["content-length"] == str(len(payload))
        answers = asyncio.run(concurrently(overcast_server.url, 8))  # eight concurrent streams
        assert [a.content for a in answers] == [f"body {i}".encode() for i in range(8)]
        assert {a.http_version for a in answers} == {"HTTP/2"}
        missing = client.get(f"{overcast_server.url}/h2c-bucket/nothing")
        assert missing.status_code == 404 and b"<Code>NoSuchKey</Code>" in missing.content
        head = client.head(f"{overcast_server.url}/h2c-bucket/big")
        assert head.status_code == 200 and head.content == b""


def test_http11_still_served_on_the_same_port(overcast_server):
    answer = httpx.get(overcast_server.url + "/_overcast/health")
    assert answer.http_version == "HTTP/1.1" and answer.status_code == 200
    with h2_client() as client:
        assert client.get(overcast_server.url + "/_overcast/health").json() == answer.json()
