"""`overcast events`: every template renders to JSON with the fields AWS documents for its trigger, and
the command's overrides land where the event carries them."""

import base64
import gzip
import hashlib
import json
import subprocess
import sys

import pytest

from overcast import sample_events
from overcast.cli import main

# Fields AWS's documentation shows for each trigger (paths; `Records.0` is the first record).
REQUIRED = {
    ("apigateway", "rest"): ["resource", "path", "httpMethod", "headers", "multiValueHeaders",
                             "queryStringParameters", "multiValueQueryStringParameters", "pathParameters",
                             "stageVariables", "requestContext.requestId", "requestContext.identity.sourceIp",
                             "requestContext.stage", "body", "isBase64Encoded"],
    ("apigateway", "http"): ["version", "routeKey", "rawPath", "rawQueryString", "headers",
                             "requestContext.http.method", "requestContext.http.sourceIp",
                             "requestContext.timeEpoch", "body", "isBase64Encoded"],
    ("apigateway", "authorizer"): ["type", "authorizationToken", "methodArn"],
    ("alb", "request"): ["requestContext.elb.targetGroupArn", "httpMethod", "path", "queryStringParameters",
                         "headers", "body", "isBase64Encoded"],
    ("function-url", "request"): ["version", "routeKey", "rawPath", "rawQueryString", "headers",
                                  "requestContext.domainName", "requestContext.http.method", "isBase64Encoded"],
    ("s3", "put"): ["Records.0.eventSource", "Records.0.eventName", "Records.0.s3.bucket.name",
                    "Records.0.s3.bucket.arn", "Records.0.s3.object.key", "Records.0.s3.object.size",
                    "Records.0.s3.object.eTag", "Records.0.s3.object.sequencer"],
    ("s3", "delete"): ["Records.0.eventName", "Records.0.s3.bucket.name", "Records.0.s3.object.key"],
    ("sns", "notification"): ["Records.0.EventSource", "Records.0.EventSubscriptionArn", "Records.0.Sns.Message",
                              "Records.0.Sns.TopicArn", "Records.0.Sns.MessageId", "Records.0.Sns.Signature",
                              "Records.0.Sns.SigningCertUrl", "Records.0.Sns.UnsubscribeUrl"],
    ("sqs", "receive"): ["Records.0.messageId", "Records.0.receiptHandle", "Records.0.body",
                         "Records.0.attributes.ApproximateReceiveCount", "Records.0.md5OfBody",
                         "Records.0.eventSource", "Records.0.eventSourceARN", "Records.0.awsRegion"],
    ("sqs", "fifo"): ["Records.0.attributes.MessageGroupId", "Records.0.attributes.SequenceNumber"],
    ("dynamodb", "update"): ["Records.0.eventID", "Records.0.eventName", "Records.0.dynamodb.Keys",
                             "Records.0.dynamodb.SequenceNumber", "Records.0.dynamodb.StreamViewType",
                             "Records.0.eventSourceARN"],
    ("kinesis", "record"): ["Records.0.kinesis.partitionKey", "Records.0.kinesis.sequenceNumber",
                            "Records.0.kinesis.data", "Records.0.kinesis.approximateArrivalTimestamp",
                            "Records.0.eventID", "Records.0.eventSourceARN"],
    ("eventbridge", "event"): ["version", "id", "detail-type", "source", "account", "time", "region",
                               "resources", "detail"],
    ("eventbridge", "scheduled"): ["detail-type", "source", "resources.0"],
    ("eventbridge", "s3-object-created"): ["detail.bucket.name", "detail.object.key"],
    ("logs", "subscription"): ["awslogs.data"],
    ("cloudformation", "create"): ["RequestType", "ResponseURL", "StackId", "RequestId", "ResourceType",
                                   "LogicalResourceId", "ResourceProperties"],
    ("cloudformation", "update"): ["PhysicalResourceId", "OldResourceProperties"],
    ("cloudformation", "delete"): ["PhysicalResourceId"],
    ("cognito", "pre-sign-up"): ["version", "triggerSource", "region", "userPoolId", "userName",
                                 "callerContext.clientId", "request.userAttributes", "response.autoConfirmUser"],
    ("lex", "dialog"): ["messageVersion", "invocationSource", "inputMode", "sessionId", "inputTranscript",
                        "bot.name", "interpretations", "sessionState.intent.name", "responseContentType"],
    ("alexa", "intent"): ["version", "session.sessionId", "context.System.application.applicationId",
                          "request.type", "request.requestId", "request.intent.name"],
    ("cloudfront", "viewer-request"): ["Records.0.cf.config.distributionId", "Records.0.cf.config.eventType",
                                       "Records.0.cf.request.uri", "Records.0.cf.request.headers.host"],
    ("cloudfront", "origin-response"): ["Records.0.cf.response.status", "Records.0.cf.request.origin"],
    ("firehose", "transform"): ["invocationId", "deliveryStreamArn", "region", "records.0.recordId",
                                "records.0.data", "records.0.approximateArrivalTimestamp"],
    ("ses", "receive"): ["Records.0.eventSource", "Records.0.ses.mail.messageId", "Records.0.ses.mail.commonHeaders",
                         "Records.0.ses.receipt.action.type", "Records.0.ses.receipt.spamVerdict.status"],
    ("codecommit", "push"): ["Records.0.codecommit.references.0.ref", "Records.0.eventSourceARN",
                             "Records.0.eventName"],
    ("config", "item-change"): ["invokingEvent", "ruleParameters", "resultToken", "eventLeftScope",
                                "configRuleName", "accountId", "version"],
}

