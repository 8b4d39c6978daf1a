"""DynamoDB Streams event source mappings: the records Lambda delivers, filters, partial failures."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.helpers import records
from tests.integration.lambda_.polyglot import source

DDB_RECORDER = """
import json, os, time
def handler(event, context):
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps({"records": event["Records"], "at": time.time()}) + "\\n")
    if os.environ.get("MODE") == "report":
        bad = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]
               if r["dynamodb"].get("NewImage", {}).get("bad")]
        if bad and not os.path.exists(os.environ["RECORD_FILE"] + ".done"):
            open(os.environ["RECORD_FILE"] + ".done", "w").close()
            return {"batchItemFailures": [{"itemIdentifier": bad[0]}]}
    return None
"""

DDB_RECORDER_JS = """
const fs = require("fs");
exports.handler = async (event) => {
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({records: event.Records, at: Date.now() / 1000}) + "\\n");
  if (process.env.MODE === "report") {
    const bad = event.Records.filter((r) => (r.dynamodb.NewImage || {}).bad).map((r) => r.dynamodb.SequenceNumber);
    const marker = process.env.RECORD_FILE + ".done";
    if (bad.length && !fs.existsSync(marker)) {
      fs.writeFileSync(marker, "");
      return {batchItemFailures: [{itemIdentifier: bad[0]}]};
    }
  }
  return null;
};
"""


@pytest.fixture
def ddb(overcast_server):
    return overcast_server.client("dynamodb")


def _table(ddb, view="NEW_AND_OLD_IMAGES"):
    name = f"t-{uuid.uuid4().hex[:10]}"
    table = ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST",
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return name, table["TableDescription"]["LatestStreamArn"]


def _mapping(lam, path, arn, mode="ok", runtime="python3.12", **kwargs):
    name = create_function(lam, source(runtime, DDB_RECORDER, DDB_RECORDER_JS), runtime=runtime,
                           Environment={"Variables": {"RECORD_FILE": str(path), "MODE": mode}})
    kwargs.setdefault("StartingPosition", "TRIM_HORIZON")
    return lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, **kwargs)


def _all(path):
    return [r for batch in records(path) for r in batch["records"]]


def test_insert_modify_remove_reach_the_function(lam, ddb, tmp_path):
    table, arn = _table(ddb)
    _mapping(lam, tmp_path / "b.jsonl", arn, BatchSize=10, MaximumBatchingWindowInSeconds=1)
    ddb.put_item(TableName=table, Item={"id": {"S": "a"}, "v": {"N": "1"}})
    ddb.update_item(TableName=table, Key={"id": {"S": "a"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "2"}})
    ddb.delete_item(TableName=table, Key={"id": {"S": "a"}})
    wait_until(lambda: len(_all(tmp_path / "b.jsonl")) >= 3)
    events = _all(tmp_path / "b.jsonl")
    assert [e["eventName"] for e in events] == ["INSERT", "MODIFY", "REMOVE"]
    first = events[0]
    assert first["eventSource"] == "aws:dynamodb" and first["eventSourceARN"] == arn
    assert first["awsRegion"] == "us-east-1" and first["eventVersion"] == "1.1"
    assert first["dynamodb"]["Keys"] == {"id": {"S": "a"}}
    assert first["dynamodb"]["NewImage"] == {"id": {"S": "a"}, "v": {"N": "1"}}
    assert "OldImage" not in first["dynamodb"]
    assert events[1]["dynamodb"]["OldImage"]["v"] == {"N": "1"} and events[1]["dynamodb"]["NewImage"]["v"] == {"N": "2"}
    assert events[2]["dynamodb"]["OldImage"]["v"] == {"N": "2"} and "NewImage" not in events[2]["dynamodb"]
    assert first["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_filter_on_event_name(lam, ddb, tmp_path):
    table, arn = _table(ddb)
    _mapping(lam, tmp_path / "b.jsonl", arn, FilterCriteria={"Filters": [{"Pattern": json.dumps(
        {"eventName": ["REMOVE"]})}]})
    ddb.put_item(TableName=table, Item={"id": {"S": "x"}})
    ddb.delete_item(TableName=table, Key={"id": {"S": "x"}})
    wait_until(lambda: len(_all(tmp_path / "b.jsonl")) >= 1)
    assert [e["eventName"] for e in _all(tmp_path / "b.jsonl")] == ["REMOVE"]


def test_row27_report_batch_item_failures_by_sequence_number(lam, ddb, tmp_path, runtime):
    table, arn = _table(ddb)
    for i in range(4):
        item: dict[str, dict[str, Any]] = {"id": {"S": f"k{i}"}}
        if i == 1:
            item["bad"] = {"BOOL": True}
        ddb.put_item(TableName=table, Item=item)
    _mapping(lam, tmp_path / "b.jsonl", arn, mode="report", runtime=runtime, BatchSize=4,
             MaximumBatchingWindowInSeconds=1, FunctionResponseTypes=["ReportBatchItemFailures"])
    wait_until(lambda: len(records(tmp_path / "b.jsonl")) >= 2)
    batches = [[r["dynamodb"]["Keys"]["id"]["S"] for r in b["records"]] for b in records(tmp_path / "b.jsonl")]
    assert batches[0] == ["k0", "k1", "k2", "k3"]
    assert batches[1] == ["k1", "k2", "k3"]


def test_latest_starts_after_existing_records(lam, ddb, tmp_path):
    table, arn = _table(ddb)
    ddb.put_item(TableName=table, Item={"id": {"S": "before"}})
    _mapping(lam, tmp_path / "b.jsonl", arn, StartingPosition="LATEST")
    ddb.put_item(TableName=table, Item={"id": {"S": "after"}})
    wait_until(lambda: len(_all(tmp_path / "b.jsonl")) >= 1)
    assert [e["dynamodb"]["Keys"]["id"]["S"] for e in _all(tmp_path / "b.jsonl")] == ["after"]


def test_at_timestamp_is_refused_for_dynamodb(lam, ddb):
    _, arn = _table(ddb)
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, StartingPosition="AT_TIMESTAMP",
                                        StartingPositionTimestamp=1_700_000_000)
