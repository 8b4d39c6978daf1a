"""Parameter Store's name, filter and policy rules, and CloudFormation's dynamic reference parsing."""

from __future__ import annotations

import pytest

from overcast.services.cloudformation import dynamic
from overcast.services.ssm import filters, names, policies
from overcast.services.ssm.errors import (
    IncompatiblePolicyException,
    InvalidFilterOption,
    InvalidPolicyAttributeException,
    ValidationException,
)
from overcast.testing import FakeClock


@pytest.mark.parametrize(("reference", "expected"), [
    ("db", ("db", None, True)),
    ("/app/db:3", ("/app/db", "3", True)),
    ("/app/db:live", ("/app/db", "live", True)),
    ("/app/db:1:2", ("/app/db", None, False)),
    ("arn:aws:ssm:us-east-1:123456789012:parameter/app/db:2", ("/app/db", "2", True)),
    ("arn:aws:ssm:us-east-1:123456789012:parameter/db", ("db", None, True)),
])
def test_references(reference, expected):
    assert names.split_selector(reference) == expected


def test_one_level_names_share_a_key():
    assert names.key("/db") == names.key("db") == "db"
    assert names.key("/a/b") == "/a/b"
    assert names.arn("eu-west-1", "1", "/a/b") == "arn:aws:ssm:eu-west-1:1:parameter/a/b"


@pytest.mark.parametrize("name", ["a b", "a//b", "/a/", "x" * 1012])
def test_bad_names(name):
    with pytest.raises(ValidationException):
        names.check_new(name)


def test_filters_match():
    doc = {"Name": "/app/db/url", "Type": "String", "Tier": "Standard", "Tags": {"team": "a"}}
    assert filters.matches(doc, [{"Key": "Path", "Values": ["/app/db"]}])
    assert not filters.matches(doc, [{"Key": "Path", "Values": ["/app"]}])
    assert filters.matches(doc, [{"Key": "Path", "Option": "Recursive", "Values": ["/app"]}])
    assert filters.matches(doc, [{"Key": "Name", "Option": "BeginsWith", "Values": ["app/d"]}])
    assert filters.matches(doc, [{"Key": "tag:team", "Values": []}])
    assert not filters.matches(doc, [{"Key": "tag:team", "Values": ["b"]}])
    with pytest.raises(InvalidFilterOption):
        filters.check([{"Key": "Type", "Option": "Contains", "Values": ["String"]}], by_path=False)


def test_policies():
    clock = FakeClock()
    parsed = policies.parse('[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2100-01-01T00:00:00Z"}},'
                            '{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"2","Unit":"Hours"}}]')
    state = policies.schedule(parsed, clock)
    assert state["NoChangeNotification"]["due"] == pytest.approx(clock.now() + 7200 * clock.scale)
    assert policies.next_due(state) == state["NoChangeNotification"]["due"]
    with pytest.raises(IncompatiblePolicyException):
        policies.parse('[{"Type":"Expiration","Attributes":{"Timestamp":"2100-01-01"}},'
                       '{"Type":"Expiration","Attributes":{"Timestamp":"2100-01-01"}}]')
    with pytest.raises(InvalidPolicyAttributeException):
        policies.parse('[{"Type":"NoChangeNotification","Attributes":{"After":"0","Unit":"Days"}}]')


def test_dynamic_references():
    props = {"A": "x {{resolve:ssm:/a/b:2}} y", "B": [{"C": "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:1:"
                                                           "secret:s-AbCd:SecretString:user}}"}]}
    assert dynamic.references(props) == [("ssm", "/a/b:2"), ("secretsmanager",
                                         "arn:aws:secretsmanager:us-east-1:1:secret:s-AbCd:SecretString:user")]
    assert dynamic.split_ssm("/a/b:2") == ("/a/b", "2")
    assert dynamic.split_ssm("/a/b") == ("/a/b", None)
    with pytest.raises(dynamic.DynamicReferenceError, match=r"Parameters: \[ssm:/x\] cannot be found."):
        dynamic.check_template({"R": {"Properties": {"V": "{{resolve:ssm:/x}}"}}}, lambda _: False)


def test_tier_limits():
    from overcast.services.ssm import writes
    from overcast.services.ssm.errors import ParameterLimitExceeded

    writes.check_count("Standard", 9999)
    with pytest.raises(ParameterLimitExceeded, match=r"maximum number of standard parameters .* \(10000\)"):
        writes.check_count("Standard", 10000)
    writes.check_count("Advanced", 10000)
    with pytest.raises(ParameterLimitExceeded):
        writes.check_count("Advanced", 100000)
