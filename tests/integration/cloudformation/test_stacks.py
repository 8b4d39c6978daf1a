"""Stack life cycle: dependency order, exports and imports, rollback, updates (in place, replacement,
removal, rollback), delete, waiters, capabilities, deletion policies."""

from __future__ import annotations

import json

import botocore.exceptions
import pytest

from overcast.testing import wait_until
from tests.integration.cloudformation.helpers import (
    body,
    check,
    create,
    events,
    outputs,
    physical,
    unique,
    update,
    wait,
)

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def function(env: dict | None = None, **props) -> dict:
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE,
        "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
        **({"Environment": {"Variables": env}} if env else {}), **props}}


def queue(**props) -> dict:
    return {"Type": "AWS::SQS::Queue", "Properties": props} if props else {"Type": "AWS::SQS::Queue"}


def queue_exists(sqs, url: str) -> bool:
    try:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    except botocore.exceptions.ClientError:
        return False
    return True


def test_dependency_order_follows_refs_getatts_and_depends_on(cf):
    template = {"Resources": {
        "Fn": function({"URL": {"Ref": "Second"}}),
        "Second": {**queue(RedrivePolicy={"deadLetterTargetArn": {"Fn::GetAtt": ["First", "Arn"]},
                                          "maxReceiveCount": 3}), "DependsOn": "Third"},
        "First": queue(),
        "Third": queue(),
    }}
    name = unique()
    check(cf, create(cf, template, name))
    trail = [(logical, status) for logical, status, _ in events(cf, name)]
    done = {logical: trail.index((logical, "CREATE_COMPLETE")) for logical in ("Fn", "Second", "First", "Third")}
    started = {logical: trail.index((logical, "CREATE_IN_PROGRESS")) for logical in done}
    assert done["First"] < started["Second"] and done["Third"] < started["Second"]
    assert done["Second"] < started["Fn"]
    assert trail[-1] == (name, "CREATE_COMPLETE")


