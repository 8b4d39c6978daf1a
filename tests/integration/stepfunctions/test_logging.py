"""loggingConfiguration: execution events in CloudWatch Logs at levels ALL, ERROR and FATAL, with or
without execution data ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html)), and
tracingConfiguration: the execution's X-Ray segment in its Lambda calls' trace."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.config import Config

from overcast.testing import wait_until
from tests.integration.stepfunctions.helpers import ROLE, finished, unique

OK = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x": 1}, "End": True}}}
FAILS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "F"},
                                    "F": {"Type": "Fail", "Error": "Oops", "Cause": "bad"}}}


@pytest.fixture
def logs(aws):
    return aws("logs")


def logged_machine(sfn: Any, logs: Any, definition: dict[str, Any], level: str, data: bool,
                   kind: str = "STANDARD") -> tuple[str, str]:
    group = unique("/aws/vendedlogs/states/g")
    logs.create_log_group(logGroupName=group)
    group_arn = next(g["arn"] for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"])
    arn = sfn.create_state_machine(name=unique(), definition=json.dumps(definition), roleArn=ROLE, type=kind,
                                   loggingConfiguration={"level": level, "includeExecutionData": data,
                                                         "destinations": [{"cloudWatchLogsLogGroup": {
                                                             "logGroupArn": group_arn}}]})["stateMachineArn"]
    return arn, group


def entries(logs: Any, group: str, count: int) -> list[dict[str, Any]]:
    def found() -> list[dict[str, Any]] | None:
        events = logs.filter_log_events(logGroupName=group)["events"]
        return [json.loads(e["message"]) for e in events] if len(events) >= count else None

    return wait_until(found, timeout=30, what=f"{count} log events in {group}")  # type: ignore[no-any-return]


def test_level_all_with_execution_data(aws, logs):
    sfn = aws("stepfunctions")
    arn, group = logged_machine(sfn, logs, OK, "ALL", True)
    execution = sfn.start_execution(stateMachineArn=arn, input='{"in": 1}')["executionArn"]
    finished(sfn, execution)
    found = entries(logs, group, 4)
    assert [e["type"] for e in found] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                          "ExecutionSucceeded"]
    assert [e["id"] for e in found] == ["1", "2", "3", "4"]
    assert [e["previous_event_id"] for e in found] == ["0", "1", "2", "3"]
    assert {e["execution_arn"] for e in found} == {execution} and found[0]["redrive_count"] == "0"
    assert found[0]["details"]["input"] == '{"in": 1}' and found[0]["details"]["roleArn"] == ROLE
    assert json.loads(found[-1]["details"]["output"]) == {"x": 1}
    assert found[0]["event_timestamp"].isdigit()
    (stream,) = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert stream["logStreamName"].startswith(f"states/{arn.rsplit(':', 1)[-1]}/")


def test_level_error_without_execution_data(aws, logs):
    sfn = aws("stepfunctions")
    arn, group = logged_machine(sfn, logs, FAILS, "ERROR", False)
    execution = sfn.start_execution(stateMachineArn=arn, input='{"secret": 1}')["executionArn"]
    assert finished(sfn, execution)["status"] == "FAILED"
    found = entries(logs, group, 2)
    assert [e["type"] for e in found] == ["FailStateEntered", "ExecutionFailed"]
    assert "input" not in found[0]["details"] and found[0]["details"]["name"] == "F"
    assert found[1]["details"] == {"error": "Oops", "cause": "bad"}


def test_express_sync_executions_log_at_level_fatal(aws, logs):
    sfn = aws("stepfunctions", config=Config(inject_host_prefix=False))
    arn, group = logged_machine(sfn, logs, FAILS, "FATAL", True, kind="EXPRESS")
    assert sfn.start_sync_execution(stateMachineArn=arn)["status"] == "FAILED"
    ok_arn, ok_group = logged_machine(sfn, logs, OK, "ALL", True, kind="EXPRESS")
    assert sfn.start_sync_execution(stateMachineArn=ok_arn)["status"] == "SUCCEEDED"
    assert [e["type"] for e in entries(logs, group, 1)] == ["ExecutionFailed"]
    assert [e["type"] for e in entries(logs, ok_group, 4)][::3] == ["ExecutionStarted", "ExecutionSucceeded"]


LAMBDA = """
def handler(event, context):
    return {"ok": True}
"""


def test_tracing_records_the_execution_and_its_lambda_calls_in_one_trace(aws):
    import time

    from overcast.testing.lambdas import create_function

    sfn, lam, xray = aws("stepfunctions"), aws("lambda"), aws("xray")
    fn = lam.get_function(FunctionName=create_function(lam, LAMBDA, Timeout=60))["Configuration"]["FunctionArn"]
    started = time.time() - 5
    arn = sfn.create_state_machine(name=unique(), roleArn=ROLE, tracingConfiguration={"enabled": True},
                                   definition=json.dumps({"StartAt": "Call", "States": {
                                       "Call": {"Type": "Task", "Resource": fn, "Next": "Done"},
                                       "Done": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert finished(sfn, execution)["status"] == "SUCCEEDED"

    def segments() -> list[dict[str, Any]] | None:
        for summary in xray.get_trace_summaries(StartTime=started, EndTime=time.time() + 60)["TraceSummaries"]:
            trace = xray.batch_get_traces(TraceIds=[summary["Id"]])["Traces"][0]
            docs = [json.loads(s["Document"]) for s in trace["Segments"]]
            if any(d.get("origin") == "AWS::StepFunctions::StateMachine" for d in docs):
                return docs if any(d.get("origin") == "AWS::Lambda::Function" for d in docs) else None
        return None

    docs = wait_until(segments, timeout=30, what="the execution's trace")
    (machine_seg,) = [d for d in docs if d.get("origin") == "AWS::StepFunctions::StateMachine"]
    assert machine_seg["name"] == arn.rsplit(":", 1)[-1] and machine_seg["aws"]["execution_arn"] == execution
    assert [s["name"] for s in machine_seg["subsegments"]] == ["Call", "Done"]
    function_seg = next(d for d in docs if d.get("origin") == "AWS::Lambda::Function")
    assert function_seg["trace_id"] == machine_seg["trace_id"]
