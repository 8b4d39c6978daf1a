"""Metrics the platform publishes about itself (AWS/Lambda, AWS/SQS, AWS/Kinesis...) after real
invocations and real traffic, read back through GetMetricData as AWS names them
(docs/cloudwatch-metrics.md)."""

from __future__ import annotations

import concurrent.futures
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from overcast.testing import create_function, wait_until

FLAKY = """
import json
def handler(event, context):
    if event.get("fail"):
        raise ValueError("failing on purpose")
    return {"ok": True}
"""

GATED = """
import os, time
def handler(event, context):
    open(os.environ["GATE"] + ".started", "w").close()
    deadline = time.time() + 60
    while not os.path.exists(os.environ["GATE"]) and time.time() < deadline:
        time.sleep(0.02)
    return "done"
"""

FAILING = """
def handler(event, context):
    raise RuntimeError("stalled on purpose")
"""


def window() -> dict[str, datetime]:
    now = time.time()
    return {"StartTime": datetime.fromtimestamp(now - 600, UTC), "EndTime": datetime.fromtimestamp(now + 120, UTC)}


def total(cw: Any, namespace: str, name: str, dims: dict[str, str], stat: str = "Sum") -> float | None:
    """`stat` of a metric over the last ten minutes (one 15-minute period), or None without data."""
    result = cw.get_metric_data(MetricDataQueries=[{"Id": "m", "MetricStat": {
        "Metric": {"Namespace": namespace, "MetricName": name,
                   "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()]},
        "Period": 900, "Stat": stat}}], **window())["MetricDataResults"][0]
    if not result["Values"]:
        return None
    if stat == "Maximum":
        return max(result["Values"])
    return float(sum(result["Values"]))


def wait_metric(cw: Any, namespace: str, name: str, dims: dict[str, str], expected: float, stat: str = "Sum",
                timeout: float = 30.0) -> float:
    def seen() -> float | None:
        value = total(cw, namespace, name, dims, stat)
        return value if value is not None and value >= expected else None

    return wait_until(seen, timeout, f"{namespace} {name} {dims} {stat} >= {expected}")


def test_lambda_invocations_errors_and_duration(overcast_server):
    lam, cw = overcast_server.client("lambda"), overcast_server.client("cloudwatch")
    name = create_function(lam, FLAKY)
    for event in ({}, {"fail": True}, {}):
        lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    dims = {"FunctionName": name}
    assert wait_metric(cw, "AWS/Lambda", "Invocations", dims, 3) == 3.0
    assert wait_metric(cw, "AWS/Lambda", "Errors", dims, 1) == 1.0
    assert total(cw, "AWS/Lambda", "Duration", dims, "SampleCount") == 3.0
    assert total(cw, "AWS/Lambda", "Invocations", {"FunctionName": name, "Resource": name}) == 3.0
    listed = cw.list_metrics(Namespace="AWS/Lambda", MetricName="Duration",
                             Dimensions=[{"Name": "FunctionName", "Value": name}])["Metrics"]
    assert sorted([d["Name"] for d in m["Dimensions"]] for m in listed) == [["FunctionName"],
                                                                           ["FunctionName", "Resource"]]


def test_throttles_with_reserved_concurrency_one(overcast_server, tmp_path: Path):
    lam, cw = overcast_server.client("lambda"), overcast_server.client("cloudwatch")
    gate = tmp_path / "gate"
    name = create_function(lam, GATED, Timeout=90, Environment={"Variables": {"GATE": str(gate)}})
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        first = pool.submit(lam.invoke, FunctionName=name)
        wait_until(lambda: Path(str(gate) + ".started").exists(), 30, "the first invocation running")
        try:  # one request, not retried by the client: each throttled attempt counts in Throttles
            overcast_server.client("lambda", retries=0).invoke(FunctionName=name)
            throttled = False
        except botocore.exceptions.ClientError as error:
            throttled = error.response["Error"]["Code"] == "TooManyRequestsException"
        gate.touch()
        assert first.result(timeout=60)["StatusCode"] == 200
    assert throttled
    dims = {"FunctionName": name}
    assert wait_metric(cw, "AWS/Lambda", "Throttles", dims, 1) == 1.0
    assert wait_metric(cw, "AWS/Lambda", "Invocations", dims, 1) == 1.0   # the throttled one is not counted
    assert wait_metric(cw, "AWS/Lambda", "ConcurrentExecutions", dims, 1, "Maximum") == 1.0


def test_sqs_backlog_and_counters(overcast_server):
    sqs, cw = overcast_server.client("sqs"), overcast_server.client("cloudwatch")
    name = f"backlog-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for i in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    # twelve hours of visibility (7 minutes at the tests' time scale): the undeleted one stays in flight
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=43200)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    dims = {"QueueName": name}
    assert wait_metric(cw, "AWS/SQS", "NumberOfMessagesSent", dims, 5) == 5.0
    assert wait_metric(cw, "AWS/SQS", "NumberOfMessagesReceived", dims, 2) == 2.0
    assert wait_metric(cw, "AWS/SQS", "NumberOfMessagesDeleted", dims, 1) == 1.0
    # the gauges are sampled each (scaled) minute: 3 visible, 1 in flight after the receive and delete
    assert wait_metric(cw, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, 3, "Maximum") >= 3.0
    assert wait_metric(cw, "AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dims, 1, "Maximum") >= 1.0


def test_iterator_age_grows_on_a_stalled_stream(overcast_server):
    lam, kinesis, cw = (overcast_server.client(s) for s in ("lambda", "kinesis", "cloudwatch"))
    stream = f"stalled-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    wait_until(lambda: kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
               ["StreamStatus"] == "ACTIVE", 30, "stream active")
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    name = create_function(lam, FAILING)
    lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                    MaximumRetryAttempts=-1, BatchSize=1)
    kinesis.put_record(StreamName=stream, Data=b"{}", PartitionKey="k")
    assert wait_metric(cw, "AWS/Kinesis", "IncomingRecords", {"StreamName": stream}, 1) == 1.0
    # the failing batch is retried with the same record: its age, and so IteratorAge, keeps growing
    assert wait_metric(cw, "AWS/Lambda", "IteratorAge", {"FunctionName": name}, 1000, "Maximum",
                       timeout=60) >= 1000


