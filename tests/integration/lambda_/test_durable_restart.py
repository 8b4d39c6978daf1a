"""A durable execution waiting when overcast is killed (SIGKILL) resumes after the restart: its
wait's timer and its checkpoints were committed, so the replay skips the completed step. And an
execution is kept for its retention period after it ends, then is gone."""

from __future__ import annotations

import json

from overcast.testing import OvercastServer, wait_until
from tests.integration.lambda_.durable_helpers import create_durable

WAIT_THEN_STEP = """
import os
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration


def note(text):
    with open(os.environ["RUNS_FILE"], "a") as f:
        f.write(text + "\\n")


@durable_execution
def handler(event, context: DurableContext):
    before = context.step(lambda _: note("before") or 21, name="before")
    context.wait(Duration.from_seconds(1800), name="half-an-hour")
    after = context.step(lambda _: note("after") or before * 2, name="after")
    return after
"""


def _events(lam, arn: str) -> list[str]:
    return [e["EventType"] for e in lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]]


def test_a_waiting_execution_resumes_after_sigkill(tmp_path):
    runs = tmp_path / "runs.txt"
    # the half-hour wait lasts 18 s: long enough to kill and restart overcast in the middle of it even
    # on a loaded machine (6 s was not, once: the guard below then fails rather than prove nothing)
    with OvercastServer(tmp_path / "server", time_scale=0.01) as server:
        lam = server.client("lambda")
        name = create_durable(lam, WAIT_THEN_STEP, Environment={"Variables": {"RUNS_FILE": str(runs)}})
        response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
        response["Payload"].read()
        arn = response["DurableExecutionArn"]
        wait_until(lambda: "WaitStarted" in _events(lam, arn) and "InvocationCompleted" in _events(lam, arn),
                   60, "the execution suspended in its wait")
        server.restart(crash=True)
        lam = server.client("lambda")
        assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "RUNNING"
        assert "WaitSucceeded" not in _events(lam, arn), "the wait ended before the crash: the test proves nothing"

        def ended():
            execution = lam.get_durable_execution(DurableExecutionArn=arn)
            return execution if execution["Status"] != "RUNNING" else None

        execution = wait_until(ended, 90, "the execution ended after the restart")
        assert execution["Status"] == "SUCCEEDED"
        assert json.loads(execution["Result"]) == 42
        assert runs.read_text().split() == ["before", "after"]
        assert _events(lam, arn).count("InvocationCompleted") == 2


SLOW_STEP = """
import os
import time
from aws_durable_execution_sdk_python import DurableContext, durable_execution


def note(text):
    with open(os.environ["RUNS_FILE"], "a") as f:
        f.write(text + "\\n")


def slow(_):
    note("slow")
    if len(open(os.environ["RUNS_FILE"]).read().split()) < 3:  # the first attempt hangs until overcast dies
        time.sleep(100)
    return "finished"


@durable_execution
def handler(event, context: DurableContext):
    context.step(lambda _: note("first"), name="first")
    return context.step(slow, name="slow")
"""


def test_an_invocation_cut_short_by_sigkill_runs_again_after_the_restart(tmp_path):
    runs = tmp_path / "runs.txt"
    with OvercastServer(tmp_path / "server", time_scale=0.01) as server:
        lam = server.client("lambda")
        name = create_durable(lam, SLOW_STEP, timeout=120, Environment={"Variables": {"RUNS_FILE": str(runs)}})
        response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
        response["Payload"].read()
        arn = response["DurableExecutionArn"]
        wait_until(lambda: runs.exists() and runs.read_text().split() == ["first", "slow"], 60,
                   "the invocation is in its slow step")
        server.restart(crash=True)
        lam = server.client("lambda")

        def ended():
            execution = lam.get_durable_execution(DurableExecutionArn=arn)
            return execution if execution["Status"] != "RUNNING" else None

        # well before the lost invocation's timeout (120 s) would have let it run again
        execution = wait_until(ended, 90, "the execution ended after the restart")
        assert execution["Status"] == "SUCCEEDED"
        assert json.loads(execution["Result"]) == "finished"
        assert runs.read_text().split() == ["first", "slow", "slow"]  # the checkpointed step was not rerun


QUICK = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda _: "done", name="only")
"""


def test_an_ended_execution_is_gone_after_its_retention_period(tmp_path):
    # one day of retention lasts 8.6 s at this scale
    with OvercastServer(tmp_path / "server", time_scale=0.0001) as server:
        lam = server.client("lambda")
        name = create_durable(lam, QUICK, DurableConfig={"ExecutionTimeout": 31622400, "RetentionPeriodInDays": 1})
        response = lam.invoke(FunctionName=name, Payload=b"{}")
        assert json.loads(response["Payload"].read()) == "done"
        arn = response["DurableExecutionArn"]
        assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "SUCCEEDED"

        def gone():
            try:
                lam.get_durable_execution(DurableExecutionArn=arn)
            except lam.exceptions.ResourceNotFoundException:
                return True
            return False

        wait_until(gone, 60, "the execution purged after its retention period")
        assert lam.list_durable_executions_by_function(FunctionName=name)["DurableExecutions"] == []
