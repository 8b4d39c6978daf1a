"""More of what Lambda does for a durable execution, with the real SDK: step retries on the
platform clock, ExecutionTimeout, callback timeouts, state pages, chained invokes, child contexts."""

from __future__ import annotations

import json

import pytest

from overcast.testing import OvercastServer, wait_until
from tests.integration.lambda_.durable_helpers import create_durable


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with OvercastServer(tmp_path_factory.mktemp("durable-behaviour"), time_scale=0.01) as running:
        yield running


@pytest.fixture(scope="module")
def lam(server):
    return server.client("lambda")


def start(lam, name: str, payload: bytes = b"{}") -> str:
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=payload)
    response["Payload"].read()
    return response["DurableExecutionArn"]


def closed(lam, arn: str, timeout: float = 60) -> dict:
    def ended():
        execution = lam.get_durable_execution(DurableExecutionArn=arn)
        return execution if execution["Status"] != "RUNNING" else None

    return wait_until(ended, timeout, "the execution ended")


def events(lam, arn: str) -> list[dict]:
    return lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]


RETRY = """
import os
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryStrategyConfig, create_retry_strategy

strategy = create_retry_strategy(RetryStrategyConfig(max_attempts=3, initial_delay=Duration.from_seconds(30)))


def flaky(_):
    with open(os.environ["RUNS_FILE"], "a") as f:
        f.write("attempt\\n")
    with open(os.environ["RUNS_FILE"]) as f:
        attempts = len(f.read().split())
    if attempts < 3:
        raise RuntimeError(f"attempt {attempts} failed")
    return attempts


@durable_execution
def handler(event, context: DurableContext):
    return context.step(flaky, name="flaky", config=StepConfig(retry_strategy=strategy))
"""


def test_a_failing_step_is_retried_after_its_delay(lam, tmp_path):
    runs = tmp_path / "runs.txt"
    name = create_durable(lam, RETRY, Environment={"Variables": {"RUNS_FILE": str(runs)}})
    arn = start(lam, name)
    execution = closed(lam, arn)
    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    assert json.loads(execution["Result"]) == 3
    assert runs.read_text().split() == ["attempt"] * 3
    failed = [e for e in events(lam, arn) if e["EventType"] == "StepFailed"]
    assert [e["StepFailedDetails"]["RetryDetails"]["CurrentAttempt"] for e in failed] == [1, 2]
    assert all(e["StepFailedDetails"]["RetryDetails"]["NextAttemptDelaySeconds"] >= 1 for e in failed)
    assert "attempt 1 failed" in failed[0]["StepFailedDetails"]["Error"]["Payload"]["ErrorMessage"]


FOREVER = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration


@durable_execution
def handler(event, context: DurableContext):
    context.wait(Duration.from_hours(1), name="long")
    return "never"
"""


def test_execution_timeout_ends_a_waiting_execution(lam):
    name = create_durable(lam, FOREVER, execution_timeout=120)  # two minutes: 1.2 s at this scale
    arn = start(lam, name)
    execution = closed(lam, arn)
    assert execution["Status"] == "TIMED_OUT"
    history = events(lam, arn)
    assert history[-1]["EventType"] == "ExecutionTimedOut"
    assert history[0]["ExecutionStartedDetails"]["ExecutionTimeout"] == 120
    assert execution["DurableConfig"] == {"ExecutionTimeout": 120, "RetentionPeriodInDays": 14}


CALLBACK_TIMEOUT = """
from aws_durable_execution_sdk_python import CallbackTimeoutError, DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration


@durable_execution
def handler(event, context: DurableContext):
    callback = context.create_callback(name="reply", config=CallbackConfig(timeout=Duration.from_seconds(60)))
    try:
        return callback.result()
    except CallbackTimeoutError:
        return "timed out"
