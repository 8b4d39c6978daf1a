"""One trace id across every hop overcast carries it on, as AWS carries it
(https://docs.aws.amazon.com/xray/latest/devguide/xray-services.html): each test starts a trace with
an `X-Amzn-Trace-Id` (or lets a front door start one) and asserts the next hop's recorded segment is
in the same trace, with its parent the previous hop."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from overcast.testing import create_function, wait_until
from tests.integration.apigateway.helpers import function_arn, rest_proxy_api, unique

#: returns the trace header Lambda gave the invocation, and sends to a queue when asked (its SDK call
#: carries the header on)
REPORTER = """
import json, os, boto3
def handler(event, context):
    if isinstance(event, dict) and event.get("send_to"):
        boto3.client("sqs").send_message(QueueUrl=event["send_to"], MessageBody="from the function")
    header = os.environ.get("_X_AMZN_TRACE_ID", "")
    return {"statusCode": 200, "body": json.dumps({"trace": header})}
"""


def new_trace() -> tuple[str, str]:
    """(root, header) of a trace started by the caller."""
    root = f"1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"
    return root, f"Root={root};Parent={uuid.uuid4().hex[:16]};Sampled=1"


def with_header(client, header: str):
    def add(request, **_):
        request.headers["X-Amzn-Trace-Id"] = header
    client.meta.events.register("before-sign.*.*", add)
    return client


def segments(xray, root: str) -> list[dict]:
    traces = xray.batch_get_traces(TraceIds=[root])["Traces"]
    return [json.loads(s["Document"]) for s in traces[0]["Segments"]] if traces else []


def wait_segment(xray, root: str, **match) -> dict:
    """The segment of trace `root` whose fields (and `aws.operation`) are as given."""
    def found():
        for doc in segments(xray, root):
            operation = match.get("operation")
            if all(doc.get(k) == v for k, v in match.items() if k != "operation") and (
                    operation is None or (doc.get("aws") or {}).get("operation") == operation):
                return doc
        return None
    return wait_until(found, 30, f"a segment {match} in {root}")


def root_of(header: str) -> str:
    return dict(part.split("=", 1) for part in header.split(";"))["Root"]


@pytest.fixture
def xray(overcast_server):
    return overcast_server.client("xray")


@pytest.fixture
def reporter(overcast_server):
    return create_function(overcast_server.client("lambda"), REPORTER, Timeout=60)


def _queue(sqs, name: str | None = None) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name or unique("q"), Attributes={"VisibilityTimeout": "120"})["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_an_api_call_keeps_the_callers_trace(overcast_server, xray):
    root, header = new_trace()
    sqs = with_header(overcast_server.client("sqs"), header)
    _queue(sqs)
    doc = wait_segment(xray, root, name="SQS", operation="CreateQueue")
    assert doc["parent_id"] == header.split("Parent=")[1].split(";")[0]
    assert doc["origin"] == "AWS::SQS::Queue" and doc["http"]["response"]["status"] == 200


def test_an_api_call_without_a_header_gets_a_trace_of_its_own(overcast_server, xray):
    name = unique("q")
    overcast_server.client("sqs").create_queue(QueueName=name)
    now = time.time()
    found = wait_until(lambda: [s for s in xray.get_trace_summaries(
        StartTime=now - 300, EndTime=now + 60, FilterExpression='service("SQS")')["TraceSummaries"]
        if any(a["ARN"].endswith(f":{name}") for a in s["ResourceARNs"])], 30)
    assert found[0]["Id"].startswith("1-")


def test_invoke_into_the_function_and_out_with_its_sdk_calls(overcast_server, xray, reporter):
    root, header = new_trace()
    lam = with_header(overcast_server.client("lambda"), header)
    url, _ = _queue(overcast_server.client("sqs"))
    answer = json.loads(json.loads(lam.invoke(FunctionName=reporter, Payload=json.dumps({"send_to": url}))["Payload"]
                                   .read())["body"])
    assert root_of(answer["trace"]) == root  # _X_AMZN_TRACE_ID
    service = wait_segment(xray, root, origin="AWS::Lambda", name=reporter)
    function = wait_segment(xray, root, origin="AWS::Lambda::Function", name=reporter)
    assert service["parent_id"] == header.split("Parent=")[1].split(";")[0]
    assert function["parent_id"] == service["id"]
    assert f"Parent={function['id']}" in answer["trace"]
    assert service["metadata"]["overcast"]["invocation_type"] == "RequestResponse"
    send = wait_segment(xray, root, name="SQS", operation="SendMessage")  # the function's boto3 call
    assert send["parent_id"] == function["id"]


def test_an_asynchronous_invocation_continues_the_trace(overcast_server, xray, reporter):
    root, header = new_trace()
    lam = with_header(overcast_server.client("lambda"), header)
    lam.invoke(FunctionName=reporter, InvocationType="Event", Payload=b"{}")
    service = wait_segment(xray, root, origin="AWS::Lambda", name=reporter)
    assert service["metadata"]["overcast"]["invocation_type"] == "Event"
    assert [s["name"] for s in service["subsegments"]] == ["Dwell Time", "Attempt #1"]
    wait_segment(xray, root, origin="AWS::Lambda::Function", name=reporter)


def test_sqs_aws_trace_header_reaches_the_mapped_function(overcast_server, xray, reporter):
    root, header = new_trace()
    sqs = overcast_server.client("sqs")
    url, arn = _queue(sqs)
    overcast_server.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=reporter,
                                                                 BatchSize=1)
    with_header(sqs, header).send_message(QueueUrl=url, MessageBody="hello")
    send = wait_segment(xray, root, name="SQS", operation="SendMessage")
    service = wait_segment(xray, root, origin="AWS::Lambda", name=reporter)
    assert service["metadata"]["overcast"] == {"invocation_type": "EventSourceMapping", "source_arn": arn}
    graph = xray.get_trace_graph(TraceIds=[root])["Services"]
    by_ref = {s["ReferenceId"]: s for s in graph}
    sqs_node = next(s for s in graph if s["Name"] == "SQS")
    assert reporter in {by_ref[e["ReferenceId"]]["Name"] for e in sqs_node["Edges"]}
    assert send["trace_id"] == service["trace_id"] == root


def test_sns_carries_the_trace_to_a_function_and_a_queue(overcast_server, xray, reporter):
    root, header = new_trace()
    sns, sqs, lam = (overcast_server.client(s) for s in ("sns", "sqs", "lambda"))
    topic = sns.create_topic(Name=unique("t"))["TopicArn"]
    url, queue_arn = _queue(sqs)
    lam.add_permission(FunctionName=reporter, StatementId="sns", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn(lam, reporter))
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    with_header(sns, header).publish(TopicArn=topic, Message="m")
    publish = wait_segment(xray, root, name="SNS", operation="Publish")
    service = wait_segment(xray, root, origin="AWS::Lambda", name=reporter)
    assert service["parent_id"] == publish["id"] and service["metadata"]["overcast"]["invocation_type"] == "Event"
    delivery = wait_segment(xray, root, name="SQS", operation="SendMessage")
    assert delivery["parent_id"] == publish["id"] and delivery["aws"]["resource_arn"] == queue_arn
    message = wait_until(lambda: sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["AWSTraceHeader"])
                         .get("Messages"), 30)[0]
    assert root_of(message["Attributes"]["AWSTraceHeader"]) == root


def test_eventbridge_carries_the_trace_to_its_targets(overcast_server, xray, reporter):
    root, header = new_trace()
    events, sqs, lam = (overcast_server.client(s) for s in ("events", "sqs", "lambda"))
    bus = unique("bus")
    events.create_event_bus(Name=bus)
    url, queue_arn = _queue(sqs)
    rule = unique("r")
    rule_arn = events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": ["shop"]}))["RuleArn"]
    lam.add_permission(FunctionName=reporter, StatementId="eb", Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceArn=rule_arn)
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn},
                                                             {"Id": "f", "Arn": function_arn(lam, reporter)}])
    with_header(events, header).put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": "{}",
                                                     "EventBusName": bus}])
    put = wait_segment(xray, root, name="EventBridge", operation="PutEvents")
    delivery = wait_segment(xray, root, name="SQS", operation="SendMessage")
    assert delivery["parent_id"] == put["id"]
    service = wait_segment(xray, root, origin="AWS::Lambda", name=reporter)
    assert service["parent_id"] == put["id"]
    message = wait_until(lambda: sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["AWSTraceHeader"])
                         .get("Messages"), 30)[0]
    assert message["Attributes"]["AWSTraceHeader"].startswith(f"Root={root};Parent={delivery['id']}")


def test_eventbridge_without_a_callers_trace_adds_no_aws_trace_header(overcast_server):
    events, sqs = overcast_server.client("events"), overcast_server.client("sqs")
    url, queue_arn = _queue(sqs)
    rule = unique("r")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["untraced"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn}])
    events.put_events(Entries=[{"Source": "untraced", "DetailType": "x", "Detail": "{}"}])
    message = wait_until(lambda: sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])
                         .get("Messages"), 30)[0]
    assert "AWSTraceHeader" not in message["Attributes"]


def test_a_rest_api_records_its_stage_and_the_function_under_it(overcast_server, xray):
    apigw, lam = overcast_server.client("apigateway"), overcast_server.client("lambda")
    api_id, name = rest_proxy_api(apigw, lam, REPORTER, stage="prod")
    root, header = new_trace()
    with httpx.Client(base_url=overcast_server.url, timeout=60) as http:
        answer = http.get(f"/restapis/{api_id}/prod/_user_request_/x", headers={"X-Amzn-Trace-Id": header})
    assert answer.status_code == 200 and root_of(answer.json()["trace"]) == root
    stage = wait_segment(xray, root, origin="AWS::ApiGateway::Stage", name=f"{api_id}/prod")
    service = wait_segment(xray, root, origin="AWS::Lambda", name=name)
    assert service["parent_id"] == stage["id"] and stage["http"]["response"]["status"] == 200


def test_an_http_api_starts_a_trace_when_the_caller_sends_none(overcast_server, xray):
    lam, apigw2 = overcast_server.client("lambda"), overcast_server.client("apigatewayv2")
    name = create_function(lam, REPORTER)
    api = apigw2.create_api(Name=unique("h"), ProtocolType="HTTP", Target=function_arn(lam, name))
    answer = httpx.get(api["ApiEndpoint"] + "/x", timeout=60)
    root = root_of(answer.json()["trace"])
    stage = wait_segment(xray, root, origin="AWS::ApiGateway::Stage")
    service = wait_segment(xray, root, origin="AWS::Lambda", name=name)
    assert stage["name"].startswith(api["ApiId"] + "/") and service["parent_id"] == stage["id"]


def test_a_function_url_continues_the_callers_trace(overcast_server, xray, reporter):
    lam = overcast_server.client("lambda")
    url = lam.create_function_url_config(FunctionName=reporter, AuthType="NONE")["FunctionUrl"]
    root, header = new_trace()
    answer = httpx.get(url, headers={"X-Amzn-Trace-Id": header}, timeout=60)
    assert root_of(answer.json()["trace"]) == root
    service = wait_segment(xray, root, origin="AWS::Lambda", name=reporter)
    assert service["parent_id"] == header.split("Parent=")[1].split(";")[0]


def test_an_s3_notification_continues_the_writers_trace(overcast_server, xray, reporter):
    s3, lam = overcast_server.client("s3"), overcast_server.client("lambda")
    bucket = unique("b")
    s3.create_bucket(Bucket=bucket)
    lam.add_permission(FunctionName=reporter, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": function_arn(lam, reporter),
                                          "Events": ["s3:ObjectCreated:*"]}]})
    root, header = new_trace()
    with_header(s3, header).put_object(Bucket=bucket, Key="k", Body=b"x")
    put = wait_segment(xray, root, name="S3", operation="PutObject")
    service = wait_segment(xray, root, origin="AWS::Lambda", name=reporter)
    assert service["parent_id"] == put["id"]


def test_a_stream_mapping_records_its_source(overcast_server, xray, reporter):
    """Lambda does not continue a writer's trace through Kinesis or DynamoDB Streams records: the
    invocation starts a trace of its own, recorded with its event source."""
    kinesis, lam = overcast_server.client("kinesis"), overcast_server.client("lambda")
    stream = unique("s")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=reporter, StartingPosition="TRIM_HORIZON",
                                    BatchSize=1)
    kinesis.put_record(StreamName=stream, Data=b"{}", PartitionKey="p")
    now = time.time()

    def invocation():
        for summary in xray.get_trace_summaries(StartTime=now - 300, EndTime=time.time() + 60,
                                                FilterExpression=f'service("{reporter}")')["TraceSummaries"]:
            for doc in segments(xray, summary["Id"]):
                if doc.get("origin") == "AWS::Lambda" and doc["metadata"]["overcast"].get("source_arn") == arn:
                    return doc
        return None

    doc = wait_until(invocation, 60)
    assert doc["metadata"]["overcast"]["invocation_type"] == "EventSourceMapping"


def test_tracing_modes_decide_sampling(overcast_server):
    """Active: an invocation without a decision is sampled (the first each second); PassThrough follows
    the caller's `Sampled` and is not sampled without one."""
    lam = overcast_server.client("lambda")
    passthrough = create_function(lam, REPORTER)
    active = create_function(lam, REPORTER, TracingConfig={"Mode": "Active"})

    def sampled(client, name):
        body = json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())["body"]
        return dict(p.split("=", 1) for p in json.loads(body)["trace"].split(";"))["Sampled"]

    assert sampled(lam, passthrough) == "0"
    assert sampled(lam, active) == "1"
    _, header = new_trace()
    traced = with_header(overcast_server.client("lambda"), header)
    assert sampled(traced, passthrough) == "1"
    unsampled = with_header(overcast_server.client("lambda"), header.replace("Sampled=1", "Sampled=0"))
    assert sampled(unsampled, active) == "0"