def test_dynamodb_capacity_latency_and_user_errors(overcast_server):
    ddb, cw = overcast_server.client("dynamodb"), overcast_server.client("cloudwatch")
    table = f"metrics-{uuid.uuid4().hex[:8]}"
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName=table, Item={"id": {"S": "a"}, "blob": {"S": "x" * 1500}})   # 2 write units
    ddb.get_item(TableName=table, Key={"id": {"S": "a"}})                               # 0.5 read unit
    ddb.get_item(TableName=table, Key={"id": {"S": "a"}}, ConsistentRead=True)          # 1 read unit
    with pytest.raises(botocore.exceptions.ClientError):  # a 400: counted in UserErrors
        ddb.get_item(TableName=table, Key={"nope": {"S": "a"}})
    dims = {"TableName": table}
    assert wait_metric(cw, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", dims, 2) == 2.0
    assert wait_metric(cw, "AWS/DynamoDB", "ConsumedReadCapacityUnits", dims, 1.5) == 1.5
    assert wait_metric(cw, "AWS/DynamoDB", "SuccessfulRequestLatency", {**dims, "Operation": "GetItem"}, 2,
                       "SampleCount") == 2.0
    assert wait_metric(cw, "AWS/DynamoDB", "UserErrors", {}, 1) >= 1.0


def test_api_gateway_count_errors_and_latency(overcast_server):
    lam, apigw, cw = (overcast_server.client(s) for s in ("lambda", "apigateway", "cloudwatch"))
    name = create_function(lam, "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n")
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    api_name = f"metrics-{uuid.uuid4().hex[:8]}"
    api = apigw.create_rest_api(name=api_name)["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    hello = apigw.create_resource(restApiId=api, parentId=root, pathPart="hello")["id"]
    apigw.put_method(restApiId=api, resourceId=hello, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=hello, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations")
    apigw.create_deployment(restApiId=api, stageName="prod")
    import urllib.request

    base = f"{overcast_server.url}/restapis/{api}/prod/_user_request_"
    assert urllib.request.urlopen(f"{base}/hello").status == 200
    try:
        urllib.request.urlopen(f"{base}/missing")
    except urllib.error.HTTPError as error:
        assert error.code == 403
    dims = {"ApiName": api_name, "Stage": "prod"}
    assert wait_metric(cw, "AWS/ApiGateway", "Count", dims, 2) == 2.0
    assert total(cw, "AWS/ApiGateway", "4XXError", dims) == 1.0
    assert total(cw, "AWS/ApiGateway", "5XXError", dims) == 0.0
    assert total(cw, "AWS/ApiGateway", "IntegrationLatency", {"ApiName": api_name}, "SampleCount") == 1.0
    assert total(cw, "AWS/ApiGateway", "Latency", {"ApiName": api_name}, "SampleCount") == 2.0


def test_overcast_metrics_0_turns_platform_metrics_off():
    from overcast.testing import OvercastServer

    with OvercastServer(time_scale=0.01, env={"OVERCAST_METRICS": "0"}) as server:
        lam, cw = server.client("lambda"), server.client("cloudwatch")
        name = create_function(lam, FLAKY)
        lam.invoke(FunctionName=name, Payload=b"{}")
        # an alarm created after the invocation is evaluated after a flush of what was recorded: it
        # finds no Invocations (OK, missing data not breaching), and nothing was recorded at all
        cw.put_metric_alarm(AlarmName="invoked", Namespace="AWS/Lambda", MetricName="Invocations",
                            Dimensions=[{"Name": "FunctionName", "Value": name}], Statistic="Sum", Period=60,
                            EvaluationPeriods=5, Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
                            TreatMissingData="notBreaching")
        wait_until(lambda: cw.describe_alarms(AlarmNames=["invoked"])["MetricAlarms"][0]["StateValue"] == "OK",
                   30, "the alarm evaluated")
        assert cw.list_metrics(Namespace="AWS/Lambda")["Metrics"] == []
        cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Custom", "Value": 1.0}])
        assert cw.list_metrics(Namespace="App")["Metrics"] == [{"Namespace": "App", "MetricName": "Custom",
                                                                "Dimensions": []}]


def test_http_api_count_and_4xx(overcast_server):
    import urllib.request

    lam, apigw2, cw = (overcast_server.client(s) for s in ("lambda", "apigatewayv2", "cloudwatch"))
    name = create_function(lam, "def handler(event, context):\n    return {'statusCode': 404, 'body': 'no'}\n")
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    api = apigw2.create_api(Name=f"metrics-{uuid.uuid4().hex[:8]}", ProtocolType="HTTP", Target=arn)
    try:
        urllib.request.urlopen(f"{api['ApiEndpoint']}/anything")
    except urllib.error.HTTPError as error:
        assert error.code == 404
    dims = {"ApiId": api["ApiId"]}
    assert wait_metric(cw, "AWS/ApiGateway", "Count", dims, 1) == 1.0
    assert total(cw, "AWS/ApiGateway", "4xx", dims) == 1.0 and total(cw, "AWS/ApiGateway", "5xx", dims) == 0.0


def test_async_events_received_age_and_dropped(overcast_server):
    lam, cw = overcast_server.client("lambda"), overcast_server.client("cloudwatch")
    name = create_function(lam, FLAKY)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')["StatusCode"] == 202
    dims = {"FunctionName": name}
    assert wait_metric(cw, "AWS/Lambda", "AsyncEventsDropped", dims, 1) == 1.0   # no retries left
    assert total(cw, "AWS/Lambda", "AsyncEventsReceived", dims) == 1.0
    assert total(cw, "AWS/Lambda", "AsyncEventAge", dims, "SampleCount") == 1.0
    assert (total(cw, "AWS/Lambda", "Invocations", dims), total(cw, "AWS/Lambda", "Errors", dims)) == (1.0, 1.0)