"""


def test_a_callback_nobody_answers_times_out(lam):
    name = create_durable(lam, CALLBACK_TIMEOUT)
    arn = start(lam, name)
    execution = closed(lam, arn)
    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    assert json.loads(execution["Result"]) == "timed out"
    assert "CallbackTimedOut" in [e["EventType"] for e in events(lam, arn)]


MANY_STEPS = """
import os
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration


def run(i):
    with open(os.environ["RUNS_FILE"], "a") as f:
        f.write(f"{i}\\n")
    return i


@durable_execution
def handler(event, context: DurableContext):
    total = 0
    for i in range(130):
        total += context.step(lambda _, i=i: run(i), name=f"s{i}")
    context.wait(Duration.from_seconds(10), name="then")
    return total + context.step(lambda _: 1000, name="last")
"""


def test_a_replay_reads_state_past_the_first_page(lam, tmp_path):
    # 130 steps: the replay's initial state holds the first page, the SDK pages in the rest
    # with GetDurableExecutionState; no step runs twice
    runs = tmp_path / "runs.txt"
    name = create_durable(lam, MANY_STEPS, timeout=120, Environment={"Variables": {"RUNS_FILE": str(runs)}})
    arn = start(lam, name)
    execution = closed(lam, arn, timeout=120)
    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    assert json.loads(execution["Result"]) == sum(range(130)) + 1000
    assert runs.read_text().split() == [str(i) for i in range(130)]
    # the history pages too, in either order
    first = lam.get_durable_execution_history(DurableExecutionArn=arn, MaxItems=100)
    rest = lam.get_durable_execution_history(DurableExecutionArn=arn, MaxItems=1000, Marker=first["NextMarker"])
    forward = first["Events"] + rest["Events"]
    assert "NextMarker" not in rest
    assert [e["EventId"] for e in forward] == list(range(1, len(forward) + 1))
    backward = lam.get_durable_execution_history(DurableExecutionArn=arn, MaxItems=1000, ReverseOrder=True)
    assert [e["EventId"] for e in backward["Events"]] == [e["EventId"] for e in reversed(forward)]


CHILD = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event, context: DurableContext):
    def inner(child: DurableContext):
        return child.step(lambda _: 2, name="two") + child.step(lambda _: 3, name="three")

    doubled = context.invoke(event["target"], {"x": 21}, name="double")
    return {"child": context.run_in_child_context(inner, name="group"), "doubled": doubled}
"""

DOUBLE = """
def handler(event, context):
    return event["x"] * 2
"""


def test_child_context_and_chained_invoke(lam):
    from overcast.testing import create_function

    target = create_function(lam, DOUBLE)
    name = create_durable(lam, CHILD)
    arn = start(lam, name, json.dumps({"target": target}).encode())
    execution = closed(lam, arn)
    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    assert json.loads(execution["Result"]) == {"child": 5, "doubled": 42}
    kinds = [e["EventType"] for e in events(lam, arn)]
    for kind in ("ContextStarted", "ContextSucceeded", "ChainedInvokeStarted", "ChainedInvokeSucceeded"):
        assert kind in kinds


QUICK = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event, context: DurableContext):
    records = event.get("Records") or [event]
    return context.step(lambda _: len(records), name="count")
"""


def test_event_source_mappings_and_deliveries_start_executions(lam, server):
    # an SQS mapping invokes the durable function: each invocation starts an execution (AWS documents
    # that mappings have no execution-name idempotency)
    name = create_durable(lam, QUICK)
    sqs = server.client("sqs")
    queue = sqs.create_queue(QueueName=f"q-{name}", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=name, BatchSize=1)
    sqs.send_message(QueueUrl=queue, MessageBody="hello")

    def succeeded():
        executions = lam.list_durable_executions_by_function(FunctionName=name)["DurableExecutions"]
        return [e for e in executions if e["Status"] == "SUCCEEDED"]

    [execution] = wait_until(succeeded, 60, "the mapping's invocation ran an execution")
    detail = lam.get_durable_execution(DurableExecutionArn=execution["DurableExecutionArn"])
    assert json.loads(detail["InputPayload"])["Records"][0]["body"] == "hello"
    assert json.loads(detail["Result"]) == 1
    wait_until(lambda: sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"][
        "ApproximateNumberOfMessagesNotVisible"] == "0", 60, "the message deleted")

    # the legacy InvokeAsync queues an event, which starts an execution too
    assert lam.invoke_async(FunctionName=name, InvokeArgs=b'{"legacy": true}')["Status"] == 202
    wait_until(lambda: len(succeeded()) == 2, 60, "the queued event ran an execution")


INLINE = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda _: event["n"] * 3, name="triple")
"""