ALL_KINDS = [(source, kind) for source in sample_events.sources() for kind in sample_events.kind_names(source)]


def at(value, path):
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


@pytest.mark.parametrize(("source", "kind"), ALL_KINDS)
def test_every_template_renders_to_json_with_no_placeholder_left(source, kind):
    event = sample_events.render(source, kind)
    text = json.dumps(event)
    assert "${" not in text
    assert not any(f'"{how}"' in text for how in ("$base64", "$json", "$int", "$md5", "$gzip_base64_json"))
    assert sample_events.source(source)["kinds"][kind]["description"]


@pytest.mark.parametrize(("source", "kind"), sorted(REQUIRED))
def test_aws_required_fields(source, kind):
    event = sample_events.render(source, kind)
    for path in REQUIRED[(source, kind)]:
        at(event, path)  # KeyError/IndexError names the missing field


def test_every_trigger_of_the_issue_has_events():
    assert set(sample_events.sources()) >= {
        "apigateway", "alb", "function-url", "s3", "sns", "sqs", "dynamodb", "kinesis", "eventbridge", "logs",
        "cloudformation", "cognito", "lex", "alexa", "cloudfront", "firehose", "ses", "codecommit", "config"}
    assert {"rest", "http"} <= set(sample_events.kind_names("apigateway"))
    assert "scheduled" in sample_events.kind_names("eventbridge")


def test_overrides_apply():
    event = sample_events.render("s3", "put", {"bucket": "photos", "key": "2024/a b.jpg", "region": "eu-west-1"})
    record = event["Records"][0]
    assert record["s3"]["bucket"] == {"name": "photos", "ownerIdentity": {"principalId": "EXAMPLE"},
                                      "arn": "arn:aws:s3:::photos"}
    assert record["s3"]["object"]["key"] == "2024/a+b.jpg"  # S3 URL-encodes keys in its events
    assert record["s3"]["object"]["size"] == 1024 and record["awsRegion"] == "eu-west-1"
    queue = sample_events.render("sqs", None, {"queue": "jobs", "account": "111122223333", "body": '{"a": 1}'})
    assert queue["Records"][0]["eventSourceARN"] == "arn:aws:sqs:us-east-1:111122223333:jobs"
    assert json.loads(queue["Records"][0]["body"]) == {"a": 1}
    assert queue["Records"][0]["md5OfBody"] == hashlib.md5(b'{"a": 1}').hexdigest()
    api = sample_events.render("apigateway", "rest", {"method": "POST", "path": "/orders", "body": '{"x": "y"}'})
    assert (api["httpMethod"], api["path"], api["requestContext"]["path"]) == ("POST", "/orders", "/prod/orders")
    assert json.loads(api["body"]) == {"x": "y"}


def test_encoded_payloads_decode_to_the_overridden_values():
    kinesis = sample_events.render("kinesis", "record", {"body": "payload-1"})
    assert base64.b64decode(kinesis["Records"][0]["kinesis"]["data"]) == b"payload-1"
    logs = sample_events.render("logs", "subscription", {"log_group": "/aws/lambda/f", "body": "hello"})
    document = json.loads(gzip.decompress(base64.b64decode(logs["awslogs"]["data"])))
    assert document["logGroup"] == "/aws/lambda/f" and document["logEvents"][0]["message"] == "hello"
    assert document["messageType"] == "DATA_MESSAGE" and document["owner"] == "123456789012"
    config = sample_events.render("config", "item-change", {"resource_id": "i-1"})
    invoking = json.loads(config["invokingEvent"])
    assert invoking["configurationItem"]["resourceId"] == "i-1"
    assert invoking["messageType"] == "ConfigurationItemChangeNotification"
    firehose = sample_events.render("firehose", "transform", {"body": "x"})
    assert base64.b64decode(firehose["records"][0]["data"]) == b"x"


def test_unknown_sources_and_kinds_name_what_exists():
    with pytest.raises(sample_events.UnknownEvent, match="sources: alb"):
        sample_events.render("nope")
    with pytest.raises(sample_events.UnknownEvent, match="kinds: put, delete"):
        sample_events.render("s3", "nope")


def run(*args):
    return subprocess.run([sys.executable, "-m", "overcast", "events", *args], capture_output=True, text=True,
                          timeout=60)


def test_command_prints_events_and_lists(capsys):
    assert main(["events", "s3", "--bucket", "b1", "--key", "k1"]) == 0
    event = json.loads(capsys.readouterr().out)
    assert event["Records"][0]["s3"]["bucket"]["name"] == "b1"
    assert main(["events", "cloudformation", "delete", "--set", "physical_id=p-1", "--compact"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and json.loads(out)["PhysicalResourceId"] == "p-1"
    assert main(["events"]) == 0
    listing = capsys.readouterr().out
    assert "cognito" in listing and "pre-sign-up" in listing
    assert main(["events", "sqs", "--list"]) == 0
    assert "--queue" in capsys.readouterr().out


def test_command_errors_are_one_line():
    out = run("s3", "--queue", "q")
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "no placeholder queue" in out.stderr and "bucket" in out.stderr
    out = run("nope")
    assert out.returncode == 2 and out.stderr.startswith("overcast: no sample events for 'nope'")
    out = run("s3", "--set", "bucket")
    assert out.returncode == 2 and "NAME=VALUE" in out.stderr
