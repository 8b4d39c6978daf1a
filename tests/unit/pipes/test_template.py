"""Pipes' input templates and dynamic paths, on AWS's documented examples
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html)."""

from __future__ import annotations

import base64
import json

from overcast.services.pipes.targets import target_delivery
from overcast.services.pipes.template import dynamic, render

PIPE = {"Name": "p1", "Arn": "arn:aws:pipes:us-east-1:000000000000:pipe/p1",
        "Source": "arn:aws:sqs:us-east-1:000000000000:src", "Target": "arn:aws:sqs:us-east-1:000000000000:dst"}
SQS_EVENT = {"messageId": "m1", "body": json.dumps({"key": "v", "Records": [1, 2, 3, {"x": 4}]}),
             "attributes": {"SenderId": "AIDA1"}, "eventSource": "aws:sqs"}
KINESIS_EVENT = {"data": base64.b64encode(b'{"someKey": "someValue"}').decode(), "eventSource": "aws:kinesis"}


def test_static_string_json_path_and_dynamic_string():
    assert render('"Hello, sender"', SQS_EVENT, PIPE, 0) == "Hello, sender"
    assert render("<$.attributes.SenderId>", SQS_EVENT, PIPE, 0) == "AIDA1"
    assert render("Hello, <$.attributes.SenderId>", SQS_EVENT, PIPE, 0) == "Hello, AIDA1"


def test_dynamic_json_reaches_into_a_json_body():
    template = '{"key1": "value1", "key2": <$.body.key>, "r": <$.body.Records[3]>, "name": "<aws.pipes.pipe-name>"}'
    assert render(template, SQS_EVENT, PIPE, 0) == {"key1": "value1", "key2": "v", "r": {"x": 4}, "name": "p1"}


def test_quoted_values_are_escaped_text_and_unquoted_objects_are_json():
    event = {"body": json.dumps({"q": 'say "hi"', "o": {"a": 1}})}
    assert render('{"text": "<$.body.q>", "obj": <$.body.o>, "as_text": "<$.body.o>"}', event, PIPE, 0) == {
        "text": 'say "hi"', "obj": {"a": 1}, "as_text": '{"a": 1}'}


def test_reserved_variables():
    rendered = render('{"arn": "<aws.pipes.pipe-arn>", "src": "<aws.pipes.source-arn>", '
                      '"t": "<aws.pipes.target-arn>", "at": "<aws.pipes.event.ingestion-time>", '
                      '"whole": <aws.pipes.event.json>}', SQS_EVENT, PIPE, 1_700_000_000.25)
    assert rendered["arn"] == PIPE["Arn"] and rendered["src"] == PIPE["Source"] and rendered["t"] == PIPE["Target"]
    assert rendered["at"] == "2023-11-14T22:13:20.250Z"
    assert rendered["whole"]["body"]["key"] == "v"     # the body decoded into JSON


def test_kinesis_data_is_decoded_for_paths():
    assert dynamic("$.data.someKey", KINESIS_EVENT) == "someValue"
    assert dynamic("$.body.key", SQS_EVENT) == "v"
    assert dynamic("static", SQS_EVENT) == "static"


def test_event_bus_entry_defaults_and_sqs_options():
    payload, options = target_delivery(PIPE, "events", {"a": 1}, SQS_EVENT, {})
    assert json.loads(payload) == {"Source": "Pipe p1", "DetailType": "Event from aws:sqs", "Detail": {"a": 1},
                                   "Resources": []}
    payload, options = target_delivery(PIPE, "sqs", "text", SQS_EVENT,
                                       {"SqsQueueParameters": {"MessageGroupId": "$.body.key"}})
    assert (payload, options) == (b"text", {"MessageGroupId": "v"})
