"""Receipt rule sets through boto3, and messages delivered to overcast (`POST /_overcast/ses/inbound`)
running the active set: a real function invoked with AWS's SES event (RequestResponse honouring
STOP_RULE, and Event), S3 actions writing the message, SNS actions, Stop actions and receipt filters."""

from __future__ import annotations

import json

import botocore.exceptions
import pytest

from overcast.testing import wait_until
from overcast.testing.lambdas import create_function
from tests.integration.ses.helpers import domain, drain, inbound, name, raw_message, topic_queue

# Records the SES event it got in S3 (so the test can read it) and answers a disposition.
RECORDER = """
import json, os, boto3

def handler(event, context):
    boto3.client("s3").put_object(Bucket=os.environ["BUCKET"], Key="event-" + os.environ["TAG"] + ".json",
                                  Body=json.dumps(event))
    return {"disposition": os.environ["DISPOSITION"]}
"""


@pytest.fixture
def ses(overcast_server):  # type: ignore[no-untyped-def]
    return overcast_server.client("ses")


def _recorder(lam, bucket: str, tag: str, disposition: str = "CONTINUE") -> str:
    name_ = create_function(lam, RECORDER, Timeout=60, Environment={"Variables": {
        "BUCKET": bucket, "TAG": tag, "DISPOSITION": disposition}})
    return lam.get_function_configuration(FunctionName=name_)["FunctionArn"]


def _active_set(ses, rules: list[dict]) -> str:
    rule_set = name("rs")
    ses.create_receipt_rule_set(RuleSetName=rule_set)
    after = None
    for rule in rules:
        ses.create_receipt_rule(RuleSetName=rule_set, Rule=rule, **({"After": after} if after else {}))
        after = rule["Name"]
    ses.set_active_receipt_rule_set(RuleSetName=rule_set)
    return rule_set


