"""API destinations' invocation rate limit and request shaping (issue 15), with a fake clock."""

from __future__ import annotations

import json

from overcast.config import Config
from overcast.platform import Platform
from overcast.services.events.destinations import RateLimits, request_for
from overcast.testing import FakeClock

ARN = "arn:aws:events:us-east-1:000000000000:api-destination/d/1"


def test_rate_limit_spreads_invocations_over_seconds() -> None:
    clock = FakeClock()
    platform = Platform(Config(in_memory=True), clock=clock)
    try:
        limits = RateLimits(platform)
        assert [limits.delay(ARN, 2) for _ in range(2)] == [0.0, 0.0]
        assert limits.delay(ARN, 2) == 1.0  # the third of the second waits for the next second
        clock.advance(1.0)
        assert limits.delay(ARN, 2) == 0.0
    finally:
        platform.close()


def test_request_shape() -> None:
    destination = {"InvocationEndpoint": "https://h.example/orders/*/items/*", "HttpMethod": "GET"}
    connection = {"_auth": {"InvocationHttpParameters": {
        "HeaderParameters": [{"Key": "x-h", "Value": "conn"}],
        "QueryStringParameters": [{"Key": "q", "Value": "conn"}]}}}
    url, method, headers, body = request_for(destination, connection, b"{}", {
        "PathParameterValues": ["a b", "7"], "HeaderParameters": {"x-h": "target", "x-t": "1"},
        "QueryStringParameters": {"q": "target", "r": "2"}})
    assert url == "https://h.example/orders/a%20b/items/7?q=conn&r=2"
    assert (method, body) == ("GET", None)  # no body for GET
    assert headers["x-h"] == "conn" and headers["x-t"] == "1"  # the connection's parameters win
    destination["HttpMethod"] = "POST"
    connection["_auth"]["InvocationHttpParameters"]["BodyParameters"] = [{"Key": "extra", "Value": "v"}]
    _, _, _, body = request_for(destination, connection, b'{"a": 1}', {})
    assert body is not None and json.loads(body) == {"a": 1, "extra": "v"}
