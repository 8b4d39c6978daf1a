"""Asynchronous invocation: retries, maximum event age, destinations (docs/aws-behaviour.md#asynchronous-invocation)
(what needs no other service; the SQS/SNS/EventBridge/S3 destinations are tested with those services)."""

from __future__ import annotations

import itertools
import json
import threading
import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.helpers import recorder_source, records, wait_for_records
from tests.integration.lambda_.polyglot import source

SCALE = 0.01  # the session server's OVERCAST_TIME_SCALE

SLOW_MARKER = """
import time
def handler(event, context):
    if event.get("marker"):
        open(event["marker"], "w").close()
    time.sleep(event.get("sleep", 0))
    return "done"
"""
SLOW_MARKER_JS = """
const fs = require("fs");
exports.handler = async (event) => {
  if (event.marker) fs.writeFileSync(event.marker, "");
  await new Promise((resolve) => setTimeout(resolve, 1000 * (event.sleep || 0)));
  return "done";
};
"""


def recorder(lam, path, fail=False, runtime="python3.12", **kwargs):
    variables = {"RECORD_FILE": str(path)}
    if fail:
        variables["FAIL"] = "1"
    name = create_function(lam, recorder_source(runtime), Environment={"Variables": variables}, runtime=runtime,
                           **kwargs)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    return name, arn


def test_event_invoke_returns_202_and_runs(lam, tmp_path, runtime):
    name, _ = recorder(lam, tmp_path / "runs.jsonl", runtime=runtime)
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    [run] = wait_for_records(tmp_path / "runs.jsonl", 1)
    assert run["event"] == {"n": 1}
    assert run["request_id"] == response["ResponseMetadata"]["RequestId"]


def test_row12_default_retries_then_on_failure(lam, tmp_path, runtime):
    _, destination = recorder(lam, tmp_path / "failures.jsonl")
    name, _ = recorder(lam, tmp_path / "attempts.jsonl", fail=True, runtime=runtime)
    lam.put_function_event_invoke_config(FunctionName=name,
                                         DestinationConfig={"OnFailure": {"Destination": destination}})
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"order": 7}')
    [failure] = wait_for_records(tmp_path / "failures.jsonl", 1)
    attempts = records(tmp_path / "attempts.jsonl")
    assert len(attempts) == 3
    request_id = response["ResponseMetadata"]["RequestId"]
    assert {a["request_id"] for a in attempts} == {request_id}
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(attempts)]
    assert gaps[0] >= 60 * SCALE * 0.9 and gaps[1] >= 120 * SCALE * 0.9
    record = failure["event"]
    assert record["version"] == "1.0"
    assert record["requestContext"] == {"requestId": request_id, "functionArn": f"{_arn(lam, name)}:$LATEST",
                                        "condition": "RetriesExhausted", "approximateInvokeCount": 3}
    assert record["requestPayload"] == {"order": 7}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                         "functionError": "Unhandled"}
    assert record["responsePayload"]["errorMessage"] == "failing on purpose"
    assert record["timestamp"].endswith("Z")


def _arn(lam, name):
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def test_row13_no_retries(lam, tmp_path, runtime):
    _, destination = recorder(lam, tmp_path / "failures.jsonl")
    name, _ = recorder(lam, tmp_path / "attempts.jsonl", fail=True, runtime=runtime)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": destination}})
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    [failure] = wait_for_records(tmp_path / "failures.jsonl", 1)
    assert failure["event"]["requestContext"]["approximateInvokeCount"] == 1
    assert len(records(tmp_path / "attempts.jsonl")) == 1


def test_row14_reserved_zero_goes_straight_to_failure(lam, tmp_path, runtime):
    _, destination = recorder(lam, tmp_path / "failures.jsonl")
    name, _ = recorder(lam, tmp_path / "attempts.jsonl", runtime=runtime)
    lam.put_function_event_invoke_config(FunctionName=name,
                                         DestinationConfig={"OnFailure": {"Destination": destination}})
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    [failure] = wait_for_records(tmp_path / "failures.jsonl", 1)
    assert failure["event"]["requestContext"]["condition"] == "ZeroReservedConcurrency"  # as AWS records it
    assert records(tmp_path / "attempts.jsonl") == []


