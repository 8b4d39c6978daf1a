"""Choice rules: every comparison operator and its Path form, the type tests, And/Or/Not, with
AWS's rules (a comparison of values of the wrong type is false; a missing variable fails the rule)."""

from __future__ import annotations

import pytest

from overcast.services.stepfunctions.choice import matches

DATA = {"s": "beta", "n": 5, "f": 2.5, "b": True, "t": "2024-06-01T12:00:00Z", "nul": None,
        "other": {"s": "alpha", "n": 7, "b": True, "t": "2024-06-02T00:00:00+00:00"}}


@pytest.mark.parametrize(("rule", "expected"), [
    ({"Variable": "$.s", "StringEquals": "beta"}, True),
    ({"Variable": "$.s", "StringLessThan": "gamma"}, True),
    ({"Variable": "$.s", "StringGreaterThan": "gamma"}, False),
    ({"Variable": "$.s", "StringLessThanEquals": "beta"}, True),
    ({"Variable": "$.s", "StringGreaterThanEquals": "alpha"}, True),
    ({"Variable": "$.s", "StringEqualsPath": "$.other.s"}, False),
    ({"Variable": "$.s", "StringGreaterThanPath": "$.other.s"}, True),
    ({"Variable": "$.s", "StringMatches": "b*a"}, True),
    ({"Variable": "$.s", "StringMatches": "b\\*"}, False),
    ({"Variable": "$.n", "NumericEquals": 5}, True),
    ({"Variable": "$.f", "NumericLessThan": 3}, True),
    ({"Variable": "$.n", "NumericGreaterThan": 5}, False),
    ({"Variable": "$.n", "NumericLessThanEquals": 5}, True),
    ({"Variable": "$.n", "NumericGreaterThanEquals": 6}, False),
    ({"Variable": "$.n", "NumericLessThanPath": "$.other.n"}, True),
    ({"Variable": "$.n", "NumericEqualsPath": "$.other.n"}, False),
    ({"Variable": "$.s", "NumericEquals": 5}, False),  # a string is never numerically equal
    ({"Variable": "$.b", "BooleanEquals": True}, True),
    ({"Variable": "$.b", "BooleanEqualsPath": "$.other.b"}, True),
    ({"Variable": "$.t", "TimestampEquals": "2024-06-01T12:00:00Z"}, True),
    ({"Variable": "$.t", "TimestampLessThan": "2024-06-01T12:00:01Z"}, True),
    ({"Variable": "$.t", "TimestampGreaterThan": "2024-06-01T12:00:01Z"}, False),
    ({"Variable": "$.t", "TimestampLessThanEqualsPath": "$.other.t"}, True),
    ({"Variable": "$.t", "TimestampGreaterThanEquals": "2024-06-01T12:00:00Z"}, True),
    ({"Variable": "$.missing", "IsPresent": False}, True),
    ({"Variable": "$.s", "IsPresent": True}, True),
    ({"Variable": "$.nul", "IsNull": True}, True),
    ({"Variable": "$.b", "IsBoolean": True}, True),
    ({"Variable": "$.f", "IsNumeric": True}, True),
    ({"Variable": "$.b", "IsNumeric": True}, False),
    ({"Variable": "$.s", "IsString": True}, True),
    ({"Variable": "$.t", "IsTimestamp": True}, True),
    ({"Variable": "$.s", "IsTimestamp": True}, False),
    ({"Variable": "$.missing", "StringEquals": "x"}, False),
    ({"And": [{"Variable": "$.n", "NumericEquals": 5}, {"Variable": "$.b", "BooleanEquals": True}]}, True),
    ({"Or": [{"Variable": "$.n", "NumericEquals": 4}, {"Variable": "$.s", "StringEquals": "beta"}]}, True),
    ({"Not": {"Variable": "$.s", "StringEquals": "beta"}}, False),
    ({"Variable": "$$.Execution.Name", "StringEquals": "run-1"}, True),
])
def test_rule(rule, expected):
    assert matches(rule, DATA, {"Execution": {"Name": "run-1"}}) is expected
