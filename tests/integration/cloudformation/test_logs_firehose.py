"""CloudFormation and SAM: AWS::Logs::SubscriptionFilter, AWS::KinesisFirehose::DeliveryStream and
SAM's CloudWatchLogs event source, each delivering real log events."""

from __future__ import annotations

import gzip
import json
import time

from overcast.testing import wait_until
from tests.integration.cloudformation.helpers import physical, unique, wait

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  RecordFile:
    Type: String
Resources:
  AppLogs:
    Type: AWS::Logs::LogGroup
  AuditLogs:
    Type: AWS::Logs::LogGroup
  Bucket:
    Type: AWS::S3::Bucket
  Hose:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      DeliveryStreamType: DirectPut
      ExtendedS3DestinationConfiguration:
        BucketARN: !GetAtt Bucket.Arn
        RoleARN: arn:aws:iam::000000000000:role/firehose
        Prefix: audit/
        BufferingHints:
          IntervalInSeconds: 60
          SizeInMBs: 1
      Tags:
        - Key: team
          Value: data
  AuditToHose:
    Type: AWS::Logs::SubscriptionFilter
    Properties:
      LogGroupName: !Ref AuditLogs
      FilterPattern: AUDIT
      DestinationArn: !GetAtt Hose.Arn
      RoleArn: arn:aws:iam::000000000000:role/cwl
  Watcher:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Timeout: 30
      Environment:
        Variables:
          RECORD: !Ref RecordFile
      InlineCode: |
        import base64, gzip, json, os
        def handler(event, context):
            decoded = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
            with open(os.environ["RECORD"], "a") as out:
                out.write(json.dumps(decoded) + "\\n")
      Events:
        Errors:
          Type: CloudWatchLogs
          Properties:
            LogGroupName: !Ref AppLogs
            FilterPattern: ERROR
Outputs:
  HoseArn:
    Value: !GetAtt Hose.Arn
"""


def test_sam_cloudwatch_logs_event_and_a_subscription_to_firehose(overcast_server, cf, tmp_path):
    record = tmp_path / "record.jsonl"
    stack = unique()
    stack_id = cf.create_stack(StackName=stack, TemplateBody=TEMPLATE, Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
                               Parameters=[{"ParameterKey": "RecordFile", "ParameterValue": str(record)}])["StackId"]
    assert wait(cf, stack)["StackStatus"] == "CREATE_COMPLETE"
    ids = physical(cf, stack)
    logs, s3, firehose = (overcast_server.client(s) for s in ("logs", "s3", "firehose"))
    described = firehose.describe_delivery_stream(DeliveryStreamName=ids["Hose"])["DeliveryStreamDescription"]
    assert described["Destinations"][0]["ExtendedS3DestinationDescription"]["Prefix"] == "audit/"
    filters = logs.describe_subscription_filters(logGroupName=ids["AuditLogs"])["subscriptionFilters"]
    assert [(f["filterName"], f["destinationArn"]) for f in filters] == [(ids["AuditToHose"], described[
        "DeliveryStreamARN"])]

    now = int(time.time() * 1000)
    for group in (ids["AppLogs"], ids["AuditLogs"]):
        logs.create_log_stream(logGroupName=group, logStreamName="s")
        logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
            {"timestamp": now, "message": "ERROR in app"}, {"timestamp": now + 1, "message": "AUDIT login"}])

    def decoded():
        if not record.exists():
            return None
        lines = [json.loads(line) for line in record.read_text().splitlines()]
        return [m for m in lines if m["messageType"] == "DATA_MESSAGE"] or None

    data = wait_until(decoded, timeout=60, what="the function's decoded log events")
    assert [e["message"] for m in data for e in m["logEvents"]] == ["ERROR in app"]

    def delivered():
        listing = s3.list_objects_v2(Bucket=ids["Bucket"], Prefix="audit/").get("Contents", [])
        bodies = [s3.get_object(Bucket=ids["Bucket"], Key=o["Key"])["Body"].read() for o in listing]
        # Firehose concatenates the records one buffer holds: each is a gzip member with one JSON
        # document, so an object can hold the control message and the data message back to back
        messages = [m for b in bodies for m in _documents(gzip.decompress(b).decode())]
        return [m for m in messages if m["messageType"] == "DATA_MESSAGE"] or None

    audit = wait_until(delivered, timeout=30, what="the audit events in S3")
    assert [e["message"] for m in audit for e in m["logEvents"]] == ["AUDIT login"]

    for item in s3.list_objects_v2(Bucket=ids["Bucket"]).get("Contents", []):  # AWS keeps a non-empty bucket
        s3.delete_object(Bucket=ids["Bucket"], Key=item["Key"])
    cf.delete_stack(StackName=stack)
    assert wait(cf, stack_id)["StackStatus"] == "DELETE_COMPLETE"
    assert ids["Hose"] not in firehose.list_delivery_streams(Limit=100)["DeliveryStreamNames"]


def _documents(text: str) -> list[dict]:
    """The JSON documents written one after another in `text`."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(text):
        document, at = decoder.raw_decode(text, at)
        found.append(document)
        while at < len(text) and text[at].isspace():
            at += 1
    return found