def test_a_cloudformation_function_with_durable_config(lam, server):
    # AWS::Lambda::Function's DurableConfig; the inline code uses the SDK the runtime provides
    from tests.integration.cloudformation.helpers import create, physical

    cf = server.client("cloudformation")
    template = {"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]}}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.13", "Handler": "index.handler", "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"ZipFile": INLINE}, "Timeout": 30,
            "DurableConfig": {"ExecutionTimeout": 900, "RetentionPeriodInDays": 7}}}}}
    stack = create(cf, template, Capabilities=["CAPABILITY_IAM"])
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    name = physical(cf, stack["StackId"])["Fn"]
    assert lam.get_function_configuration(FunctionName=name)["DurableConfig"] == {
        "ExecutionTimeout": 900, "RetentionPeriodInDays": 7}
    response = lam.invoke(FunctionName=name, Payload=b'{"n": 5}')
    assert json.loads(response["Payload"].read()) == 15
    assert "/durable-execution/" in response["DurableExecutionArn"]


MAP_AND_PARALLEL = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration


def branch(seconds, value):
    def run(ctx: DurableContext):
        ctx.wait(Duration.from_seconds(seconds), name=f"wait-{value}")
        return ctx.step(lambda _: value, name=f"value-{value}")
    return run


@durable_execution
def handler(event, context: DurableContext):
    squares = context.map(event["items"], lambda ctx, item, index, items: ctx.step(lambda _: item * item,
                                                                                  name=f"square-{index}"),
                          name="squares").get_results()
    both = context.parallel([branch(30, "a"), branch(60, "b")], name="both").get_results()
    return {"squares": squares, "both": both}
"""


def test_map_and_parallel_with_waits(lam):
    name = create_durable(lam, MAP_AND_PARALLEL)
    arn = start(lam, name, b'{"items": [1, 2, 3]}')
    execution = closed(lam, arn)
    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    assert json.loads(execution["Result"]) == {"squares": [1, 4, 9], "both": ["a", "b"]}
    kinds = [e["EventType"] for e in events(lam, arn)]
    assert kinds.count("WaitSucceeded") == 2


DURABLE_TARGET = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration


@durable_execution
def handler(event, context: DurableContext):
    context.wait(Duration.from_seconds(500), name="longer-than-my-timeout")
    return context.step(lambda _: event["x"] + 1, name="plus-one")
"""

CALLER = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event, context: DurableContext):
    return context.invoke(event["target"], {"x": 41}, name="child")
"""


def test_chained_invoke_of_a_durable_function_waits_for_its_execution(lam):
    # the child waits 500 s (5 s here), longer than its 3-second function timeout: a chained invoke
    # waits for the child execution itself, not for a synchronous invoke's limit
    target = create_durable(lam, DURABLE_TARGET, timeout=3)
    caller = create_durable(lam, CALLER)
    arn = start(lam, caller, json.dumps({"target": target}).encode())
    execution = closed(lam, arn)
    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    assert json.loads(execution["Result"]) == 42
    [child] = lam.list_durable_executions_by_function(FunctionName=target)["DurableExecutions"]
    assert child["Status"] == "SUCCEEDED"
    started = next(e for e in events(lam, arn) if e["EventType"] == "ChainedInvokeStarted")
    assert started["ChainedInvokeStartedDetails"]["FunctionName"] == target
