"""State machine and execution operations: AWS's errors, idempotent names, listing, stopping,
StartSyncExecution for EXPRESS machines, tags, validation diagnostics, status change events."""

from __future__ import annotations

import json

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from overcast.testing import wait_until
from tests.integration.stepfunctions.helpers import ROLE, finished, machine, output, types, unique

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100000, "End": True}}}


@pytest.fixture
def sfn(aws):
    return aws("stepfunctions")


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


def test_create_describe_update_list_delete(sfn):
    name = unique()
    arn = sfn.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)["stateMachineArn"]
    assert arn == f"arn:aws:states:us-east-1:000000000000:stateMachine:{name}"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert (described["name"], described["status"], described["type"]) == (name, "ACTIVE", "STANDARD")
    assert json.loads(described["definition"]) == PASS
    assert described["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    # the same name and definition again: the same machine; another definition: StateMachineAlreadyExists
    assert sfn.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)["stateMachineArn"] == arn
    err = error_of(sfn.create_state_machine, name=name, definition=json.dumps(WAIT), roleArn=ROLE)
    assert err == {"Code": "StateMachineAlreadyExists", "Message": f"State Machine Already Exists: '{arn}'"}
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(WAIT))
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == WAIT
    assert arn in [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]
    sfn.delete_state_machine(stateMachineArn=arn)
    err = error_of(sfn.describe_state_machine, stateMachineArn=arn)
    assert err == {"Code": "StateMachineDoesNotExist", "Message": f"State Machine Does Not Exist: '{arn}'"}


def test_invalid_definitions_get_aws_diagnostics(sfn):
    err = error_of(sfn.create_state_machine, name=unique(), roleArn=ROLE,
                   definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}))
    assert err["Code"] == "InvalidDefinition"
    assert err["Message"] == ("Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' "
                              "target: B at /States/A/Next'")
    err = error_of(sfn.create_state_machine, name=unique(), roleArn=ROLE, definition="{not json")
    assert err["Code"] == "InvalidDefinition" and "INVALID_JSON_DESCRIPTION" in err["Message"]
    err = error_of(sfn.create_state_machine, name="bad name", roleArn=ROLE, definition=json.dumps(PASS))
    assert err == {"Code": "InvalidName", "Message": "Invalid Name: 'bad name'"}
    result = sfn.validate_state_machine_definition(definition=json.dumps({"States": {}}))
    assert result["result"] == "FAIL" and result["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert sfn.validate_state_machine_definition(definition=json.dumps(PASS))["result"] == "OK"


def test_execution_names_inputs_and_errors(sfn):
    arn = machine(sfn, WAIT)
    started = sfn.start_execution(stateMachineArn=arn, name="order-1", input='{"a":1}')
    assert started["executionArn"] == arn.replace(":stateMachine:", ":execution:") + ":order-1"
    assert sfn.start_execution(stateMachineArn=arn, name="order-1", input='{"a":1}')["executionArn"] == \
        started["executionArn"]
    err = error_of(sfn.start_execution, stateMachineArn=arn, name="order-1", input='{"a":2}')
    assert err == {"Code": "ExecutionAlreadyExists", "Message": f"Execution Already Exists: '{started['executionArn']}'"}
    assert error_of(sfn.start_execution, stateMachineArn=arn, input="{nope")["Code"] == "InvalidExecutionInput"
    missing = arn + "-missing"
    assert error_of(sfn.start_execution, stateMachineArn=missing)["Code"] == "StateMachineDoesNotExist"
    gone = started["executionArn"] + "-gone"
    assert error_of(sfn.describe_execution, executionArn=gone) == {
        "Code": "ExecutionDoesNotExist", "Message": f"Execution Does Not Exist: '{gone}'"}
    listed = sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
    assert [e["name"] for e in listed] == ["order-1"]
    sfn.stop_execution(executionArn=started["executionArn"], error="Cancelled", cause="by test")
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Cancelled", "by test")
    events = sfn.get_execution_history(executionArn=started["executionArn"], reverseOrder=True)["events"]
    assert events[0]["type"] == "ExecutionAborted"
    assert events[0]["executionAbortedEventDetails"] == {"error": "Cancelled", "cause": "by test"}


def test_start_sync_execution_on_express(aws):
    # StartSyncExecution's endpoint has the host prefix `sync-`: a local endpoint needs it off
    sfn = aws("stepfunctions", config=Config(inject_host_prefix=False))
    arn = machine(sfn, {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, 2)"},
                                                         "End": True}}}, kind="EXPRESS")
    result = sfn.start_sync_execution(stateMachineArn=arn, input='{"a": 40}')
    assert result["status"] == "SUCCEEDED" and json.loads(result["output"]) == {"sum": 42}
    assert ":express:" in result["executionArn"]
    standard = machine(sfn, PASS)
    assert error_of(sfn.start_sync_execution, stateMachineArn=standard)["Code"] == "StateMachineTypeNotSupported"
    failing = machine(sfn, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}},
                      kind="EXPRESS")
    result = sfn.start_sync_execution(stateMachineArn=failing)
    assert (result["status"], result["error"], result["cause"]) == ("FAILED", "E", "c")


