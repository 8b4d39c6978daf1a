"""The ASGI glue: HEAD answers headers only, an oversized body is refused AWS-style."""

from __future__ import annotations

import asyncio
import json

import pytest

from overcast import server
from overcast.config import Config
from overcast.platform import Platform
from overcast.server import App

STS = b"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x"


@pytest.fixture
def app():
    platform = Platform(Config(in_memory=True))
    yield App(platform)
    platform.close()


def _call(app, method, path, chunks, headers=()):
    sent: list[dict] = []
    queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive():
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"host", b"localhost:4566"), *headers], "client": ("127.0.0.1", 1), "scheme": "http"}
    asyncio.run(app(scope, receive, send))
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, body


def test_head_sends_headers_without_a_body(app):
    status, headers, body = _call(app, "HEAD", "/_overcast/health", [b""])
    assert status == 200
    assert body == b""
    assert int(headers["content-length"]) > 0  # the length a GET would have


def test_an_oversized_body_is_refused_with_an_aws_shaped_error(app, monkeypatch):
    monkeypatch.setattr(server, "MAX_BUFFERED_BODY", 10)
    form = [(b"content-type", b"application/x-www-form-urlencoded"), (b"authorization", STS)]
    status, headers, body = _call(app, "POST", "/", [b"Action=GetCallerIdentity", b"&Version=2011-06-15"], form)
    assert status == 413  # in the protocol of the service it was meant for
    assert b"<Code>RequestEntityTooLarge</Code>" in body
    assert headers["x-amzn-requestid"]
    status, headers, body = _call(app, "POST", "/_overcast/reset", [b"0123456789", b"0123456789"])
    assert status == 413  # refused before any service saw it
    assert json.loads(body) == {"message": "Request body too large"}
    assert headers["x-amzn-errortype"] == "RequestEntityTooLarge"