def test_exports_and_imports_across_stacks(cf, sqs):
    exporter, importer = unique("exp"), unique("imp")
    check(cf, create(cf, {"Resources": {"Dlq": queue()}, "Outputs": {"DlqArn": {
        "Value": {"Fn::GetAtt": ["Dlq", "Arn"]}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-DlqArn"}}}}},
        exporter))
    export_name = f"{exporter}-DlqArn"
    exports = {e["Name"]: e for e in cf.list_exports()["Exports"]}
    assert exports[export_name]["Value"].startswith("arn:aws:sqs:us-east-1:000000000000:")
    stack = check(cf, create(cf, {"Resources": {"Work": queue(RedrivePolicy={
        "deadLetterTargetArn": {"Fn::ImportValue": export_name}, "maxReceiveCount": 2})},
        "Outputs": {"Url": {"Value": {"Ref": "Work"}}}}, importer))
    policy = sqs.get_queue_attributes(QueueUrl=outputs(stack)["Url"], AttributeNames=["RedrivePolicy"])
    assert json.loads(policy["Attributes"]["RedrivePolicy"])["deadLetterTargetArn"] == exports[export_name]["Value"]
    assert cf.list_imports(ExportName=export_name)["Imports"] == [importer]

    exporter_id = cf.describe_stacks(StackName=exporter)["Stacks"][0]["StackId"]
    cf.delete_stack(StackName=exporter)
    blocked = wait(cf, exporter_id)
    assert blocked["StackStatus"] == "DELETE_FAILED"
    assert blocked["StackStatusReason"] == f"Export {export_name} cannot be deleted as it is in use by {importer}"
    importer_id = stack["StackId"]
    cf.delete_stack(StackName=importer)
    assert wait(cf, importer_id)["StackStatus"] == "DELETE_COMPLETE"
    cf.delete_stack(StackName=exporter)
    assert wait(cf, blocked["StackId"])["StackStatus"] == "DELETE_COMPLETE"
    assert export_name not in {e["Name"] for e in cf.list_exports()["Exports"]}


def test_importing_a_missing_export_is_refused(cf):
    template = {"Resources": {"Q": queue(QueueName={"Fn::ImportValue": "nobody-exports-this"})}}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_stack(StackName=unique(), TemplateBody=body(template))
    assert info.value.response["Error"]["Message"] == "No export named nobody-exports-this found."


def test_failed_resource_rolls_back_what_was_created(cf, sqs):
    name = unique()
    template = {"Resources": {"Good": queue(), "Bad": {**function(Runtime="python2.7"), "DependsOn": "Good"}}}
    stack = check(cf, create(cf, template, name), "ROLLBACK_COMPLETE")
    trail = events(cf, name)
    bad = [reason for logical, status, reason in trail if logical == "Bad" and status == "CREATE_FAILED"]
    assert "python2.7 is no longer supported" in bad[0]
    rollback = [reason for logical, status, reason in trail if logical == name and status == "ROLLBACK_IN_PROGRESS"]
    assert rollback == ["The following resource(s) failed to create: [Bad]. Rollback requested by user."]
    good_url = next(e for e in cf.describe_stack_events(StackName=name)["StackEvents"]
                    if e["LogicalResourceId"] == "Good" and e["ResourceStatus"] == "CREATE_COMPLETE")["PhysicalResourceId"]
    assert ("Good", "DELETE_COMPLETE", "") in trail
    assert not queue_exists(sqs, good_url)
    assert stack["StackStatusReason"].startswith("The following resource(s) failed to create: [Bad].")


def test_unsupported_resource_type_fails_with_a_clear_message(cf):
    name = unique()
    check(cf, create(cf, {"Resources": {"Net": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}},
                     name), "ROLLBACK_COMPLETE")
    reasons = [reason for logical, status, reason in events(cf, name) if status == "CREATE_FAILED"]
    assert reasons == ["Resource type AWS::EC2::VPC is not supported by overcast"]


def test_on_failure_do_nothing_keeps_resources(cf, sqs):
    name = unique()
    template = {"Resources": {"Good": queue(), "Bad": {**function(Runtime="python2.7"), "DependsOn": "Good"}}}
    stack = check(cf, create(cf, template, name, OnFailure="DO_NOTHING"), "CREATE_FAILED")
    assert stack["DisableRollback"] is True
    assert queue_exists(sqs, physical(cf, name)["Good"])


def test_update_touches_only_what_changed_and_replaces_on_rename(cf, sqs, lam):
    name = unique()
    v1 = {"Resources": {"A": queue(VisibilityTimeout=30), "B": queue(), "Fn": function({"QUEUE_A": {"Ref": "A"}})}}
    check(cf, create(cf, v1, name))
    before = physical(cf, name)
    seen = len(events(cf, name))

    v2 = {"Resources": {**v1["Resources"], "A": queue(VisibilityTimeout=60)}}
    check(cf, update(cf, name, v2), "UPDATE_COMPLETE")
    trail = events(cf, name)[seen:]
    touched = {logical for logical, _, _ in trail if logical != name}
    assert touched == {"A"}
    assert physical(cf, name) == before
    attrs = sqs.get_queue_attributes(QueueUrl=before["A"], AttributeNames=["VisibilityTimeout"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "60"
    statuses = [status for logical, status, _ in trail if logical == name]
    assert statuses == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"]

    renamed = unique("renamed")
    v3 = {"Resources": {**v2["Resources"], "A": queue(VisibilityTimeout=60, QueueName=renamed)}}
    seen = len(events(cf, name))
    check(cf, update(cf, name, v3), "UPDATE_COMPLETE")
    after = physical(cf, name)
    assert after["A"].endswith(f"/{renamed}") and after["B"] == before["B"]
    assert not queue_exists(sqs, before["A"])
    env = lam.get_function_configuration(FunctionName=after["Fn"])["Environment"]["Variables"]
    assert env["QUEUE_A"] == after["A"]
    trail = events(cf, name)[seen:]
    assert ("A", "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; "
                                       "hence creating one.") in trail
    cleanup = trail.index((name, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", ""))
    assert ("A", "DELETE_COMPLETE", "") in trail[cleanup:]

    v4 = {"Resources": {k: v for k, v in v3["Resources"].items() if k != "B"}}
    check(cf, update(cf, name, v4), "UPDATE_COMPLETE")
    assert "B" not in physical(cf, name)
    assert not queue_exists(sqs, before["B"])


def test_no_updates_to_perform(cf):
    name = unique()
    template = {"Resources": {"A": queue()}}
    check(cf, create(cf, template, name))
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.update_stack(StackName=name, TemplateBody=body(template))
    assert info.value.response["Error"]["Message"] == "No updates are to be performed."


def test_failed_update_rolls_back(cf, sqs):
    name = unique()
    v1 = {"Resources": {"A": queue(VisibilityTimeout=30), "Keep": queue()}}
    check(cf, create(cf, v1, name))
    url, kept = physical(cf, name)["A"], physical(cf, name)["Keep"]
    v2 = {"Resources": {"A": queue(VisibilityTimeout=90), "Keep": queue(), "Extra": queue(),
                        "Bad": {**function(Runtime="python2.7"), "DependsOn": ["A", "Extra"]}}}
    stack = check(cf, update(cf, name, v2), "UPDATE_ROLLBACK_COMPLETE")
    assert stack["StackStatusReason"] == "The following resource(s) failed to create: [Bad]. "
    assert physical(cf, name) == {"A": url, "Keep": kept}
    assert queue_exists(sqs, kept)  # untouched by the update, untouched by its rollback
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "30"
    statuses = [status for logical, status, _ in events(cf, name) if logical == name]
    assert statuses[-3:] == ["UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                             "UPDATE_ROLLBACK_COMPLETE"]
    assert cf.get_template(StackName=name)["TemplateBody"] == v1
    # the stack can be updated again after a rollback
    check(cf, update(cf, name, {"Resources": {"A": queue(VisibilityTimeout=45), "Keep": queue()}}),
          "UPDATE_COMPLETE")


def test_delete_and_describe_deleted_stack(cf, sqs):
    name = unique()
    stack = check(cf, create(cf, {"Resources": {"A": queue(), "Kept": {**queue(), "DeletionPolicy": "Retain"}}}, name))
    urls = physical(cf, name)
    cf.delete_stack(StackName=name)
    cf.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 200})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.describe_stacks(StackName=name)
    assert info.value.response["Error"]["Message"] == f"Stack with id {name} does not exist"
    gone = cf.describe_stacks(StackName=stack["StackId"])["Stacks"][0]
    assert gone["StackStatus"] == "DELETE_COMPLETE" and "DeletionTime" in gone
    assert not queue_exists(sqs, urls["A"])
    assert queue_exists(sqs, urls["Kept"])
    assert ("Kept", "DELETE_SKIPPED", "") in events(cf, stack["StackId"])
    summaries = cf.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
    assert stack["StackId"] in {s["StackId"] for s in summaries}
    cf.delete_stack(StackName=name)  # deleting a stack that is gone is no error


def test_waiters_and_resource_descriptions(cf):
    name = unique()
    cf.create_stack(StackName=name, TemplateBody=body({"Resources": {"A": queue()}}))
    cf.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 200})
    detail = cf.describe_stack_resource(StackName=name, LogicalResourceId="A")["StackResourceDetail"]
    assert detail["ResourceType"] == "AWS::SQS::Queue" and detail["ResourceStatus"] == "CREATE_COMPLETE"
    listed = cf.describe_stack_resources(PhysicalResourceId=detail["PhysicalResourceId"])["StackResources"]
    assert [r["StackName"] for r in listed] == [name]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.describe_stack_resource(StackName=name, LogicalResourceId="Nope")
    assert info.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_stack(StackName=name, TemplateBody=body({"Resources": {"A": queue()}}))
    assert info.value.response["Error"]["Code"] == "AlreadyExistsException"


def test_iam_resources_need_capabilities(cf, overcast_server):
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
        "Policies": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}}]}}
    template = {"Resources": {"Role": role, "Fn": function(Role={"Fn::GetAtt": ["Role", "Arn"]})}}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_stack(StackName=unique(), TemplateBody=body(template))
    assert info.value.response["Error"]["Code"] == "InsufficientCapabilitiesException"
    assert info.value.response["Error"]["Message"] == "Requires capabilities : [CAPABILITY_IAM]"
    name = unique()
    stack_id = check(cf, create(cf, template, name, Capabilities=["CAPABILITY_IAM"]))["StackId"]
    iam = overcast_server.client("iam")
    role_name = physical(cf, name)["Role"]
    assert iam.get_role_policy(RoleName=role_name, PolicyName="inline")["PolicyName"] == "inline"
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSLambdaBasicExecutionRole"]
    cf.delete_stack(StackName=name)
    assert wait(cf, stack_id)["StackStatus"] == "DELETE_COMPLETE"
    with pytest.raises(botocore.exceptions.ClientError):
        iam.get_role(RoleName=role_name)


