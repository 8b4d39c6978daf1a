"""Each condition operator family, `IfExists`, `Null` and the set qualifiers
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)."""

from __future__ import annotations

import base64

import pytest

from overcast.authz.conditions import conditions_hold, known_operator


def holds(block: dict, **context: object) -> bool:
    return conditions_hold(block, {k.replace("__", "/").replace("_", ":", 1).lower(): v for k, v in context.items()})


def test_string_operators():
    assert holds({"StringEquals": {"aws:username": "alice"}}, aws_username="alice")
    assert not holds({"StringEquals": {"aws:username": "Alice"}}, aws_username="alice")
    assert holds({"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}, aws_username="alice")
    assert holds({"StringNotEquals": {"aws:username": ["bob", "carol"]}}, aws_username="alice")
    assert not holds({"StringNotEquals": {"aws:username": ["alice"]}}, aws_username="alice")
    assert holds({"StringLike": {"aws:username": "al*"}}, aws_username="alice")
    assert holds({"StringNotLike": {"aws:username": "b?b"}}, aws_username="alice")
    assert holds({"StringNotEqualsIgnoreCase": {"aws:username": "BOB"}}, aws_username="alice")


def test_condition_key_names_are_case_insensitive_and_values_any_of():
    assert conditions_hold({"StringEquals": {"AWS:UserName": ["bob", "alice"]}}, {"aws:username": "alice"})


def test_numeric_operators():
    for op, want, result in [("NumericEquals", "10", True), ("NumericNotEquals", "10", False),
                             ("NumericLessThan", "11", True), ("NumericLessThanEquals", "10", True),
                             ("NumericGreaterThan", "10", False), ("NumericGreaterThanEquals", "9.5", True)]:
        assert conditions_hold({op: {"s3:max-keys": want}}, {"s3:max-keys": "10"}) is result, op
    assert not conditions_hold({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "ten"})


def test_date_operators_take_iso_and_epoch():
    now = "2026-01-02T03:04:05Z"
    assert holds({"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}, aws_currenttime=now)
    assert holds({"DateLessThan": {"aws:CurrentTime": "1800000000"}}, aws_currenttime=now)
    assert holds({"DateEquals": {"aws:CurrentTime": "2026-01-02T03:04:05+00:00"}}, aws_currenttime=now)
    assert holds({"DateNotEquals": {"aws:CurrentTime": "2025-01-01"}}, aws_currenttime=now)
    assert holds({"DateLessThanEquals": {"aws:CurrentTime": now}}, aws_currenttime=now)
    assert not holds({"DateGreaterThanEquals": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}, aws_currenttime=now)


def test_bool_binary_ip():
    assert holds({"Bool": {"aws:SecureTransport": "true"}}, aws_securetransport="true")
    assert holds({"Bool": {"aws:SecureTransport": False}}, aws_securetransport="false")
    blob = base64.b64encode(b"\x00\x01").decode()
    assert holds({"BinaryEquals": {"x:blob": blob}}, x_blob=blob)
    assert holds({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, aws_sourceip="10.1.2.3")
    assert holds({"NotIpAddress": {"aws:SourceIp": ["192.168.0.0/16"]}}, aws_sourceip="10.1.2.3")
    assert holds({"IpAddress": {"aws:SourceIp": "::1/128"}}, aws_sourceip="::1")


def test_arn_operators():
    rule = "arn:aws:events:us-east-1:111111111111:rule/checkout"
    assert holds({"ArnEquals": {"aws:SourceArn": rule}}, aws_sourcearn=rule)
    assert holds({"ArnLike": {"aws:SourceArn": "arn:aws:events:*:111111111111:rule/*"}}, aws_sourcearn=rule)
    assert holds({"ArnNotLike": {"aws:SourceArn": "arn:aws:events:*:222222222222:*"}}, aws_sourcearn=rule)
    assert holds({"ArnNotEquals": {"aws:SourceArn": rule + "x"}}, aws_sourcearn=rule)
    assert not holds({"ArnLike": {"aws:SourceArn": "arn:aws:events:us-*"}}, aws_sourcearn=rule)


def test_missing_keys_positive_false_negated_true_if_exists_true():
    assert not holds({"StringEquals": {"aws:SourceAccount": "111111111111"}})
    assert holds({"StringNotEquals": {"aws:SourceAccount": "111111111111"}})
    assert holds({"StringEqualsIfExists": {"aws:SourceAccount": "111111111111"}})
    assert not holds({"StringEqualsIfExists": {"aws:SourceAccount": "1"}}, aws_sourceaccount="2")
    assert holds({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:sns:*"}})


def test_null():
    assert holds({"Null": {"aws:SourceArn": "true"}})
    assert not holds({"Null": {"aws:SourceArn": "true"}}, aws_sourcearn="arn:aws:sns:us-east-1:1:t")
    assert holds({"Null": {"aws:SourceArn": "false"}}, aws_sourcearn="arn:aws:sns:us-east-1:1:t")


def test_set_qualifiers():
    allowed = {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}
    assert holds(allowed, aws_tagkeys=["team"])
    assert not holds(allowed, aws_tagkeys=["team", "owner"])
    assert holds(allowed)  # no values: ForAllValues holds
    anyone = {"ForAnyValue:StringLike": {"aws:TagKeys": "own*"}}
    assert holds(anyone, aws_tagkeys=["team", "owner"])
    assert not holds(anyone, aws_tagkeys=["team"])
    assert not holds(anyone)


def test_every_operator_and_key_must_hold():
    block = {"StringEquals": {"aws:username": "alice", "aws:RequestedRegion": "eu-west-1"},
             "Bool": {"aws:SecureTransport": "true"}}
    assert holds(block, aws_username="alice", aws_requestedregion="eu-west-1", aws_securetransport="true")
    assert not holds(block, aws_username="alice", aws_requestedregion="us-east-1", aws_securetransport="true")


def test_policy_variables_in_condition_values():
    block = {"StringEquals": {"aws:RequestTag/owner": "${aws:username}"}}
    assert holds(block, aws_username="alice", aws_requesttag__owner="alice")
    assert not holds(block, aws_username="alice", aws_requesttag__owner="bob")


@pytest.mark.parametrize("name", ["StringEquals", "ForAllValues:StringLike", "ArnLikeIfExists", "Null",
                                  "ForAnyValue:NumericLessThanIfExists"])
def test_known_operators(name):
    assert known_operator(name)


def test_unknown_operator_matches_nothing():
    assert not known_operator("StringSortOf")
    assert not holds({"StringSortOf": {"aws:username": "alice"}}, aws_username="alice")
