"""SNS filter policies: matching vectors from AWS's documentation, and validation messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from overcast.errors import ServiceError
from overcast.services.sns import filter_policy as fp


def policy_of(raw: str, scope: str, *, subscribe: bool) -> dict[str, Any]:
    """A checked policy (never empty in these tests)."""
    policy = fp.check(raw, scope, subscribe=subscribe)
    assert policy is not None
    return policy


def attrs(**values: object) -> dict:
    out: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        if isinstance(value, list):
            out[name] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        elif isinstance(value, int | float):
            out[name] = {"DataType": "Number", "StringValue": str(value)}
        else:
            out[name] = {"DataType": "String", "StringValue": value}
    return out


def matches(policy: dict, **values: object) -> bool:
    return fp.matches_attributes(policy_of(json.dumps(policy), "MessageAttributes", subscribe=False), attrs(**values))


@pytest.mark.parametrize(("policy", "values", "expected"), [
    ({"store": ["example_corp"]}, {"store": "example_corp"}, True),
    ({"store": ["example_corp"]}, {"store": "other"}, False),
    ({"store": ["example_corp"]}, {}, False),
    ({"interests": ["rugby"]}, {"interests": ["soccer", "rugby"]}, True),
    ({"price": [{"numeric": [">=", 100, "<", 200]}]}, {"price": 150}, True),
    ({"price": [{"numeric": [">=", 100, "<", 200]}]}, {"price": 200}, False),
    ({"price": [{"numeric": ["=", 301.5]}]}, {"price": 301.5}, True),
    ({"price": [100]}, {"price": 100.0}, True),
    ({"price": [100]}, {"price": "100"}, False),
    ({"event": [{"prefix": "order-"}]}, {"event": "order-placed"}, True),
    ({"event": [{"suffix": "-placed"}]}, {"event": "order-placed"}, True),
    ({"event": [{"equals-ignore-case": "ORDER"}]}, {"event": "order"}, True),
    ({"event": [{"anything-but": ["cancelled", "refunded"]}]}, {"event": "placed"}, True),
    ({"event": [{"anything-but": ["cancelled", "refunded"]}]}, {"event": "cancelled"}, False),
    ({"event": [{"anything-but": "x"}]}, {}, False),
    ({"event": [{"anything-but": {"prefix": "order-"}}]}, {"event": "order-x"}, False),
    ({"event": [{"anything-but": {"prefix": "order-"}}]}, {"event": "refund"}, True),
    ({"price": [{"anything-but": [100]}]}, {"price": 101}, True),
    ({"store": [{"exists": True}]}, {"store": "x"}, True),
    ({"store": [{"exists": False}]}, {"store": "x"}, False),
    ({"store": [{"exists": False}]}, {}, True),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.255"}, True),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.1.0"}, False),
    ({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db8::1"}, True),
    ({"a": ["x"], "b": ["y"]}, {"a": "x"}, False),
    ({"a": ["x"], "$or": [{"b": ["y"]}, {"c": ["z"]}]}, {"a": "x", "c": "z"}, True),
    ({"a": ["x"], "$or": [{"b": ["y"]}, {"c": ["z"]}]}, {"a": "x"}, False),
])
def test_attribute_matching(policy, values, expected):
    assert matches(policy, **values) is expected


def test_binary_attributes_never_match():
    policy = policy_of('{"b": ["AQ=="]}', "MessageAttributes", subscribe=False)
    assert not fp.matches_attributes(policy, {"b": {"DataType": "Binary", "BinaryValue": b"\x01"}})


@pytest.mark.parametrize(("policy", "body", "expected"), [
    ({"order": {"kind": ["book"]}}, {"order": {"kind": "book"}}, True),
    ({"order": {"kind": ["book"]}}, {"order": {"kind": "pen"}}, False),
    ({"order": {"items": {"sku": ["a"]}}}, {"order": {"items": [{"sku": "b"}, {"sku": "a"}]}}, True),
    ({"tags": ["x"]}, {"tags": ["w", "x"]}, True),
    ({"flag": [True]}, {"flag": True}, True),
    ({"flag": [True]}, {"flag": "true"}, False),
    ({"v": [None]}, {"v": None}, True),
    ({"n": [{"numeric": [">", 1]}]}, {"n": 1.5}, True),
    ({"missing": [{"exists": False}]}, {"other": 1}, True),
    ({"$or": [{"a": ["1"]}, {"b": {"c": ["2"]}}]}, {"b": {"c": "2"}}, True),
])
def test_body_matching(policy, body, expected):
    checked = policy_of(json.dumps(policy), "MessageBody", subscribe=False)
    assert fp.matches_body(checked, json.dumps(body)) is expected


def test_body_scope_with_a_non_json_message_matches_nothing():
    checked = policy_of('{"a": ["x"]}', "MessageBody", subscribe=False)
    assert not fp.matches_body(checked, "plain text")


@pytest.mark.parametrize(("policy", "reason"), [
    ({"a": [{"numeric": [">", 5, "<", 1]}]}, "FilterPolicy: Bottom must be less than top"),
    ({"a": [{"numeric": ["<", 5, ">", 1]}]}, "FilterPolicy: Too many elements in numeric expression"),
    ({"a": [{"numeric": ["~", 5]}]}, "FilterPolicy: Unrecognized numeric range operator: ~"),
    ({"a": [{"numeric": [">", 1, "=", 5]}]}, "FilterPolicy: Bad numeric range operator: ="),
    ({"a": [{"prefix": 5}]}, "FilterPolicy: prefix match pattern must be a string"),
    ({"a": [{"cidr": "10.0.0.0"}]}, "FilterPolicy: Malformed CIDR, one '/' required"),
    ({"a": [{"cidr": "10.0.0.0/x"}]}, "FilterPolicy: Malformed CIDR, mask bits must be an integer"),
    ({"a": [{"cidr": "10.0.0.300/24"}]}, "FilterPolicy: Nonstandard IP address: 10.0.0.300"),
    ({"a": [{"prefix": "x", "suffix": "y"}]}, "FilterPolicy: Only one key allowed in match expression"),
    ({"a": [["nested"]]}, "FilterPolicy: Match value must be String, number, true, false, or null"),
    ({"a": "x"}, 'FilterPolicy: "a" must be an object or an array'),
    ({"a": [{"anything-but": {"numeric": [">", 1]}}]}, "FilterPolicy: Unsupported anything-but pattern: numeric"),
    ({"a": [str(i) for i in range(40)], "b": [str(i) for i in range(4)]}, "FilterPolicy: Filter policy is too complex"),
])
def test_validation_messages(policy, reason):
    with pytest.raises(ServiceError) as info:
        fp.check(json.dumps(policy), "MessageBody", subscribe=False)
    assert info.value.code == "InvalidParameter"
    assert info.value.message == f"Invalid parameter: {reason}"
    with pytest.raises(ServiceError) as info:
        fp.check(json.dumps(policy), "MessageBody", subscribe=True)
    assert info.value.message == f"Invalid parameter: Attributes Reason: {reason}"


def test_nested_combinations_count_depth():
    # AWS's documented example: 4 values at depth 3 and 3 values at depth 2 -> 4*3 * 3*2 = 72 (allowed)
    policy = {"key_a": {"key_b": {"key_c": ["1", "2", "3", "4"]}}, "key_d": {"key_e": ["1", "2", "3"]}}
    assert fp._combinations(policy, "MessageBody", 1) == 72
    assert fp.check(json.dumps(policy), "MessageBody", subscribe=False) is not None


def test_invalid_json_and_empty_policy():
    with pytest.raises(ServiceError):
        fp.check("{not json", "MessageAttributes", subscribe=False)
    assert fp.check("", "MessageAttributes", subscribe=False) is None