def test_stack_events_go_to_notification_topics(cf, sqs, overcast_server):
    sns = overcast_server.client("sns")
    topic = sns.create_topic(Name=unique("events"))["TopicArn"]
    inbox = sqs.create_queue(QueueName=unique("inbox"))["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn, Attributes={"RawMessageDelivery": "true"})
    name = unique()
    check(cf, create(cf, {"Resources": {"A": queue()}}, name, NotificationARNs=[topic]))
    statuses: list[str] = []

    def notified() -> bool:
        for message in sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            lines = dict(line.split("=", 1) for line in message["Body"].splitlines())
            assert lines["StackName"] == f"'{name}'"
            statuses.append(f"{lines['LogicalResourceId'].strip(chr(39))} {lines['ResourceStatus'].strip(chr(39))}")
        return len(statuses) >= 4

    wait_until(notified, 20, "four stack notifications")
    assert sorted(statuses) == sorted(["A CREATE_IN_PROGRESS", "A CREATE_COMPLETE", f"{name} CREATE_IN_PROGRESS",
                                       f"{name} CREATE_COMPLETE"])


def test_events_come_in_pages_of_100_newest_first(cf):
    name = unique()
    stack = check(cf, create(cf, {"Resources": {f"Q{i}": queue() for i in range(55)}}, name))
    first = cf.describe_stack_events(StackName=name)
    assert len(first["StackEvents"]) == 100 and first["NextToken"]
    assert first["StackEvents"][0]["ResourceStatus"] == "CREATE_COMPLETE"
    assert first["StackEvents"][0]["LogicalResourceId"] == name
    second = cf.describe_stack_events(StackName=stack["StackId"], NextToken=first["NextToken"])
    assert len(second["StackEvents"]) == 2 + 2 * 55 - 100 and "NextToken" not in second
    ids = [e["EventId"] for e in first["StackEvents"] + second["StackEvents"]]
    assert len(set(ids)) == len(ids)
    assert second["StackEvents"][-1]["ResourceStatusReason"] == "User Initiated"