def test_tags(sfn):
    arn = machine(sfn, PASS)
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "orders"}])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "orders"}]
    sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == []


def test_status_changes_reach_eventbridge(sfn, aws):
    events, sqs = aws("events"), aws("sqs")
    queue = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    arn = machine(sfn, PASS)
    rule = unique("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["aws.states"],
                                                        "detail": {"stateMachineArn": [arn]}}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn}])
    execution = sfn.start_execution(stateMachineArn=arn, input='{"x": 1}')["executionArn"]
    assert output(finished(sfn, execution)) == {"x": 1}
    seen: list[dict] = []

    def both() -> bool:
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []):
            seen.append(json.loads(message["Body"]))
        return len(seen) >= 2

    from overcast.testing import wait_until

    wait_until(both, timeout=30, what="two status change events")
    assert {e["detail"]["status"] for e in seen} == {"RUNNING", "SUCCEEDED"}
    assert all(e["detail-type"] == "Step Functions Execution Status Change" and e["resources"] == [execution]
               for e in seen)


def test_eventbridge_rule_starts_an_execution(sfn, aws):
    """A rule's target is a state machine: the outbox delivers to the stepfunctions service, and
    the event is the execution's input."""
    events = aws("events")
    arn = machine(sfn, PASS)
    rule = unique("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["orders"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "sm", "Arn": arn, "RoleArn": ROLE}])
    events.put_events(Entries=[{"Source": "orders", "DetailType": "placed", "Detail": json.dumps({"id": 9})}])
    from overcast.testing import wait_until

    started = wait_until(lambda: sfn.list_executions(stateMachineArn=arn)["executions"], timeout=30,
                         what="an execution started by the rule")
    result = output(finished(sfn, started[0]["executionArn"]))
    assert result["source"] == "orders" and result["detail"] == {"id": 9}


def test_redrive_runs_again_from_the_failed_state(sfn, aws):
    """The first run fails at the Task (no queue yet); after the queue exists, RedriveExecution
    runs that Task again with its input and the execution succeeds."""
    sqs = aws("sqs")
    name = unique("q")
    arn = machine(sfn, {"StartAt": "First", "States": {
        "First": {"Type": "Pass", "Result": "done", "ResultPath": "$.first", "Next": "Send"},
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueUrl",
                 "Parameters": {"QueueName": name}, "ResultSelector": {"url.$": "$.QueueUrl"}, "End": True}}})
    execution = sfn.start_execution(stateMachineArn=arn, input='{"a": 1}')["executionArn"]
    failed = finished(sfn, execution)
    assert failed["status"] == "FAILED" and failed["redriveStatus"] == "REDRIVABLE"
    sqs.create_queue(QueueName=name)
    sfn.redrive_execution(executionArn=execution)
    described = finished(sfn, execution)
    # the URL's host is the platform's public one (the test's client may use another name for it)
    assert output(described)["url"].endswith(f"/000000000000/{name}") and described["redriveCount"] == 1
    history = types(sfn, execution)
    assert history.count("PassStateEntered") == 1 and "ExecutionRedriven" in history
    assert history[-1] == "ExecutionSucceeded"
    assert error_of(sfn.redrive_execution, executionArn=execution)["Code"] == "ExecutionNotRedrivable"


