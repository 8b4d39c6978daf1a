"""Lambda durable functions with the real AWS Durable Execution SDK for Python: steps, waits on the
platform clock, replay, callbacks, stop, the execution APIs and their errors."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer, wait_until
from tests.integration.lambda_.durable_helpers import create_durable

STEPS_AND_WAIT = """
import os
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration

RUNS = os.environ.get("RUNS_FILE")


def note(text):
    with open(RUNS, "a") as f:
        f.write(text + "\\n")


@durable_execution
def handler(event, context: DurableContext):
    first = context.step(lambda _: note("step-1") or event["n"] + 1, name="add-one")
    context.wait(Duration.from_seconds(120), name="pause")
    second = context.step(lambda _: note("step-2") or first * 10, name="times-ten")
    return {"result": second}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # a 120-second wait lasts about 1.2 s
    with OvercastServer(tmp_path_factory.mktemp("durable"), time_scale=0.01) as running:
        yield running


@pytest.fixture(scope="module")
def lam(server):
    return server.client("lambda")


def test_steps_wait_and_replay_sync_invoke(lam, tmp_path):
    runs = tmp_path / "runs.txt"
    name = create_durable(lam, STEPS_AND_WAIT, Environment={"Variables": {"RUNS_FILE": str(runs)}})
    response = lam.invoke(FunctionName=name, Payload=b'{"n": 4}')
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"result": 50}
    arn = response["DurableExecutionArn"]
    assert arn.startswith(f"arn:aws:lambda:us-east-1:000000000000:function:{name}:$LATEST/durable-execution/")
    # each step ran once: the invocation after the wait replayed the first from its checkpoint
    assert runs.read_text().split() == ["step-1", "step-2"]

    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "SUCCEEDED"
    assert execution["Result"] == '{"result": 50}'
    assert execution["InputPayload"] == '{"n": 4}'
    assert execution["FunctionArn"].endswith(f":function:{name}:$LATEST")
    assert execution["DurableExecutionName"] == arn.split("/")[-2]
    assert execution["EndTimestamp"] >= execution["StartTimestamp"]

    events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    kinds = [e["EventType"] for e in events]
    assert kinds[0] == "ExecutionStarted" and kinds[-1] == "ExecutionSucceeded"
    assert kinds.count("InvocationCompleted") == 2  # suspended at the wait, then replayed to the end
    for kind in ("StepStarted", "StepSucceeded", "WaitStarted", "WaitSucceeded"):
        assert kind in kinds
    assert [e["EventId"] for e in events] == list(range(1, len(events) + 1))
    step = next(e for e in events if e["EventType"] == "StepSucceeded")
    assert step["Name"] == "add-one"
    assert step["StepSucceededDetails"]["Result"]["Payload"] == "5"
    wait = next(e for e in events if e["EventType"] == "WaitStarted")
    assert wait["WaitStartedDetails"]["Duration"] == 120


CALLBACK = """
import os
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration


def publish(callback_id):
    with open(os.environ["CALLBACK_FILE"], "w") as f:
        f.write(callback_id)


@durable_execution
def handler(event, context: DurableContext):
    callback = context.create_callback(name="approval", config=CallbackConfig(timeout=Duration.from_hours(1)))
    context.step(lambda _: publish(callback.callback_id), name="publish")
    return {"approved": callback.result(), "order": event["order"]}
"""


def start(lam, name: str, payload: bytes = b"{}", **kwargs) -> dict:
    """An Event invoke (its empty body read, so the connection goes back to the pool)."""
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=payload, **kwargs)
    response["Payload"].read()
    return response


def _callback_id(path) -> str:
    wait_until(lambda: path.exists() and path.read_text(), 60, "the function published its callback id")
    return path.read_text()


def _closed(lam, arn: str) -> dict:
    def ended():
        execution = lam.get_durable_execution(DurableExecutionArn=arn)
        return execution if execution["Status"] != "RUNNING" else None

    return wait_until(ended, 60, "the execution ended")


