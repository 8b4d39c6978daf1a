"""Filter policy and event pattern rules AWS records (issue 15): dotted keys, arrays at any depth,
validation wording, numeric precision."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from overcast.errors import ServiceError
from overcast.patterns import InvalidEventPattern, compile_pattern
from overcast.services.sns import filter_policy as fp


def _body_matches(policy: dict, body: dict) -> bool:
    checked = fp.check(json.dumps(policy), "MessageBody", subscribe=False)
    assert checked is not None
    return fp.matches_body(checked, json.dumps(body))


def _reason(policy: dict, scope: str) -> str:
    with pytest.raises(ServiceError) as info:
        fp.check(json.dumps(policy), scope, subscribe=False)
    return info.value.message


def test_dotted_key_matches_nested_path():
    assert _body_matches({"a.b": ["x"]}, {"a": {"b": "x"}})
    assert not _body_matches({"a.b": ["x"]}, {"a": {"b": "y"}})
    assert compile_pattern({"a.b": ["x"]}).matches({"a": {"b": "x"}})
    assert compile_pattern({"a": {"b": ["x"]}}).matches({"a.b": "x"})


def test_arrays_flatten_at_any_depth():
    body = {"a": [[{"b": [["x"]]}], {"b": "y"}]}
    assert _body_matches({"a": {"b": ["x"]}}, body)
    assert compile_pattern({"a": {"b": ["x"]}}).matches(body)


def test_validation_wording():
    assert _reason({"k": {"suffix": "x"}}, "MessageAttributes") == \
        'Invalid parameter: FilterPolicy: "suffix" must be an object or an array'
    assert _reason({"k": [{"numeric": []}]}, "MessageAttributes") == \
        "Invalid parameter: FilterPolicy: Invalid member in numeric match: ]"
    assert _reason({"k": [{"anything-but": {"suffix": "x"}}]}, "MessageAttributes") == \
        "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: suffix"
    with pytest.raises(InvalidEventPattern) as info:
        compile_pattern({"k": [{"numeric": []}]})
    assert info.value.reason == "Invalid member in numeric match: ]"


def test_numbers_compare_to_five_decimal_places():
    policy = {"n": [{"numeric": ["=", Decimal("1.000001")]}]}
    assert fp.matches_attributes(policy, {"n": {"DataType": "Number", "StringValue": "1.000002"}})
    assert not fp.matches_attributes(policy, {"n": {"DataType": "Number", "StringValue": "1.0001"}})
    assert fp.matches_attributes({"n": [Decimal("2.000001")]}, {"n": {"DataType": "Number", "StringValue": "2"}})
