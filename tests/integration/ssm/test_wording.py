"""SSM's own wording of constraint violations (values recorded against AWS in moto's SSM tests): a
trailing period, `.N.member` paths, patterns without the model's anchors, and string list items
reported once on the whole list."""

from __future__ import annotations

import uuid

import botocore.exceptions
import pytest


@pytest.fixture
def ssm(overcast_server):
    return overcast_server.client("ssm")


def _message(call, **params) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**params)
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return info.value.response["Error"]["Message"]


def test_length_and_value_limits_end_with_a_period(ssm):
    names = [f"n{i}" for i in range(11)]
    assert _message(ssm.get_parameters, Names=names) == (
        f"1 validation error detected: Value '[{', '.join(names)}]' at 'names' failed to satisfy "
        "constraint: Member must have length less than or equal to 10.")
    name = f"/w-{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=name, Value="v", Type="String")
    assert _message(ssm.get_parameter_history, Name=name, MaxResults=51) == (
        "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 50.")


def test_label_items_are_reported_on_the_whole_list(ssm):
    name = f"/w-{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=name, Value="v", Type="String")
    long_label = "a" * 101
    assert _message(ssm.label_parameter_version, Name=name, ParameterVersion=1, Labels=[long_label]) == (
        f"1 validation error detected: Value '[{long_label}]' at 'labels' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length less than or equal to 100, "
        "Member must have length greater than or equal to 1]")


def test_enum_clauses_have_no_period(ssm):
    assert _message(ssm.put_parameter, Name="/w-enum", Value="v", Type="str") == (
        "1 validation error detected: Value 'str' at 'type' failed to satisfy constraint: Member must "
        "satisfy enum value set: [SecureString, StringList, String]")


def test_parameter_filters_wording(ssm):
    assert _message(ssm.describe_parameters, ParameterFilters=[{"Key": "key"}]) == (
        "1 validation error detected: Value 'key' at 'parameterFilters.1.member.key' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "tag:.+|Name|Type|KeyId|Path|Label|Tier.")
    values = ["t" * 1025]
    assert _message(ssm.describe_parameters, ParameterFilters=[{"Key": "Name", "Values": values}]) == (
        f"1 validation error detected: Value '[{values[0]}]' at 'parameterFilters.1.member.values' "
        "failed to satisfy constraint: Member must satisfy constraint: [Member must have length less "
        "than or equal to 1024, Member must have length greater than or equal to 1]")
    two = _message(ssm.describe_parameters, ParameterFilters=[{"Key": "Name", "Option": "over 10 chars"},
                                                              {"Key": "key"}])
    assert two == (
        "2 validation errors detected: Value 'over 10 chars' at 'parameterFilters.1.member.option' "
        "failed to satisfy constraint: Member must have length less than or equal to 10.; Value 'key' at "
        "'parameterFilters.2.member.key' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier.")
