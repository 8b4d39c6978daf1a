"""CloudFormation templates in process: YAML short forms, intrinsic functions, conditions,
parameters, dependency order — the parts that need no server."""

from __future__ import annotations

import pytest

from overcast.services.cloudformation import graph
from overcast.services.cloudformation.dependencies import references
from overcast.services.cloudformation.errors import CfnValidationError
from overcast.services.cloudformation.intrinsics import (
    NO_VALUE,
    Scope,
    evaluate_conditions,
    pseudo_parameters,
    resolve,
)
from overcast.services.cloudformation.parameters import described, resolve_parameters
from overcast.services.cloudformation.plan import prepare
from overcast.services.cloudformation.template import parse


def scope(**parameters) -> Scope:
    return Scope(parameters=parameters, pseudo=pseudo_parameters("123456789012", "eu-west-1", "st", "arn:st"),
                 mappings={"M": {"a": {"k": "v"}}}, resources=frozenset({"Q", "T"}),
                 refs=lambda name: f"ref-{name}", attribute=lambda name, attr: f"{name}.{attr}", region="eu-west-1")


def test_yaml_short_forms_become_long_forms():
    doc = parse("""
Resources:
  A:
    Type: AWS::SQS::Queue
    Properties:
      One: !GetAtt B.Arn.Nested
      Two: !GetAtt [B, Arn]
      Three: !Sub "${AWS::Region}"
      Four: !If [C, !Ref X, !Ref AWS::NoValue]
      Five: !Join [",", !Split ["-", "a-b"]]
      Date: 2010-09-09
      Cond: !Condition C
""")
    props = doc["Resources"]["A"]["Properties"]
    assert props["One"] == {"Fn::GetAtt": ["B", "Arn.Nested"]}
    assert props["Two"] == {"Fn::GetAtt": ["B", "Arn"]}
    assert props["Three"] == {"Fn::Sub": "${AWS::Region}"}
    assert props["Four"] == {"Fn::If": ["C", {"Ref": "X"}, {"Ref": "AWS::NoValue"}]}
    assert props["Five"] == {"Fn::Join": [",", {"Fn::Split": ["-", "a-b"]}]}
    assert props["Date"] == "2010-09-09"  # CloudFormation keeps dates as strings
    assert props["Cond"] == {"Condition": "C"}


def test_duplicate_yaml_keys_are_a_format_error():
    with pytest.raises(CfnValidationError, match="YAML not well-formed"):
        parse("Resources:\n  A: 1\n  A: 2\n")


def test_sub_with_escapes_locals_and_attributes():
    s = scope(Env="dev")
    assert resolve({"Fn::Sub": "${!Keep}-${Env}-${AWS::AccountId}"}, s) == "${Keep}-dev-123456789012"
    assert resolve({"Fn::Sub": ["${X}/${Q.Arn}/${Q}", {"X": {"Ref": "Env"}}]}, s) == "dev/Q.Arn/ref-Q"


def test_no_value_removes_members_and_items():
    s = scope()
    s.conditions = {"Yes": True, "No": False}
    value = {"A": {"Fn::If": ["No", 1, {"Ref": "AWS::NoValue"}]}, "B": [1, {"Fn::If": ["No", 2, {"Ref": "AWS::NoValue"}]}]}
    assert resolve(value, s) == {"B": [1]}
    assert resolve({"Ref": "AWS::NoValue"}, s) is NO_VALUE


def test_select_cidr_find_in_map_base64_and_errors():
    s = scope()
    assert resolve({"Fn::Select": ["1", ["a", "b"]]}, s) == "b"
    assert resolve({"Fn::Cidr": ["192.168.0.0/24", 2, 6]}, s) == ["192.168.0.0/26", "192.168.0.64/26"]
    assert resolve({"Fn::FindInMap": ["M", "a", "k"]}, s) == "v"
    assert resolve({"Fn::GetAZs": ""}, s) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    with pytest.raises(CfnValidationError, match="Fn::Select cannot select nonexistent value at index 5"):
        resolve({"Fn::Select": [5, ["a"]]}, s)
    with pytest.raises(CfnValidationError, match="Unable to get mapping for M::a::zz"):
        resolve({"Fn::FindInMap": ["M", "a", "zz"]}, s)