def test_callback_success_resumes_an_async_execution(lam, tmp_path):
    path = tmp_path / "callback"
    name = create_durable(lam, CALLBACK, Environment={"Variables": {"CALLBACK_FILE": str(path)}})
    response = start(lam, name, b'{"order": 7}')
    assert response["StatusCode"] == 202
    arn = response["DurableExecutionArn"]
    callback_id = _callback_id(path)
    assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "RUNNING"

    lam.send_durable_execution_callback_heartbeat(CallbackId=callback_id)
    lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=b"yes")
    execution = _closed(lam, arn)
    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"approved": "yes", "order": 7}

    # a completed callback takes no second answer
    with pytest.raises(ClientError) as caught:
        lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=b"again")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    started = next(e for e in events if e["EventType"] == "CallbackStarted")
    assert started["CallbackStartedDetails"]["CallbackId"] == callback_id
    assert started["CallbackStartedDetails"]["Timeout"] == 3600
    succeeded = next(e for e in events if e["EventType"] == "CallbackSucceeded")
    assert succeeded["CallbackSucceededDetails"]["Result"]["Payload"] == "yes"


def test_callback_failure_fails_the_execution(lam, tmp_path):
    path = tmp_path / "callback"
    # the runtime's own copy of the SDK this time (AWS's Python runtimes include it)
    name = create_durable(lam, CALLBACK, bundle=False, Environment={"Variables": {"CALLBACK_FILE": str(path)}})
    arn = start(lam, name, b'{"order": 8}')["DurableExecutionArn"]
    lam.send_durable_execution_callback_failure(CallbackId=_callback_id(path),
                                                Error={"ErrorType": "Rejected", "ErrorMessage": "not approved"})
    execution = _closed(lam, arn)
    assert execution["Status"] == "FAILED"
    assert "not approved" in execution["Error"]["ErrorMessage"]
    kinds = [e["EventType"] for e in lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]]
    assert "CallbackFailed" in kinds and kinds[-1] == "ExecutionFailed"


def test_unknown_callback_id_is_not_found(lam):
    with pytest.raises(ClientError) as caught:
        lam.send_durable_execution_callback_success(CallbackId="AAAAAAAAAAAAAAAA", Result=b"{}")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


LONG_WAIT = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration


@durable_execution
def handler(event, context: DurableContext):
    context.step(lambda _: "started", name="begin")
    context.wait(Duration.from_hours(24), name="a-day")
    return "done"
