"""Nothing a function does reaches an AWS host: SDK calls to `https://<service>.<region>.amazonaws.com`
(old SDKs, explicit endpoints) land in overcast, from Python and Node.js functions alike."""

from __future__ import annotations

import json

from overcast.testing import create_function
from tests.integration.lambda_.polyglot import needs_node

PYTHON = """
import boto3
def handler(event, context):
    sqs = boto3.client("sqs", endpoint_url="https://sqs.us-east-1.amazonaws.com")
    sqs.send_message(QueueUrl=event["queue"], MessageBody="from python via amazonaws.com")
    s3 = boto3.client("s3", endpoint_url="https://s3.amazonaws.com")
    return [b["Name"] for b in s3.list_buckets()["Buckets"]]
"""

# A SigV4-shaped request made with node:https alone (no SDK needed), the way SDK v2 sends it.
NODE = """
import https from "node:https";
const call = (host, path, body, headers) => new Promise((resolve, reject) => {
  const req = https.request({ host, path, method: "POST", headers: { ...headers,
    Authorization: "AWS4-HMAC-SHA256 Credential=000000000000/20240101/us-east-1/sqs/aws4_request, "
      + "SignedHeaders=host, Signature=00" } }, (res) => {
    let text = "";
    res.on("data", (chunk) => (text += chunk));
    res.on("end", () => resolve({ status: res.statusCode, text }));
  });
  req.on("error", reject);
  req.end(body);
});
export const handler = async (event) => {
  const sent = await call("sqs.us-east-1.amazonaws.com", "/", JSON.stringify({
    QueueUrl: event.queue, MessageBody: "from node via amazonaws.com" }), {
    "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage" });
  const fetched = await fetch("https://sqs.us-east-1.amazonaws.com/").then(() => "reached", (e) => "failed locally");
  return { status: sent.status, fetched };
};
"""


def _received(overcast_server, queue_url):
    sqs = overcast_server.client("sqs")
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
    return [m["Body"] for m in messages]


def test_python_function_calling_amazonaws_hosts_reaches_overcast(lam, overcast_server):
    queue = overcast_server.client("sqs").create_queue(QueueName="redirect-python")["QueueUrl"]
    overcast_server.client("s3").create_bucket(Bucket="redirect-python-bucket")
    name = create_function(lam, PYTHON, Timeout=30)
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"queue": queue}).encode())
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    assert "redirect-python-bucket" in body
    assert _received(overcast_server, queue) == ["from python via amazonaws.com"]


@needs_node
def test_node_function_calling_amazonaws_hosts_reaches_overcast(lam, overcast_server):
    queue = overcast_server.client("sqs").create_queue(QueueName="redirect-node")["QueueUrl"]
    name = create_function(lam, NODE, runtime="nodejs22.x", Timeout=30)
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"queue": queue}).encode())
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    assert body == {"status": 200, "fetched": "failed locally"}
    assert _received(overcast_server, queue) == ["from node via amazonaws.com"]
