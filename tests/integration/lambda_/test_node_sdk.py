"""The AWS SDK for JavaScript v3 is there for Node.js handlers that do not bundle it (installed
once per machine from the npm registry), and its calls reach overcast."""

from __future__ import annotations

import json

import pytest

from overcast.execution import node_sdk
from overcast.testing import create_function
from tests.integration.lambda_.polyglot import needs_node


def _sdk_or_skip() -> None:
    if node_sdk.installed():
        return
    try:
        node_sdk.install(quiet=True)
    except (node_sdk.SdkUnavailable, OSError) as exc:
        pytest.skip(f"the AWS SDK for JavaScript could not be installed (npm registry unreachable?): {exc}")


pytestmark = [needs_node, pytest.mark.usefixtures("_sdk")]


@pytest.fixture(scope="module")
def _sdk():
    _sdk_or_skip()


ESM = """
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
export const handler = async (event) => {
  const sqs = new SQSClient(event.endpoint ? { endpoint: event.endpoint } : {});
  await sqs.send(new SendMessageCommand({ QueueUrl: event.queue, MessageBody: event.body }));
  return "sent";
};
"""

COMMONJS = """
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand, GetCommand } = require("@aws-sdk/lib-dynamodb");
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.handler = async (event) => {
  await documents.send(new PutCommand({ TableName: event.table, Item: { pk: "a", n: 1 } }));
  return (await documents.send(new GetCommand({ TableName: event.table, Key: { pk: "a" } }))).Item;
};
"""


def _received(overcast_server, queue_url):
    messages = overcast_server.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                                             WaitTimeSeconds=1).get("Messages", [])
    return sorted(m["Body"] for m in messages)


def test_esm_handler_imports_the_sdk_it_does_not_bundle(lam, overcast_server):
    queue = overcast_server.client("sqs").create_queue(QueueName="node-sdk-esm")["QueueUrl"]
    name = create_function(lam, ESM, runtime="nodejs22.x", Timeout=30)
    for event in ({"queue": queue, "body": "default endpoint"},
                  {"queue": queue, "body": "explicit aws endpoint", "endpoint": "https://sqs.us-east-1.amazonaws.com"}):
        response = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
        assert json.loads(response["Payload"].read()) == "sent"
    assert _received(overcast_server, queue) == ["default endpoint", "explicit aws endpoint"]


def test_commonjs_handler_requires_the_sdk(lam, overcast_server):
    dynamodb = overcast_server.client("dynamodb")
    dynamodb.create_table(TableName="node-sdk-cjs", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    name = create_function(lam, COMMONJS, runtime="nodejs22.x", Timeout=30)
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"table": "node-sdk-cjs"}).encode())
    assert json.loads(response["Payload"].read()) == {"pk": "a", "n": 1}


def test_a_bundled_sdk_takes_precedence(lam):
    from overcast.testing import zip_files
    from overcast.testing.lambdas import ROLE

    name = "node-sdk-bundled"
    lam.create_function(FunctionName=name, Runtime="nodejs22.x", Role=ROLE, Handler="index.handler", Code={
        "ZipFile": zip_files({
            "index.js": "exports.handler = async () => require('@aws-sdk/client-sqs').bundled;",
            "node_modules/@aws-sdk/client-sqs/package.json": '{"name": "@aws-sdk/client-sqs", "main": "index.js"}',
            "node_modules/@aws-sdk/client-sqs/index.js": "exports.bundled = 'my own copy';",
        })})
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == "my own copy"
