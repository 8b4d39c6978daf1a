"""The custom resource that stocks the catalog answers CloudFormation on its ResponseURL."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest import mock

import seed


def capture_put():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    return server, received


def request_event(url: str, kind: str = "Create") -> dict:
    return {"RequestType": kind, "ResponseURL": url, "StackId": "stack", "RequestId": "req", "LogicalResourceId": "Seed",
            "ResourceProperties": {"TableName": "product", "Products": json.dumps([{"id": "a", "price": 9.5}])}}


def test_success_and_failure_are_answered():
    server, received = capture_put()
    url = f"http://127.0.0.1:{server.server_port}/response"
    with mock.patch.object(seed, "stock") as stock:
        seed.handler(request_event(url), None)
    stock.assert_called_once()
    server.server_close()
    assert received[0]["Status"] == "SUCCESS" and received[0]["PhysicalResourceId"] == "Seed-seed"

    server, received = capture_put()
    url = f"http://127.0.0.1:{server.server_port}/response"
    with mock.patch.object(seed, "stock", side_effect=KeyError("TableName")):
        seed.handler(request_event(url), None)
    server.server_close()
    assert received[0]["Status"] == "FAILED" and received[0]["Reason"] == "KeyError: 'TableName'"


def test_delete_touches_nothing():
    server, received = capture_put()
    with mock.patch.object(seed, "stock") as stock:
        seed.handler(request_event(f"http://127.0.0.1:{server.server_port}/r", "Delete"), None)
    server.server_close()
    stock.assert_not_called()
    assert received[0]["Status"] == "SUCCESS"
