"""Distributed Map: child workflow executions in a Map Run, items from S3 (JSON, JSONL, CSV,
ListObjectsV2), ItemBatcher, ResultWriter's files, tolerated failures, and the Map Run API."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.integration.stepfunctions.helpers import machine, output, run, types


@pytest.fixture
def sfn(aws):
    return aws("stepfunctions")


@pytest.fixture
def s3(aws):
    return aws("s3")


@pytest.fixture
def bucket(s3) -> str:
    name = f"dmap-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    return name


def distributed(processor_states: dict[str, Any], start: str, execution_type: str = "STANDARD",
                **fields: Any) -> dict[str, Any]:
    return {"StartAt": "Fan", "States": {"Fan": {
        "Type": "Map", "Label": "Fan", "End": True, **fields,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
                          "StartAt": start, "States": processor_states}}}}


DOUBLE = {"Double": {"Type": "Pass", "Parameters": {"n.$": "$.n", "twice.$": "States.MathAdd($.n, $.n)"},
                     "End": True}}


def test_standard_children_are_executions_of_a_map_run(sfn):
    arn = machine(sfn, distributed(DOUBLE, "Double", ItemsPath="$.items", MaxConcurrency=2))
    described = run(sfn, arn, {"items": [{"n": 1}, {"n": 2}, {"n": 3}]})
    assert output(described) == [{"n": 1, "twice": 2}, {"n": 2, "twice": 4}, {"n": 3, "twice": 6}]
    execution = described["executionArn"]
    assert types(sfn, execution) == ["ExecutionStarted", "MapStateEntered", "MapRunStarted", "MapRunSucceeded",
                                     "MapStateExited", "ExecutionSucceeded"]
    events = sfn.get_execution_history(executionArn=execution)["events"]
    map_run = events[2]["mapRunStartedEventDetails"]["mapRunArn"]
    name = arn.rsplit(":", 1)[-1]
    assert map_run.startswith(arn.replace(":stateMachine:", ":mapRun:") + "/Fan:")

    (listed,) = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    assert listed["mapRunArn"] == map_run and listed["executionArn"] == execution
    assert listed["stateMachineArn"] == f"{arn}/Fan"
    run_doc = sfn.describe_map_run(mapRunArn=map_run)
    assert (run_doc["status"], run_doc["maxConcurrency"]) == ("SUCCEEDED", 2)
    assert run_doc["itemCounts"]["succeeded"] == run_doc["itemCounts"]["total"] == 3
    assert run_doc["executionCounts"]["succeeded"] == 3 and run_doc["executionCounts"]["pending"] == 0

    children = sfn.list_executions(mapRunArn=map_run)["executions"]
    assert len(children) == 3 and {c["status"] for c in children} == {"SUCCEEDED"}
    assert {c["mapRunArn"] for c in children} == {map_run}
    assert all(c["executionArn"].startswith(f"{arn.split(':stateMachine:')[0]}:execution:{name}/Fan:")
               for c in children)
    child = sfn.describe_execution(executionArn=children[0]["executionArn"])
    assert child["mapRunArn"] == map_run and child["stateMachineArn"] == f"{arn}/Fan"
    assert types(sfn, child["executionArn"]) == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                                 "ExecutionSucceeded"]
    # the children are not executions of the parent machine
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=arn)["executions"]] == [execution]


def test_express_children_and_item_selector(sfn):
    arn = machine(sfn, distributed(DOUBLE, "Double", "EXPRESS", ItemsPath="$.items",
                                   ItemSelector={"n.$": "$$.Map.Item.Value", "at.$": "$$.Map.Item.Index"}))
    described = run(sfn, arn, {"items": [5, 7]})
    assert output(described) == [{"n": 5, "twice": 10}, {"n": 7, "twice": 14}]
    (listed,) = sfn.list_map_runs(executionArn=described["executionArn"])["mapRuns"]
    # AWS: a Map Run's EXPRESS children can be listed and described, but keep no history
    children = sfn.list_executions(mapRunArn=listed["mapRunArn"])["executions"]
    assert len(children) == 2 and all(":express:" in c["executionArn"] for c in children)
    child = sfn.describe_execution(executionArn=children[0]["executionArn"])
    assert child["status"] == "SUCCEEDED" and child["mapRunArn"] == listed["mapRunArn"]
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.get_execution_history(executionArn=children[0]["executionArn"])


def test_items_from_s3_json_jsonl_and_csv(sfn, s3, bucket):
    s3.put_object(Bucket=bucket, Key="a.json", Body=json.dumps([{"n": 1}, {"n": 2}]))
    s3.put_object(Bucket=bucket, Key="b.jsonl", Body='{"n": 3}\n{"n": 4}\n')
    s3.put_object(Bucket=bucket, Key="c.csv", Body="n,name\n5,five\n6,six\n")
    s3.put_object(Bucket=bucket, Key="d.csv", Body="7|seven\n8|eight\n9|nine\n")
    echo = {"Echo": {"Type": "Pass", "End": True}}

    def read(config: dict[str, Any], key: str) -> Any:
        reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config,
                  "Parameters": {"Bucket": bucket, "Key.$": "$.key"}}
        return output(run(sfn, machine(sfn, distributed(echo, "Echo", ItemReader=reader)), {"key": key}))

    assert read({"InputType": "JSON"}, "a.json") == [{"n": 1}, {"n": 2}]
    assert read({"InputType": "JSONL"}, "b.jsonl") == [{"n": 3}, {"n": 4}]
    assert read({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}, "c.csv") == [
        {"n": "5", "name": "five"}, {"n": "6", "name": "six"}]
    assert read({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["n", "name"],
                 "CSVDelimiter": "PIPE", "MaxItems": 2}, "d.csv") == [
        {"n": "7", "name": "seven"}, {"n": "8", "name": "eight"}]
    failed = run(sfn, machine(sfn, distributed(echo, "Echo", ItemReader={
        "Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {"Bucket": bucket, "Key": "missing.json"}})))
    assert (failed["status"], failed["error"]) == ("FAILED", "States.ItemReaderFailed")


def test_items_from_list_objects_in_batches(sfn, s3, bucket):
    for key in ("in/1.txt", "in/2.txt", "in/3.txt", "other.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x" * 3)
    keys = {"Keys": {"Type": "Pass", "Parameters": {"keys.$": "$.Items[*].Key", "run.$": "$.BatchInput.run"},
                     "End": True}}
    arn = machine(sfn, distributed(keys, "Keys", ItemReader={
        "Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": bucket, "Prefix": "in/"}},
        ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.run"}}))
    assert output(run(sfn, arn, {"run": "r1"})) == [{"keys": ["in/1.txt", "in/2.txt"], "run": "r1"},
                                                   {"keys": ["in/3.txt"], "run": "r1"}]


def test_result_writer_files_in_s3(sfn, s3, bucket):
    states = {"Check": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": False, "Next": "Bad"}],
                        "Default": "Good"},
              "Good": {"Type": "Pass", "End": True}, "Bad": {"Type": "Fail", "Error": "Item.Bad", "Cause": "no"}}
    arn = machine(sfn, distributed(states, "Check", ItemsPath="$.items", ToleratedFailureCount=1,
                                   ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                                                 "Parameters": {"Bucket": bucket, "Prefix": "results"}}))
    result = output(run(sfn, arn, {"items": [{"ok": True}, {"ok": False}, {"ok": True}]}))
    map_run = result["MapRunArn"]
    run_id = map_run.rsplit(":", 1)[-1]
    assert result["ResultWriterDetails"] == {"Bucket": bucket, "Key": f"results/{run_id}/manifest.json"}
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=f"results/{run_id}/manifest.json")["Body"].read())
    assert manifest["DestinationBucket"] == bucket and manifest["MapRunArn"] == map_run
    assert manifest["ResultFiles"]["PENDING"] == []
    (succeeded,) = manifest["ResultFiles"]["SUCCEEDED"]
    assert succeeded["Key"] == f"results/{run_id}/SUCCEEDED_0.json"
    body = s3.get_object(Bucket=bucket, Key=succeeded["Key"])["Body"].read()
    assert succeeded["Size"] == len(body)
    records = json.loads(body)
    assert [json.loads(r["Output"]) for r in records] == [{"ok": True}, {"ok": True}]
    assert {r["Status"] for r in records} == {"SUCCEEDED"} and all(r["StateMachineArn"] == f"{arn}/Fan"
                                                                  for r in records)
    (failed_file,) = manifest["ResultFiles"]["FAILED"]
    (failed,) = json.loads(s3.get_object(Bucket=bucket, Key=failed_file["Key"])["Body"].read())
    assert (failed["Status"], failed["Error"], failed["Cause"]) == ("FAILED", "Item.Bad", "no")
    assert json.loads(failed["Input"]) == {"ok": False}
    counts = sfn.describe_map_run(mapRunArn=map_run)["itemCounts"]
    assert (counts["succeeded"], counts["failed"], counts["resultsWritten"]) == (2, 1, 3)


def test_failures_past_the_tolerance_fail_the_map_run(sfn):
    states = {"Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericGreaterThan": 2, "Next": "Bad"}],
                        "Default": "Good"},
              "Good": {"Type": "Pass", "End": True}, "Bad": {"Type": "Fail", "Error": "Too.Big"}}
    arn = machine(sfn, distributed(states, "Check", ItemsPath="$.items", ToleratedFailurePercentage=25,
                                   MaxConcurrency=1))
    ok = run(sfn, arn, {"items": [1, 2, 3, 1, 2]})  # 1 of 5 failed: 20% is tolerated
    assert output(ok)[2]["Error"] == "Too.Big" and output(ok)[0] == 1
    failed = run(sfn, arn, {"items": [1, 3, 3, 1]})  # 50%
    assert (failed["status"], failed["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert types(sfn, failed["executionArn"]) == ["ExecutionStarted", "MapStateEntered", "MapRunStarted",
                                                  "MapRunFailed", "ExecutionFailed"]
    (listed,) = sfn.list_map_runs(executionArn=failed["executionArn"])["mapRuns"]
    assert sfn.describe_map_run(mapRunArn=listed["mapRunArn"])["status"] == "FAILED"


def test_map_run_api_errors_and_update(sfn):
    arn = machine(sfn, distributed(DOUBLE, "Double", ItemsPath="$.items"))
    described = run(sfn, arn, {"items": [{"n": 1}]})
    (listed,) = sfn.list_map_runs(executionArn=described["executionArn"])["mapRuns"]
    sfn.update_map_run(mapRunArn=listed["mapRunArn"], maxConcurrency=5, toleratedFailureCount=3)
    updated = sfn.describe_map_run(mapRunArn=listed["mapRunArn"])
    assert (updated["maxConcurrency"], updated["toleratedFailureCount"]) == (5, 3)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_map_run(mapRunArn=listed["mapRunArn"][:-4] + "0000")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_map_run(mapRunArn=arn)
    with pytest.raises(sfn.exceptions.ClientError) as error:
        sfn.update_map_run(mapRunArn=listed["mapRunArn"], toleratedFailurePercentage=101)
    assert error.value.response["Error"]["Code"] == "ValidationException"


def test_jsonata_distributed_map(sfn, s3, bucket):
    s3.put_object(Bucket=bucket, Key="in.json", Body=json.dumps([{"n": 1}, {"n": 2}]))
    child = {"Triple": {"Type": "Pass", "Output": "{% $states.input.n * 3 %}", "End": True}}
    arn = machine(sfn, {"QueryLanguage": "JSONata", "StartAt": "Fan", "States": {"Fan": {
        "Type": "Map", "End": True, "Output": "{% $states.result %}",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                       "Arguments": {"Bucket": "{% $states.input.bucket %}", "Key": "in.json"}},
        "ItemSelector": {"n": "{% $states.context.Map.Item.Value.n + 10 %}"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "Triple", "States": child}}}})
    described = run(sfn, arn, {"bucket": bucket})
    assert output(described) == [33, 36]
    assert "MapRunStarted" in types(sfn, described["executionArn"])