def test_an_untraced_put_events_and_its_function_target_share_one_trace(overcast_server, xray, reporter):
    events, lam = overcast_server.client("events"), overcast_server.client("lambda")
    bus, rule = unique("bus"), unique("r")
    events.create_event_bus(Name=bus)
    rule_arn = events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": ["u"]}))["RuleArn"]
    lam.add_permission(FunctionName=reporter, StatementId="eb", Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceArn=rule_arn)
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "f", "Arn": function_arn(lam, reporter)}])
    events.put_events(Entries=[{"Source": "u", "DetailType": "x", "Detail": "{}", "EventBusName": bus}])
    now = time.time()

    def put_trace():
        for summary in xray.get_trace_summaries(StartTime=now - 300, EndTime=time.time() + 60,
                                                FilterExpression=f'service("{reporter}")')["TraceSummaries"]:
            docs = segments(xray, summary["Id"])
            put = [d for d in docs if d["name"] == "EventBridge" and
                   (d.get("aws") or {}).get("resource_arn", "").endswith(f"/{bus}")]
            if put:
                return put[0], docs
        return None

    put, docs = wait_until(put_trace, 30)
    (service,) = [d for d in docs if d.get("origin") == "AWS::Lambda" and d["name"] == reporter]
    assert service["parent_id"] == put["id"]