"""


def test_stop_a_waiting_execution(lam):
    name = create_durable(lam, LONG_WAIT)
    arn = start(lam, name, b"{}")["DurableExecutionArn"]
    wait_until(lambda: {"WaitStarted", "InvocationCompleted"} <= {
        e["EventType"] for e in lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]},
        60, "the execution suspended in its wait")
    stopped = lam.stop_durable_execution(DurableExecutionArn=arn,
                                         Error={"ErrorType": "Cancelled", "ErrorMessage": "no longer needed"})
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "STOPPED"
    assert execution["EndTimestamp"] == stopped["StopTimestamp"]
    assert execution["Error"] == {"ErrorType": "Cancelled", "ErrorMessage": "no longer needed"}
    events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    assert events[-1]["EventType"] == "ExecutionStopped"
    # a stopped execution cannot be stopped again
    with pytest.raises(ClientError) as caught:
        lam.stop_durable_execution(DurableExecutionArn=arn)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_execution_names_make_starts_idempotent_and_list_filters(lam):
    name = create_durable(lam, LONG_WAIT)
    first = start(lam, name, b'{"a": 1}', DurableExecutionName="order-1")
    again = start(lam, name, b'{"a": 1}', DurableExecutionName="order-1")
    assert first["DurableExecutionArn"] == again["DurableExecutionArn"]
    assert first["DurableExecutionArn"].split("/")[-2] == "order-1"
    with pytest.raises(ClientError) as caught:
        start(lam, name, b'{"a": 2}', DurableExecutionName="order-1")
    assert caught.value.response["Error"]["Code"] == "DurableExecutionAlreadyStartedException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    other = start(lam, name, b"{}")["DurableExecutionArn"]
    lam.stop_durable_execution(DurableExecutionArn=other)

    listed = lam.list_durable_executions_by_function(FunctionName=name)["DurableExecutions"]
    assert [e["DurableExecutionArn"] for e in listed] == [first["DurableExecutionArn"], other]
    assert listed[0]["DurableExecutionName"] == "order-1"
    assert listed[0]["FunctionArn"].endswith(f":function:{name}:$LATEST")
    stopped = lam.list_durable_executions_by_function(FunctionName=name, Statuses=["STOPPED"])["DurableExecutions"]
    assert [e["DurableExecutionArn"] for e in stopped] == [other]
    named = lam.list_durable_executions_by_function(FunctionName=name, DurableExecutionName="order-1")
    assert [e["Status"] for e in named["DurableExecutions"]] == ["RUNNING"]
    paged = lam.list_durable_executions_by_function(FunctionName=name, MaxItems=1, ReverseOrder=True)
    assert [e["DurableExecutionArn"] for e in paged["DurableExecutions"]] == [other]
    rest = lam.list_durable_executions_by_function(FunctionName=name, MaxItems=1, ReverseOrder=True,
                                                   Marker=paged["NextMarker"])
    assert [e["DurableExecutionArn"] for e in rest["DurableExecutions"]] == [first["DurableExecutionArn"]]
    lam.stop_durable_execution(DurableExecutionArn=first["DurableExecutionArn"])


def test_errors(lam):
    missing = (f"arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST/durable-execution/"
               f"x/{uuid.uuid4()}")
    for call in (lambda: lam.get_durable_execution(DurableExecutionArn=missing),
                 lambda: lam.get_durable_execution_history(DurableExecutionArn=missing),
                 lambda: lam.stop_durable_execution(DurableExecutionArn=missing)):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        lam.get_durable_execution(DurableExecutionArn="arn:aws:lambda:us-east-1:000000000000:function:f")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    # an execution name is for durable functions only
    plain = f"plain-{uuid.uuid4().hex[:8]}"
    from overcast.testing import create_function

    create_function(lam, "def handler(event, context):\n    return 1\n", name=plain)
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName=plain, Payload=b"{}", DurableExecutionName="n1")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    # durable execution is enabled when a function is created, with an ExecutionTimeout (AWS's rules)
    with pytest.raises(ClientError) as caught:
        lam.update_function_configuration(FunctionName=plain, DurableConfig={"ExecutionTimeout": 60})
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as caught:
        create_durable(lam, LONG_WAIT, execution_timeout=None)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"

    # a checkpoint with a token the execution never issued
    name = create_durable(lam, LONG_WAIT)
    arn = start(lam, name, b"{}")["DurableExecutionArn"]
    with pytest.raises(ClientError) as caught:
        lam.checkpoint_durable_execution(DurableExecutionArn=arn, CheckpointToken="AAAA", Updates=[])
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as caught:
        lam.get_durable_execution_state(DurableExecutionArn=arn, CheckpointToken="AAAA")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    lam.stop_durable_execution(DurableExecutionArn=arn)
    with pytest.raises(ClientError) as caught:
        lam.list_durable_executions_by_function(FunctionName="no-such-function")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


FAILING = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event, context: DurableContext):
    context.step(lambda _: 1, name="fine")
    raise ValueError("bad order " + str(event["order"]))
"""


def test_sync_invoke_of_a_failing_execution_answers_its_error(lam):
    name = create_durable(lam, FAILING)
    response = lam.invoke(FunctionName=name, Payload=b'{"order": 9}')
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "bad order 9"
    execution = lam.get_durable_execution(DurableExecutionArn=response["DurableExecutionArn"])
    assert execution["Status"] == "FAILED"
    assert execution["Error"]["ErrorType"] == "ValueError"