def test_versions_and_aliases(sfn):
    v1_def = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "v1", "End": True}}}
    v2_def = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "v2", "End": True}}}
    created = sfn.create_state_machine(name=unique(), definition=json.dumps(v1_def), roleArn=ROLE, publish=True,
                                       versionDescription="first")
    arn, v1 = created["stateMachineArn"], created["stateMachineVersionArn"]
    assert v1 == f"{arn}:1"
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(v2_def))
    v2 = sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
    assert v2 == f"{arn}:2"
    assert sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"] == v2  # unchanged
    assert [v["stateMachineVersionArn"] for v in sfn.list_state_machine_versions(stateMachineArn=arn)[
        "stateMachineVersions"]] == [v2, v1]
    described = sfn.describe_state_machine(stateMachineArn=v1)
    assert json.loads(described["definition"]) == v1_def and described["description"] == "first"
    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 100}])["stateMachineAliasArn"]
    assert alias == f"{arn}:live"
    execution = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    done = finished(sfn, execution)
    assert output(done) == "v1"
    assert (done["stateMachineAliasArn"], done["stateMachineVersionArn"]) == (alias, v1)
    sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=[
        {"stateMachineVersionArn": v2, "weight": 100}])
    assert output(finished(sfn, sfn.start_execution(stateMachineArn=alias)["executionArn"])) == "v2"
    assert output(finished(sfn, sfn.start_execution(stateMachineArn=v1)["executionArn"])) == "v1"
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=alias)["name"] == "live"
    assert [a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(stateMachineArn=arn)[
        "stateMachineAliases"]] == [alias]
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    assert [v["stateMachineVersionArn"] for v in sfn.list_state_machine_versions(stateMachineArn=arn)[
        "stateMachineVersions"]] == [v2]


def test_express_start_execution_keeps_no_readable_history(aws):
    """AWS: an EXPRESS execution started asynchronously runs, but DescribeExecution,
    GetExecutionHistory, StopExecution and ListExecutions do not support it; a name may be reused."""
    sfn, sqs = aws("stepfunctions"), aws("sqs")
    queue = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = machine(sfn, {"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": queue, "MessageBody.$": "$"}, "End": True}}}, kind="EXPRESS")
    first = sfn.start_execution(stateMachineArn=arn, name="same", input='{"n": 1}')["executionArn"]
    second = sfn.start_execution(stateMachineArn=arn, name="same", input='{"n": 2}')["executionArn"]
    name = arn.rsplit(":", 1)[-1]
    assert first != second and first.startswith(arn.replace(":stateMachine:", ":express:") + ":same:")
    bodies = wait_until(lambda: (found := sorted(m["Body"] for m in sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []))) and found, timeout=30,
        what="the executions' messages")
    assert bodies[0] in ('{"n":1}', '{"n":2}') and name in first
    for call in (sfn.describe_execution, sfn.get_execution_history, sfn.stop_execution):
        with pytest.raises(sfn.exceptions.InvalidArn):
            call(executionArn=first)
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.list_executions(stateMachineArn=arn)


def test_arns_name_the_partition_of_their_region(overcast_server):
    for region, partition in (("cn-northwest-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")):
        sfn = overcast_server.client("stepfunctions", region_name=region)
        arn = sfn.create_state_machine(name=unique(), definition=json.dumps(PASS), roleArn=ROLE)["stateMachineArn"]
        assert arn.startswith(f"arn:{partition}:states:{region}:")
        assert sfn.create_activity(name=unique("a"))["activityArn"].startswith(f"arn:{partition}:states:{region}:")