def _read(s3, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_rule_set_crud(ses):
    rule_set = name("rs")
    ses.create_receipt_rule_set(RuleSetName=rule_set)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.create_receipt_rule_set(RuleSetName=rule_set)
    assert err.value.response["Error"]["Code"] == "AlreadyExists"
    ses.create_receipt_rule(RuleSetName=rule_set, Rule={"Name": "b", "Enabled": True, "Recipients": ["x.com"],
                                                        "Actions": [{"StopAction": {"Scope": "RuleSet"}}]})
    ses.create_receipt_rule(RuleSetName=rule_set, Rule={"Name": "a"})
    ses.create_receipt_rule(RuleSetName=rule_set, After="b", Rule={"Name": "c"})
    described = ses.describe_receipt_rule_set(RuleSetName=rule_set)
    assert [r["Name"] for r in described["Rules"]] == ["a", "b", "c"]
    assert described["Rules"][0] == {"Name": "a", "Enabled": False, "TlsPolicy": "Optional", "ScanEnabled": False}
    ses.set_receipt_rule_position(RuleSetName=rule_set, RuleName="a", After="c")
    ses.reorder_receipt_rule_set(RuleSetName=rule_set, RuleNames=["c", "a", "b"])
    assert [r["Name"] for r in ses.describe_receipt_rule_set(RuleSetName=rule_set)["Rules"]] == ["c", "a", "b"]
    ses.update_receipt_rule(RuleSetName=rule_set, Rule={"Name": "a", "Enabled": True})
    assert ses.describe_receipt_rule(RuleSetName=rule_set, RuleName="a")["Rule"]["Enabled"] is True
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.describe_receipt_rule(RuleSetName=rule_set, RuleName="zzz")
    assert err.value.response["Error"]["Code"] == "RuleDoesNotExist"
    clone = name("clone")
    ses.clone_receipt_rule_set(RuleSetName=clone, OriginalRuleSetName=rule_set)
    assert len(ses.describe_receipt_rule_set(RuleSetName=clone)["Rules"]) == 3
    ses.set_active_receipt_rule_set(RuleSetName=rule_set)
    assert ses.describe_active_receipt_rule_set()["Metadata"]["Name"] == rule_set
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.delete_receipt_rule_set(RuleSetName=rule_set)
    assert err.value.response["Error"]["Code"] == "CannotDelete"
    ses.set_active_receipt_rule_set()
    assert "Metadata" not in ses.describe_active_receipt_rule_set()
    ses.delete_receipt_rule_set(RuleSetName=rule_set)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.describe_receipt_rule_set(RuleSetName=rule_set)
    assert err.value.response["Error"]["Code"] == "RuleSetDoesNotExist"
    assert clone in [s["Name"] for s in ses.list_receipt_rule_sets()["RuleSets"]]


def test_lambda_request_response_stop_rule_and_s3(overcast_server, ses):
    lam, s3 = overcast_server.client("lambda"), overcast_server.client("s3")
    bucket = name("mail")
    s3.create_bucket(Bucket=bucket)
    stopper = _recorder(lam, bucket, "first", "STOP_RULE")
    dom = domain()
    recipient = f"inbox@{dom}"
    _active_set(ses, [
        {"Name": "one", "Enabled": True, "Recipients": [dom], "Actions": [
            {"LambdaAction": {"FunctionArn": stopper, "InvocationType": "RequestResponse"}},
            {"S3Action": {"BucketName": bucket, "ObjectKeyPrefix": "skipped/"}}]},
        {"Name": "two", "Enabled": True, "Recipients": [recipient], "Actions": [
            {"S3Action": {"BucketName": bucket, "ObjectKeyPrefix": "incoming/"}}]},
        {"Name": "elsewhere", "Enabled": True, "Recipients": ["other.example"], "Actions": [
            {"S3Action": {"BucketName": bucket, "ObjectKeyPrefix": "wrong/"}}]},
    ])
    raw = raw_message("someone@sender.example", recipient, "Inbound hello", "body text")
    result = inbound(overcast_server, raw)
    message_id = result["MessageId"]
    assert result["Rules"] == ["one", "two"]
    assert [(a["Rule"], a["Action"]) for a in result["Actions"]] == [("one", "LambdaAction"), ("two", "S3Action")]
    assert result["Actions"][0]["Disposition"] == "STOP_RULE"

    event = json.loads(_read(s3, bucket, "event-first.json"))
    [record] = event["Records"]
    assert (record["eventSource"], record["eventVersion"]) == ("aws:ses", "1.0")
    mail, receipt = record["ses"]["mail"], record["ses"]["receipt"]
    assert mail["messageId"] == message_id
    assert mail["source"] == "someone@sender.example"
    assert mail["destination"] == [recipient]
    assert mail["commonHeaders"]["subject"] == "Inbound hello"
    assert receipt["recipients"] == [recipient]
    assert receipt["spamVerdict"] == {"status": "PASS"}
    assert receipt["action"] == {"type": "Lambda", "functionArn": stopper, "invocationType": "RequestResponse"}

    assert b"body text" in _read(s3, bucket, f"incoming/{message_id}")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert f"skipped/{message_id}" not in keys and f"wrong/{message_id}" not in keys


def test_lambda_event_invocation_stop_action_and_sns(overcast_server, ses):
    lam, s3, sns, sqs = (overcast_server.client(s) for s in ("lambda", "s3", "sns", "sqs"))
    bucket = name("mail")
    s3.create_bucket(Bucket=bucket)
    function = _recorder(lam, bucket, "async")
    topic, url = topic_queue(sns, sqs)
    dom = domain()
    _active_set(ses, [
        {"Name": "notify", "Enabled": True, "Actions": [
            {"AddHeaderAction": {"HeaderName": "X-Seen-By", "HeaderValue": "overcast"}},
            {"SNSAction": {"TopicArn": topic, "Encoding": "UTF-8"}},
            {"LambdaAction": {"FunctionArn": function, "InvocationType": "Event"}},
            {"StopAction": {"Scope": "RuleSet"}}]},
        {"Name": "never", "Enabled": True, "Actions": [{"S3Action": {"BucketName": bucket}}]},
    ])
    result = inbound(overcast_server, raw_message("a@sender.example", f"x@{dom}", "async one"))
    assert result["Rules"] == ["notify"]
    [note] = drain(sqs, url, 1)
    assert note["notificationType"] == "Received"
    assert note["mail"]["messageId"] == result["MessageId"]
    assert note["receipt"]["action"] == {"type": "SNS", "topicArn": topic, "encoding": "UTF8"}
    assert "X-Seen-By: overcast" in note["content"]
    assert "Subject: async one" in note["content"]
    event = wait_until(lambda: _maybe(s3, bucket, "event-async.json"), 90, "the Event invocation's record")
    assert json.loads(event)["Records"][0]["ses"]["receipt"]["action"]["invocationType"] == "Event"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])] == ["event-async.json"]


