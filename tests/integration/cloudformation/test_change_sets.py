"""Change sets as `aws cloudformation deploy` and CDK drive them, and the AWS CLI's deploy itself."""

from __future__ import annotations

import json
import subprocess
import sys

import botocore.exceptions
import pytest

from tests.integration.cloudformation.helpers import body, check, physical, unique, wait

V1 = {"Resources": {"A": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}},
                    "B": {"Type": "AWS::SQS::Queue"}}}


def changes(cf, change_set: str, stack: str) -> dict[str, dict]:
    found = cf.describe_change_set(ChangeSetName=change_set, StackName=stack)["Changes"]
    return {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in found}


def test_create_and_update_through_change_sets(cf):
    name = unique()
    created = cf.create_change_set(StackName=name, ChangeSetName="first", ChangeSetType="CREATE",
                                   TemplateBody=body(V1), Description="the first")
    assert created["Id"].startswith("arn:aws:cloudformation:us-east-1:000000000000:changeSet/first/")
    cf.get_waiter("change_set_create_complete").wait(ChangeSetName=created["Id"], WaiterConfig={"Delay": 0.2})
    described = cf.describe_change_set(ChangeSetName="first", StackName=name)
    assert (described["Status"], described["ExecutionStatus"]) == ("CREATE_COMPLETE", "AVAILABLE")
    assert described["Description"] == "the first"
    assert {k: v["Action"] for k, v in changes(cf, "first", name).items()} == {"A": "Add", "B": "Add"}
    assert cf.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
    assert [s["ChangeSetName"] for s in cf.list_change_sets(StackName=name)["Summaries"]] == ["first"]

    cf.execute_change_set(ChangeSetName="first", StackName=name)
    cf.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300})
    stack = cf.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["ChangeSetId"] == created["Id"]
    assert cf.list_change_sets(StackName=name)["Summaries"] == []  # executed: the stack's change sets are gone
    before = physical(cf, name)

    v2 = {"Resources": {"A": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}},
                        "C": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": unique("c")}}}}
    cf.create_change_set(StackName=name, ChangeSetName="second", TemplateBody=body(v2))
    found = changes(cf, "second", name)
    assert found["A"]["Action"] == "Modify" and found["A"]["Replacement"] == "False"
    assert found["A"]["Details"][0]["Target"]["Name"] == "VisibilityTimeout"
    assert found["A"]["PhysicalResourceId"] == before["A"]
    assert found["B"]["Action"] == "Remove" and found["C"]["Action"] == "Add"

    v3 = {"Resources": {"A": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": unique("a")}}, "B": V1["Resources"]["B"]}}
    cf.create_change_set(StackName=name, ChangeSetName="third", TemplateBody=body(v3))
    assert changes(cf, "third", name)["A"]["Replacement"] == "True"
    cf.delete_change_set(ChangeSetName="third", StackName=name)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.describe_change_set(ChangeSetName="third", StackName=name)
    assert info.value.response["Error"]["Code"] == "ChangeSetNotFound"

    cf.execute_change_set(ChangeSetName="second", StackName=name)
    cf.get_waiter("stack_update_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300})
    after = physical(cf, name)
    assert after["A"] == before["A"] and "B" not in after and "C" in after
    assert cf.list_change_sets(StackName=name)["Summaries"] == []


def test_deleting_a_missing_change_set_by_name_succeeds_while_the_stack_exists(cf):
    # what `cdk deploy` does before each update: DeleteChangeSet of `cdk-deploy-change-set`, there or not
    name = unique()
    check(cf, wait(cf, cf.create_stack(StackName=name, TemplateBody=body(V1))["StackId"]))
    cf.delete_change_set(ChangeSetName="cdk-deploy-change-set", StackName=name)
    for missing in ({"ChangeSetName": "cdk-deploy-change-set", "StackName": unique("gone")},
                    {"ChangeSetName": f"arn:aws:cloudformation:us-east-1:000000000000:changeSet/x/{unique()}"}):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            cf.delete_change_set(**missing)
        assert info.value.response["Error"]["Code"] == "ChangeSetNotFound"


def test_change_set_without_changes_fails_with_aws_reason(cf):
    name = unique()
    check(cf, wait(cf, cf.create_stack(StackName=name, TemplateBody=body(V1))["StackId"]))
    cf.create_change_set(StackName=name, ChangeSetName="same", TemplateBody=body(V1))
    described = cf.describe_change_set(ChangeSetName="same", StackName=name)
    assert described["Status"] == "FAILED"
    assert described["StatusReason"] == ("The submitted information didn't contain changes. Submit different "
                                         "information to create a change set.")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.execute_change_set(ChangeSetName="same", StackName=name)
    assert info.value.response["Error"]["Code"] == "InvalidChangeSetStatus"


def test_change_set_errors(cf):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_change_set(StackName=unique(), ChangeSetName="x", TemplateBody=body(V1))
    assert info.value.response["Error"]["Code"] == "ValidationError"
    name = unique()
    check(cf, wait(cf, cf.create_stack(StackName=name, TemplateBody=body(V1))["StackId"]))
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_change_set(StackName=name, ChangeSetName="x", ChangeSetType="CREATE", TemplateBody=body(V1))
    assert info.value.response["Error"]["Code"] == "AlreadyExistsException"


def _cli(server, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.url, "cloudformation", *args],
                          env=server.aws_cli_env(), capture_output=True, text=True, timeout=120)


def test_aws_cli_deploy(overcast_server, cf, tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("""
Parameters:
  Timeout:
    Type: Number
    Default: 30
Resources:
  Work:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Timeout
Outputs:
  Url:
    Value: !Ref Work
""")
    name = unique("cli")
    first = _cli(overcast_server, "deploy", "--template-file", str(path), "--stack-name", name,
                 "--parameter-overrides", "Timeout=45")
    assert first.returncode == 0, first.stderr
    assert f"Successfully created/updated stack - {name}" in first.stdout
    stack = cf.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["Parameters"] == [{"ParameterKey": "Timeout", "ParameterValue": "45"}]
    again = _cli(overcast_server, "deploy", "--template-file", str(path), "--stack-name", name,
                 "--no-fail-on-empty-changeset")
    assert again.returncode == 0, again.stderr
    assert f"No changes to deploy. Stack {name} is up to date" in again.stdout
    listed = json.loads(_cli(overcast_server, "describe-stack-resources", "--stack-name", name).stdout)
    assert [r["LogicalResourceId"] for r in listed["StackResources"]] == ["Work"]
