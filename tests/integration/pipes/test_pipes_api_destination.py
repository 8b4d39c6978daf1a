"""A pipe enriched by an API destination: each event is sent to the endpoint, and the endpoint's
JSON answer is what the target gets."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from overcast.testing import wait_until
from tests.integration.pipes.test_pipes_sqs import ROLE, queue, receive_all, wait_state


@pytest.fixture
def enricher() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """An HTTP endpoint answering `{"price": 10 * n, "seen": <the request body>}`."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            seen.append({"path": self.path, "body": body, "key": self.headers.get("x-api-key")})
            answer = json.dumps({"price": 10 * body["n"], "seen": body}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_api_destination_enrichment(overcast_server, enricher):
    sqs, pipes, events = (overcast_server.client(n) for n in ("sqs", "pipes", "events"))
    url, seen = enricher
    connection = events.create_connection(
        Name=f"c-{uuid.uuid4().hex[:8]}", AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k-1"}})["ConnectionArn"]
    wait_until(lambda: events.describe_connection(Name=connection.split("/")[1])["ConnectionState"] == "AUTHORIZED",
               20, "the connection authorized")
    destination = events.create_api_destination(
        Name=f"d-{uuid.uuid4().hex[:8]}", ConnectionArn=connection, InvocationEndpoint=f"{url}/price/*",
        HttpMethod="POST")["ApiDestinationArn"]
    source_url, source_arn = queue(sqs)
    target_url, target_arn = queue(sqs)
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=source_arn, Target=target_arn, RoleArn=ROLE, Enrichment=destination,
                      EnrichmentParameters={"InputTemplate": '{"n": <$.body.n>}',
                                            "HttpParameters": {"PathParameterValues": ["books"]}})
    wait_state(pipes, name, "RUNNING")
    sqs.send_message(QueueUrl=source_url, MessageBody=json.dumps({"n": 4}))
    assert json.loads(receive_all(sqs, target_url, 1)[0]["Body"]) == {"price": 40, "seen": {"n": 4}}
    assert seen == [{"path": "/price/books", "body": {"n": 4}, "key": "k-1"}]