def test_durable_config_on_versions_and_in_the_configuration(lam):
    name = create_durable(lam, FAILING.replace('raise ValueError("bad order " + str(event["order"]))',
                                               'return "v" + str(event["order"])'))
    config = lam.get_function_configuration(FunctionName=name)
    assert config["DurableConfig"] == {"ExecutionTimeout": 3600, "RetentionPeriodInDays": 14}
    lam.update_function_configuration(FunctionName=name, DurableConfig={"ExecutionTimeout": 600,
                                                                        "RetentionPeriodInDays": 3})
    from overcast.testing.lambdas import wait_settled

    wait_settled(lam, name)
    version = lam.publish_version(FunctionName=name)["Version"]
    assert lam.get_function_configuration(FunctionName=name, Qualifier=version)["DurableConfig"] == {
        "ExecutionTimeout": 600, "RetentionPeriodInDays": 3}
    response = lam.invoke(FunctionName=name, Qualifier=version, Payload=b'{"order": 1}')
    assert json.loads(response["Payload"].read()) == "v1"
    assert response["ExecutedVersion"] == version
    arn = response["DurableExecutionArn"]
    assert f":function:{name}:{version}/durable-execution/" in arn
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Version"] == version
    assert execution["DurableConfig"] == {"ExecutionTimeout": 600, "RetentionPeriodInDays": 3}
    listed = lam.list_durable_executions_by_function(FunctionName=name, Qualifier=version)["DurableExecutions"]
    assert [e["DurableExecutionArn"] for e in listed] == [arn]


SHORT_WAIT = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration


@durable_execution
def handler(event, context: DurableContext):
    context.wait(Duration.from_seconds(60), name="minute")
    return "resumed"
"""


def test_pause_and_resume(lam):
    name = create_durable(lam, SHORT_WAIT)
    arn = start(lam, name)["DurableExecutionArn"]
    wait_until(lambda: "WaitStarted" in [e["EventType"] for e in
                                         lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]],
               60, "the execution waits")
    lam.pause_durable_execution(DurableExecutionArn=arn, Reason="maintenance", ExecutionTimeoutPaused=True)
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "PAUSED"
    assert execution["PauseDetails"]["Reason"] == "maintenance"
    assert execution["PauseDetails"]["ExecutionTimeoutPaused"] is True
    with pytest.raises(ClientError) as caught:
        lam.pause_durable_execution(DurableExecutionArn=arn)
    assert caught.value.response["Error"]["Code"] == "ResourceConflictException"
    lam.resume_durable_execution(DurableExecutionArn=arn, Reason="done")
    with pytest.raises(ClientError) as caught:
        lam.resume_durable_execution(DurableExecutionArn=arn)
    assert caught.value.response["Error"]["Code"] == "ResourceConflictException"
    execution = _closed(lam, arn)
    assert execution["Status"] == "SUCCEEDED"
    assert "PauseDetails" not in execution
    kinds = [e["EventType"] for e in lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]]
    assert kinds.index("ExecutionPaused") < kinds.index("ExecutionResumed") < kinds.index("ExecutionSucceeded")

    # an ended execution can be deleted; it is then gone
    lam.delete_durable_execution(DurableExecutionArn=arn)
    with pytest.raises(ClientError) as caught:
        lam.get_durable_execution(DurableExecutionArn=arn)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_sync_invoke_waits_at_most_the_function_timeout(lam):
    # AWS: a synchronous invoke of a durable function lasts at most 15 minutes, or less when the
    # function's timeout is lower; the execution itself goes on
    name = create_durable(lam, LONG_WAIT, timeout=3)
    response = lam.invoke(FunctionName=name, Payload=b"{}")
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "Sandbox.Timedout"
    arn = response["DurableExecutionArn"]
    assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "RUNNING"
    lam.stop_durable_execution(DurableExecutionArn=arn)
