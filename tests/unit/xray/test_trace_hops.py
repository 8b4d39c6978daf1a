"""The resource an API call's segment names, and the segment's shape."""

from __future__ import annotations

import pytest

from overcast import trace_hops, tracing

A, R = "123456789012", "eu-west-1"


@pytest.mark.parametrize(("service", "params", "arn"), [
    ("sqs", {"QueueUrl": "http://localhost:4566/123456789012/orders"}, f"arn:aws:sqs:{R}:{A}:orders"),
    ("sqs", {"QueueName": "orders"}, f"arn:aws:sqs:{R}:{A}:orders"),
    ("dynamodb", {"TableName": "t"}, f"arn:aws:dynamodb:{R}:{A}:table/t"),
    ("dynamodb", {"RequestItems": {"t2": []}}, f"arn:aws:dynamodb:{R}:{A}:table/t2"),
    ("sns", {"TopicArn": f"arn:aws:sns:{R}:{A}:t"}, f"arn:aws:sns:{R}:{A}:t"),
    ("events", {"Entries": [{"Source": "s"}]}, f"arn:aws:events:{R}:{A}:event-bus/default"),
    ("events", {"Entries": [{"EventBusName": "shop"}]}, f"arn:aws:events:{R}:{A}:event-bus/shop"),
    ("lambda", {"FunctionName": "f"}, f"arn:aws:lambda:{R}:{A}:function:f"),
    ("s3", {"Bucket": "b", "Key": "k"}, "arn:aws:s3:::b"),
    ("kinesis", {"StreamName": "s"}, f"arn:aws:kinesis:{R}:{A}:stream/s"),
    ("sts", {}, None),
    ("sqs", {"QueueUrl": 7}, None),
])
def test_resource_arn(service, params, arn):
    assert trace_hops.resource_arn(service, params, A, R) == arn


def test_api_segment_flags_and_names():
    doc = trace_hops.api_segment(service="dynamodb", operation="PutItem", trace_id="1-5759e988-bd862e3fe1be46a994272793",
                                 seg_id="a" * 16, parent_id="b" * 16, start=1.0, end=1.5, status=429, account=A,
                                 region=R, request_id="r", resource=f"arn:aws:dynamodb:{R}:{A}:table/t")
    assert (doc["name"], doc["origin"], doc["parent_id"]) == ("DynamoDB", "AWS::DynamoDB::Table", "b" * 16)
    assert doc["error"] and doc["throttle"] and "fault" not in doc
    assert doc["aws"]["resource_names"] == ["t"] and doc["aws"]["operation"] == "PutItem"
    assert tracing.flags(503) == {"fault": True}


def test_with_parent_keeps_the_other_fields():
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=1:abcd1234:0"
    assert tracing.with_parent(header, "c" * 16) == (
        f"Root=1-5759e988-bd862e3fe1be46a994272793;Parent={'c' * 16};Sampled=1;Lineage=1:abcd1234:0")
    assert tracing.with_parent(None, "c" * 16, "1-5759e988-bd862e3fe1be46a994272793") == (
        f"Root=1-5759e988-bd862e3fe1be46a994272793;Parent={'c' * 16}")
