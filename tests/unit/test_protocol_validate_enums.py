"""The protocol layer's `validation="enums"` mode (IAM, elbv2): required members (nested ones too)
and enum values are checked as AWS words them; lengths, ranges and patterns are left to the service."""

from __future__ import annotations

from overcast.protocol.catalog import service_model
from overcast.protocol.validate import Wording, violations

ENUMS = Wording(enums_only=True)


def shape(service: str, operation: str):  # type: ignore[no-untyped-def]
    return service_model(service).operation_model(operation).input_shape


def test_an_enum_value_outside_the_set_is_reported():
    found = violations(shape("elbv2", "CreateTargetGroup"), {"Name": "tg", "Protocol": "http"}, wording=ENUMS)
    assert len(found) == 1
    assert found[0].startswith("Value 'http' at 'protocol' failed to satisfy constraint: "
                               "Member must satisfy enum value set: [")


def test_lengths_and_patterns_are_not_checked():
    # a role name breaking the model's length and pattern: IAM words such limits itself
    params = {"RoleName": "bad name " * 20, "AssumeRolePolicyDocument": "{}"}
    assert violations(shape("iam", "CreateRole"), params, wording=ENUMS) == []
    assert violations(shape("iam", "CreateRole"), params) != []  # the full mode would have


def test_nested_required_members_and_enums_are_checked():
    params = {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Tags": [{"Key": "k"}]}
    assert violations(shape("iam", "CreateRole"), params, wording=ENUMS) == [
        "Value null at 'tags.1.value' failed to satisfy constraint: Member must not be null"]
    found = violations(shape("iam", "UpdateAccessKey"), {"AccessKeyId": "AKIA", "Status": "Paused"}, wording=ENUMS)
    assert [f.split(":")[0] for f in found] == ["Value 'Paused' at 'status' failed to satisfy constraint"]
