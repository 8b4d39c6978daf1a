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


@pytest.fixture
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