def test_conditions_refer_to_conditions():
    s = scope(Env="prod")
    result = evaluate_conditions({
        "Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "Both": {"Fn::And": [{"Condition": "Prod"}, {"Fn::Not": [{"Condition": "Dev"}]}]},
        "Dev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]},
    }, s)
    assert result == {"Prod": True, "Both": True, "Dev": False}


def test_references_follow_sub_getatt_and_chosen_if_branch():
    s = scope()
    s.conditions = {"C": False}
    value = {"A": {"Fn::Sub": "${Q.Arn}${!T}"}, "B": {"Fn::If": ["C", {"Ref": "T"}, {"Ref": "Q"}]},
             "D": {"Fn::Sub": ["${Local}", {"Local": {"Fn::GetAtt": ["T", "Name"]}}]}}
    assert references(value, s) == {"Q", "T"}
    assert references({"Fn::If": ["C", {"Ref": "T"}, "x"]}, s) == set()


def test_cycles_name_only_the_resources_on_them():
    deps = {"A": {"B"}, "B": {"A"}, "C": {"A"}, "D": set()}
    with pytest.raises(CfnValidationError, match=r"^Circular dependency between resources: \[A, B\]$"):
        graph.order(["A", "B", "C", "D"], deps)
    assert graph.order(["C", "A", "D"], {"C": {"A"}}) == ["A", "D", "C"]


@pytest.mark.parametrize(("decl", "value", "message"), [
    ({"Type": "String", "MinLength": 3}, "ab", "Parameter 'P' must contain at least 3 characters"),
    ({"Type": "String", "MaxLength": 1}, "ab", "Parameter 'P' must contain at most 1 characters"),
    ({"Type": "Number", "MaxValue": 5}, "6", "Parameter 'P' must be a number not greater than 5"),
    ({"Type": "Number", "MinValue": 5}, "4", "Parameter 'P' must be a number not less than 5"),
    ({"Type": "String", "AllowedPattern": "[0-9]+"}, "x", "Parameter 'P' must match pattern [0-9]+"),
    ({"Type": "String", "AllowedPattern": "[0-9]+", "ConstraintDescription": "digits only"}, "x",
     "Parameter 'P' failed to satisfy constraint: digits only"),
    ({"Type": "List<Number>"}, "1,x", "Parameter 'P' must be a number."),
])
def test_parameter_constraints(decl, value, message):
    with pytest.raises(CfnValidationError) as info:
        resolve_parameters({"P": decl}, [{"ParameterKey": "P", "ParameterValue": value}])
    assert info.value.message == message


def test_parameter_values_previous_values_and_ssm():
    decls = {"L": {"Type": "CommaDelimitedList"}, "S": {"Type": "AWS::SSM::Parameter::Value<String>",
                                                         "Default": "/x"}, "K": {"Type": "String", "NoEcho": True}}
    values, raw = resolve_parameters(decls, [{"ParameterKey": "L", "ParameterValue": "a, b"},
                                             {"ParameterKey": "K", "UsePreviousValue": True}],
                                     previous={"K": "secret"}, ssm=lambda name: f"value-of{name}")
    assert values == {"L": ["a", "b"], "S": "value-of/x", "K": "secret"}
    shown = {p["ParameterKey"]: p for p in described(decls, raw, values)}
    assert shown["K"]["ParameterValue"] == "****"
    assert shown["S"]["ResolvedValue"] == "value-of/x"


def test_rules_and_capabilities_are_checked_before_anything_runs():
    template = {
        "Parameters": {"V": {"Type": "String", "Default": "3"}},
        "Rules": {"Check": {"Assertions": [{"Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3"], {"Ref": "V"}]}]},
                                            "AssertDescription": "version too old"}]}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
    }
    pseudo = pseudo_parameters("123456789012", "us-east-1", "s", "arn:s")
    with pytest.raises(CfnValidationError, match="version too old"):
        prepare(template, None, pseudo, "us-east-1")
    plan = prepare(template, [{"ParameterKey": "V", "ParameterValue": "9"}], pseudo, "us-east-1")
    assert plan.order == ["Q"]
