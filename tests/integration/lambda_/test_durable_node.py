"""A Node.js durable function written with AWS's durable execution SDK for JavaScript
(@aws/durable-execution-sdk-js), which the runtime provides as AWS's Node.js runtimes do:
steps, a wait on the platform clock, replay and a callback."""

from __future__ import annotations

import json
import uuid

import pytest

from overcast.execution import node_sdk
from overcast.testing import OvercastServer, wait_until
from overcast.testing.lambdas import ROLE, wait_settled, zip_files
from tests.integration.lambda_.polyglot import needs_node

pytestmark = needs_node

HANDLER = """
const fs = require("fs");
const { withDurableExecution } = require("@aws/durable-execution-sdk-js");

const note = (text) => fs.appendFileSync(process.env.RUNS_FILE, text + "\\n");

exports.handler = withDurableExecution(async (event, context) => {
  const first = await context.step("add-one", async () => { note("step-1"); return event.n + 1; });
  await context.wait("pause", { seconds: 120 });
  const answer = await context.waitForCallback("approval", async (callbackId) => {
    fs.writeFileSync(process.env.CALLBACK_FILE, callbackId);
  });
  const second = await context.step("times-ten", async () => { note("step-2"); return first * 10; });
  return { result: second, answer };
});
"""


@pytest.fixture(scope="module")
def lam(tmp_path_factory):
    try:
        node_sdk.install(quiet=True)
    except (node_sdk.SdkUnavailable, OSError) as exc:
        pytest.skip(f"the AWS SDKs for JavaScript could not be installed (npm registry unreachable?): {exc}")
    with OvercastServer(tmp_path_factory.mktemp("durable-node"), time_scale=0.01) as server:
        yield server.client("lambda")


def test_node_durable_function_steps_wait_callback_and_replay(lam, tmp_path):
    runs, callback = tmp_path / "runs.txt", tmp_path / "callback"
    name = f"durable-node-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=name, Runtime="nodejs22.x", Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": zip_files({"index.js": HANDLER})}, Timeout=30,
                        DurableConfig={"ExecutionTimeout": 3600},
                        Environment={"Variables": {"RUNS_FILE": str(runs), "CALLBACK_FILE": str(callback)}})
    wait_settled(lam, name)
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 4}')
    response["Payload"].read()
    arn = response["DurableExecutionArn"]
    wait_until(lambda: callback.exists() and callback.read_text(), 120, "the function published its callback id")
    lam.send_durable_execution_callback_success(CallbackId=callback.read_text(), Result=b"approved")

    def ended():
        execution = lam.get_durable_execution(DurableExecutionArn=arn)
        return execution if execution["Status"] != "RUNNING" else None

    execution = wait_until(ended, 60, "the execution ended")
    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    assert json.loads(execution["Result"]) == {"result": 50, "answer": "approved"}
    assert runs.read_text().split() == ["step-1", "step-2"]
    kinds = [e["EventType"] for e in lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]]
    for kind in ("WaitSucceeded", "CallbackSucceeded", "StepSucceeded", "ExecutionSucceeded"):
        assert kind in kinds