def _maybe(s3, bucket: str, key: str) -> bytes | None:
    try:
        return _read(s3, bucket, key)
    except botocore.exceptions.ClientError:
        return None


def test_receipt_filter_blocks(overcast_server, ses):
    flt = name("f")
    ses.create_receipt_filter(Filter={"Name": flt, "IpFilter": {"Policy": "Block", "Cidr": "127.0.0.0/8"}})
    try:
        assert flt in [f["Name"] for f in ses.list_receipt_filters()["Filters"]]
        result = inbound(overcast_server, raw_message("a@b.example", "c@d.example", "blocked"))
        assert result["Dropped"] == "receipt filter blocks 127.0.0.1"
        assert result["Rules"] == []
    finally:
        ses.delete_receipt_filter(FilterName=flt)
    assert flt not in [f["Name"] for f in ses.list_receipt_filters()["Filters"]]


@pytest.mark.parametrize(("action", "code", "message"), [
    ({"S3Action": {"BucketName": "no-such-bucket-here"}}, "InvalidS3Configuration",
     "Could not write to bucket: no-such-bucket-here"),
    ({"LambdaAction": {"FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:nope"}}, "InvalidLambdaFunction",
     "Invalid Lambda function: arn:aws:lambda:us-east-1:000000000000:function:nope"),
    ({"SNSAction": {"TopicArn": "arn:aws:sns:us-east-1:000000000000:nope"}}, "InvalidSnsTopic",
     "Invalid SNS topic: arn:aws:sns:us-east-1:000000000000:nope"),
])
def test_rule_targets_must_exist(overcast_server, ses, action, code, message):
    rule_set = name("rs")
    ses.create_receipt_rule_set(RuleSetName=rule_set)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.create_receipt_rule(RuleSetName=rule_set, Rule={"Name": "r1", "Enabled": True, "Actions": [action]})
    assert (err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]) == (code, message)
    bucket = name("bkt")
    overcast_server.client("s3").create_bucket(Bucket=bucket)
    ses.create_receipt_rule(RuleSetName=rule_set, Rule={"Name": "r1", "Actions": [{"S3Action": {"BucketName": bucket}}]})
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.update_receipt_rule(RuleSetName=rule_set, Rule={"Name": "r1", "Actions": [action]})
    assert err.value.response["Error"]["Code"] == code


@pytest.mark.parametrize(("rule_set", "message"), [
    ('123"', "Value at 'ruleSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
             "^[a-zA-Z0-9_.-]+$"),
    ("_123", "Value at 'ruleSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
             "^[a-zA-Z0-9_.-]+$"),
    ("a" * 65, f"Not a valid ruleSetName: {'a' * 65}"),
])
def test_rule_set_names(ses, rule_set, message):
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.create_receipt_rule_set(RuleSetName=rule_set)
    assert (err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]) == ("ValidationError", message)
    good = name("rs")
    ses.create_receipt_rule_set(RuleSetName=good)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.create_receipt_rule(RuleSetName=good, Rule={"Name": "_r"})
    assert err.value.response["Error"]["Message"].startswith("Value at 'rule.name' failed to satisfy constraint")
