"""HTTP endpoint destinations: AWS's request body and X-Amz-Firehose-* headers, GZIP content
encoding, and retries while the endpoint fails."""

from __future__ import annotations

import base64
import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from overcast.testing import wait_until
from tests.integration.firehose.helpers import unique


class Receiver:
    """A local endpoint that records requests and fails the first `failures` of them."""

    def __init__(self, failures: int = 0) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.failures = failures
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = 500 if len(receiver.requests) <= receiver.failures else 200
                answer = json.dumps({"requestId": self.headers.get("X-Amz-Firehose-Request-Id"),
                                     "timestamp": 1}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/ingest"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(failures: int = 0) -> Receiver:
        made.append(Receiver(failures))
        return made[-1]

    yield make
    for one in made:
        one.close()


def http_stream(firehose, url, **request):
    name = unique()
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        HttpEndpointDestinationConfiguration={
            "EndpointConfiguration": {"Url": url, "Name": "local", "AccessKey": "secret-key"},
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0},
            "RequestConfiguration": {"CommonAttributes": [{"AttributeName": "env", "AttributeValue": "test"}],
                                     **request},
            "S3Configuration": {"RoleARN": "arn:aws:iam::000000000000:role/fh",
                                "BucketARN": "arn:aws:s3:::backup"}})
    return name


def test_request_body_and_headers(aws, receiver):
    firehose = aws("firehose")
    endpoint = receiver()
    name = http_stream(firehose, endpoint.url)
    described = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    http = described["Destinations"][0]["HttpEndpointDestinationDescription"]
    assert http["EndpointConfiguration"] == {"Url": endpoint.url, "Name": "local"}  # never the access key
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"a"}, {"Data": b"b"}])
    wait_until(lambda: endpoint.requests or None, timeout=30, what="a request")
    headers, body = endpoint.requests[0]
    document = json.loads(body)
    assert [base64.b64decode(r["data"]) for r in document["records"]] == [b"a", b"b"]
    assert document["requestId"] == headers["X-Amz-Firehose-Request-Id"]
    assert isinstance(document["timestamp"], int)
    assert headers["X-Amz-Firehose-Protocol-Version"] == "1.0"
    assert headers["X-Amz-Firehose-Access-Key"] == "secret-key"
    assert headers["X-Amz-Firehose-Source-Arn"].endswith(f":deliverystream/{name}")
    assert json.loads(headers["X-Amz-Firehose-Common-Attributes"]) == {"commonAttributes": {"env": "test"}}
    assert headers["Content-Type"] == "application/json"


def test_gzip_and_retry_keep_the_request_id(aws, receiver):
    firehose = aws("firehose")
    endpoint = receiver(failures=2)
    name = http_stream(firehose, endpoint.url, ContentEncoding="GZIP")
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"retried"})
    wait_until(lambda: len(endpoint.requests) >= 3 or None, timeout=60, what="three attempts")
    ids = {headers["X-Amz-Firehose-Request-Id"] for headers, _ in endpoint.requests}
    assert len(ids) == 1
    headers, body = endpoint.requests[-1]
    assert headers["Content-Encoding"] == "gzip"
    records = json.loads(gzip.decompress(body))["records"]
    assert base64.b64decode(records[0]["data"]) == b"retried"


def test_plain_http_only_to_this_machine(aws):
    firehose = aws("firehose")
    with pytest.raises(firehose.exceptions.ClientError) as info:
        http_stream(firehose, "http://example.com/ingest")
    assert info.value.response["Error"]["Code"] == "ValidationException"
