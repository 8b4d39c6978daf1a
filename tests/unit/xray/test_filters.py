"""X-Ray filter expressions on traces (the forms of AWS's filter expression guide)."""

from __future__ import annotations

import pytest

from overcast.services.xray.filters import FilterError, compile_filter
from overcast.services.xray.models import Trace

ROOT = "1-5759e988-bd862e3fe1be46a994272793"


def trace() -> Trace:
    """API Gateway → function (which faults on a DynamoDB throttle), 1.5 s in all."""
    return Trace(ROOT, [
        {"id": "a" * 16, "name": "abc/prod", "origin": "AWS::ApiGateway::Stage", "trace_id": ROOT,
         "start_time": 100.0, "end_time": 101.5,
         "http": {"request": {"url": "https://x/orders", "method": "POST"}, "response": {"status": 502}},
         "error": True},
        {"id": "b" * 16, "parent_id": "a" * 16, "name": "orders", "origin": "AWS::Lambda::Function",
         "trace_id": ROOT, "start_time": 100.1, "end_time": 101.4, "fault": True,
         "annotations": {"order_id": "o-17", "items": 3, "vip": True},
         "subsegments": [{"id": "c" * 16, "name": "DynamoDB", "namespace": "aws", "start_time": 100.2,
                          "end_time": 100.3, "throttle": True, "error": True}]},
    ])


@pytest.mark.parametrize(("expression", "expected"), [
    ("", True),
    ("error", True),
    ("fault", True),
    ("throttle", True),
    ("ok", False),
    ("NOT ok", True),
    ("!partial", True),
    ("responsetime > 1", True),
    ("responsetime > 2", False),
    ("duration >= 1.5", True),
    ("duration < 1", False),
    ("http.status = 502", True),
    ("http.status != 502", False),
    ('http.url CONTAINS "orders"', True),
    ('http.method = "GET"', False),
    ('annotation.order_id = "o-17"', True),
    ('annotation.order_id = "o-18"', False),
    ("annotation.items > 2", True),
    ("annotation.vip = true", True),
    ('annotation[order_id] BEGINSWITH "o-"', True),
    ('service("orders")', True),
    ('service("billing")', False),
    ('service("orders") { fault }', True),
    ('service("abc/prod") { fault }', False),
    ('service(id(name: "orders", type: "AWS::Lambda::Function"))', True),
    ('service(id(name: "orders", type: "AWS::Lambda"))', False),
    ('edge("abc/prod", "orders")', True),
    ('edge("orders", "abc/prod")', False),
    ('service("orders") AND annotation.items = 3', True),
    ('service("billing") OR http.status = 502', True),
    ('(service("billing") OR error) AND NOT throttle', False),
    ('service("orders") && !ok || fault', True),
    ("inferred", True),
])
def test_expressions(expression, expected):
    assert compile_filter(expression)(trace()) is expected


@pytest.mark.parametrize("expression", ["service(", "responsetime > \"x\"", "colour = 3", "frobnicate(1)",
                                        "AND error"])
def test_bad_expressions_are_refused(expression):
    with pytest.raises(FilterError):
        compile_filter(expression)
