"""The rest of the platform treats Node.js functions like Python ones: versions and aliases,
function URLs, API Gateway, Kinesis and DynamoDB Streams mappings, CloudFormation, a restart."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from overcast.testing import OvercastServer, create_function, wait_until, zip_handler
from tests.integration.cloudformation.helpers import check, create, outputs
from tests.integration.lambda_.helpers import wait_for_records
from tests.integration.lambda_.polyglot import needs_node

pytestmark = needs_node
ROLE = "arn:aws:iam::000000000000:role/lambda-role"

URL_HANDLER = """
export const handler = async (event, context) => {
  if (event.queryStringParameters?.kind === "raise") throw new Error("no");
  return {statusCode: 201, headers: {"X-Fn": context.functionName},
          body: JSON.stringify({event, version: context.functionVersion})};
};
"""
STREAM_RECORDER = """
const fs = require("fs");
exports.handler = async (event) => {
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({records: event.Records}) + "\\n");
  return {};
};
"""


def test_versions_and_aliases(lam):
    name = create_function(lam, "export const handler = async (e, c) => c.functionVersion + ':' + 'v1';\n",
                           runtime="nodejs22.x")
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    lam.update_function_code(FunctionName=name, ZipFile=zip_handler(
        "export const handler = async (e, c) => c.functionVersion + ':' + 'v2';\n", runtime="nodejs22.x"))
    live = lam.invoke(FunctionName=name, Qualifier="live")
    assert json.loads(live["Payload"].read()) == f"{version}:v1" and live["ExecutedVersion"] == version
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == "$LATEST:v2"


def test_function_url(lam):
    name = create_function(lam, URL_HANDLER, runtime="nodejs22.x")
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    response = httpx.post(f"{url}a/b?x=1", content=b"hi", timeout=30)
    assert response.status_code == 201 and response.headers["x-fn"] == name
    event = response.json()["event"]
    assert event["rawPath"] == "/a/b" and event["body"] == "hi" and event["version"] == "2.0"
    assert httpx.get(f"{url}?kind=raise", timeout=30).status_code == 502


def test_http_api_proxy(lam, overcast_server):
    name = create_function(lam, URL_HANDLER, runtime="nodejs22.x")
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    api = overcast_server.client("apigatewayv2").create_api(Name=f"api-{uuid.uuid4().hex[:6]}", ProtocolType="HTTP",
                                                            Target=arn)
    response = httpx.get(f"{overcast_server.url}/_aws/execute-api/{api['ApiId']}/hello", timeout=30)
    assert response.status_code == 201, response.text
    assert response.json()["event"]["rawPath"] == "/hello"


def test_kinesis_and_dynamodb_stream_mappings(lam, overcast_server, tmp_path):
    kinesis, dynamodb = overcast_server.client("kinesis"), overcast_server.client("dynamodb")
    stream = f"s-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    stream_arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
    table = f"t-{uuid.uuid4().hex[:8]}"
    table_stream = dynamodb.create_table(
        TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]["LatestStreamArn"]
    record = tmp_path / "records.jsonl"
    name = create_function(lam, STREAM_RECORDER, runtime="nodejs22.x",
                           Environment={"Variables": {"RECORD_FILE": str(record)}})
    for source in (stream_arn, table_stream):
        lam.create_event_source_mapping(EventSourceArn=source, FunctionName=name, StartingPosition="LATEST",
                                        BatchSize=10)
    def until_enabled():
        states = [m["State"] for m in lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]]
        return states == ["Enabled", "Enabled"] or None

    wait_until(until_enabled, 20, "both mappings enabled")
    kinesis.put_record(StreamName=stream, Data=b'{"k": 1}', PartitionKey="p")
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    batches = wait_for_records(record, 2)
    sources = sorted(r["eventSource"] for batch in batches for r in batch["records"])
    assert sources == ["aws:dynamodb", "aws:kinesis"]


def test_cloudformation_inline_node_function(lam, overcast_server):
    cf = overcast_server.client("cloudformation")
    stack = check(cf, create(cf, {
        "Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "nodejs22.x", "Handler": "index.handler", "Role": ROLE,
            "Code": {"ZipFile": "exports.handler = async (event) => ({deployed: true, event});"}}}},
        "Outputs": {"Name": {"Value": {"Ref": "Fn"}}}}))
    name = outputs(stack)["Name"]
    assert json.loads(lam.invoke(FunctionName=name, Payload=b'{"x": 1}')["Payload"].read()) == \
        {"deployed": True, "event": {"x": 1}}


def test_node_function_after_restart(tmp_path):
    with OvercastServer(tmp_path / "data") as server:
        lam = server.client("lambda")
        name = create_function(lam, "export const handler = async () => process.pid;\n", runtime="nodejs22.x")
        before = json.loads(lam.invoke(FunctionName=name)["Payload"].read())
        server.restart(crash=True)
        lam = server.client("lambda")
        after = json.loads(lam.invoke(FunctionName=name)["Payload"].read())
        assert isinstance(after, int) and after != before
        server.reset()
        with pytest.raises(lam.exceptions.ResourceNotFoundException):   # reset forgets the function
            lam.get_function(FunctionName=name)