def test_row14_throttled_until_event_age_exceeded(lam, tmp_path, runtime):
    _, destination = recorder(lam, tmp_path / "failures.jsonl")
    name = create_function(lam, source(runtime, SLOW_MARKER, SLOW_MARKER_JS), runtime=runtime, Timeout=30)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=60,
                                         DestinationConfig={"OnFailure": {"Destination": destination}})
    marker = tmp_path / "busy"
    busy = threading.Thread(target=lambda: lam.invoke(
        FunctionName=name, Payload=json.dumps({"sleep": 3, "marker": str(marker)}).encode()))
    busy.start()
    wait_until(marker.exists, 20, "the slow call holding the only slot")
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"late": true}')
    [failure] = wait_for_records(tmp_path / "failures.jsonl", 1)
    busy.join()
    context = failure["event"]["requestContext"]
    assert context["condition"] == "EventAgeExceeded"
    assert context["approximateInvokeCount"] == 0
    assert failure["event"]["requestPayload"] == {"late": True}


def test_row15_on_success(lam, tmp_path, runtime):
    _, destination = recorder(lam, tmp_path / "successes.jsonl")
    name = create_function(lam, source(runtime, "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n",
                                       "export const handler = async (event) => ({doubled: event.n * 2});\n"),
                           runtime=runtime)
    lam.put_function_event_invoke_config(FunctionName=name,
                                         DestinationConfig={"OnSuccess": {"Destination": destination}})
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 21}')
    [success] = wait_for_records(tmp_path / "successes.jsonl", 1)
    record = success["event"]
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responsePayload"] == {"doubled": 42}
    assert "functionError" not in record["responseContext"]


def test_row18_put_replaces_update_merges(lam):
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    put = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1,
                                               MaximumEventAgeInSeconds=120)
    assert put["FunctionArn"].endswith(f"{name}:$LATEST")
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    lam.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=300)
    got = lam.get_function_event_invoke_config(FunctionName=name)
    assert "MaximumRetryAttempts" not in got and got["MaximumEventAgeInSeconds"] == 300
    lam.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    got = lam.get_function_event_invoke_config(FunctionName=name)
    assert got["MaximumRetryAttempts"] == 0 and got["MaximumEventAgeInSeconds"] == 300
    listed = lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert len(listed) == 1
    lam.delete_function_event_invoke_config(FunctionName=name)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_event_invoke_config(FunctionName=name)


@pytest.mark.parametrize("config, fragment", [
    ({"MaximumRetryAttempts": 3}, "Member must have value less than or equal to 2"),
    ({"MaximumEventAgeInSeconds": 59}, "Member must have value greater than or equal to 60"),
    ({"DestinationConfig": {"OnSuccess": {"Destination": "arn:aws:s3:::bucket"}}}, "is invalid"),
])
def test_event_invoke_config_validation(overcast_server, config, fragment):
    lam = overcast_server.client("lambda", validate=False)
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    with pytest.raises(ClientError) as info:
        lam.put_function_event_invoke_config(FunctionName=name, **config)
    assert fragment in info.value.response["Error"]["Message"]


def test_event_payload_limit(lam):
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    payload = b'"' + b"a" * 1_048_576 + b'"'
    with pytest.raises(ClientError) as info:
        lam.invoke(FunctionName=name, InvocationType="Event", Payload=payload)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert "is too large for the Event invocation type (limit 1048576 bytes)" in \
        info.value.response["Error"]["Message"]


def test_async_event_to_unknown_function_is_404(lam):
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName=f"missing-{uuid.uuid4().hex[:6]}", InvocationType="Event", Payload=b"{}")
