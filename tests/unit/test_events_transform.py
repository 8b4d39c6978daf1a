"""Target input: Input, InputPath and InputTransformer with AWS's quoting rules (docs/aws-behaviour.md#target-input)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from overcast.services.events.transform import MISSING, parse_path, select, target_input

EVENT: dict[str, Any] = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "count": 3, "tags": {"a": "b"}},
}
PATHS = {"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state"}
RULE_ARN = "arn:aws:events:us-east-2:123456789012:rule/example"


def render(template: str, paths: dict[str, str] | None = None) -> str:
    target = {"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q",
              "InputTransformer": {"InputPathsMap": PATHS if paths is None else paths, "InputTemplate": template}}
    return target_input(target, EVENT, json.dumps(EVENT), rule_arn=RULE_ARN, rule_name="example",
                        ingestion_time="2015-11-11T21:29:55Z")


@pytest.mark.parametrize(("template", "expected"), [
    ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
    ('"instance \\"<instance>\\" is in <state>"', '"instance \\"i-0123456789\\" is in RUNNING"'),
    ('{\n  "instance" : <instance>,\n  "state": <state>\n}', '{"instance":"i-0123456789","state":"RUNNING"}'),
    ('{"instance": <instance>, "state": "<state>", "s": "instance \\"<instance>\\" is in <state>"}',
     '{"instance":"i-0123456789","state":"RUNNING","s":"instance \\"i-0123456789\\" is in RUNNING"}'),
    ('{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}',
     '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}'),
    ('{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>}',
     '{"ruleArn":"arn:aws:events:us-east-2:123456789012:rule/example","ruleName":"example"}'),
    ('"<aws.events.rule-name> triggered"', '"example triggered"'),
    ('"received at <aws.events.event.ingestion-time>"', '"received at 2015-11-11T21:29:55Z"'),
    ('<b>bold</b> <instance>', '<b>bold</b> "i-0123456789"'),
])
def test_templates_from_awss_documentation(template: str, expected: str) -> None:
    assert render(template) == expected


def test_values_keep_their_json_types() -> None:
    out = json.loads(render('{"n": <n>, "tags": <tags>, "all": <all>}',
                            {"n": "$.detail.count", "tags": "$.detail.tags", "all": "$.resources"}))
    assert out == {"n": 3, "tags": {"a": "b"}, "all": EVENT["resources"]}


def test_objects_inside_strings_are_inserted_as_raw_unescaped_json_text() -> None:
    # AWS: "EventBridge doesn't escape values extracted by Input Path" (the result is not JSON)
    assert render('"tags: <tags>"', {"tags": "$.detail.tags"}) == '"tags: {"a":"b"}"'


def test_a_variable_whose_path_leads_nowhere_is_empty() -> None:
    assert json.loads(render('{"x": <gone>, "y": "[<gone>]"}', {"gone": "$.detail.nothing"})) == {"x": None, "y": "[]"}


def test_the_whole_event_and_the_event_without_detail() -> None:
    out = json.loads(render('{"e": <aws.events.event>, "j": <aws.events.event.json>}', {}))
    assert out["j"] == EVENT
    assert out["e"] == {k: v for k, v in EVENT.items() if k != "detail"}


def test_constant_input_and_input_path() -> None:
    base = {"Id": "t", "Arn": "arn:aws:sqs:us-east-1:1:q"}
    kwargs = {"rule_arn": RULE_ARN, "rule_name": "example", "ingestion_time": "x"}
    assert target_input({**base, "Input": '{"fixed": 1}'}, EVENT, "{}", **kwargs) == '{"fixed": 1}'
    assert json.loads(target_input({**base, "InputPath": "$.detail"}, EVENT, "{}", **kwargs)) == EVENT["detail"]
    assert target_input(base, EVENT, "THE EVENT", **kwargs) == "THE EVENT"


@pytest.mark.parametrize(("path", "value"), [
    ("$", EVENT), ("$.detail.state", "RUNNING"), ("$.resources[0]", EVENT["resources"][0]),
    ("$['detail']['instance-id']", "i-0123456789"), ("$.detail.tags.*", ["b"]), ("$.resources[-1]", EVENT["resources"][0]),
    ("$.detail.missing", MISSING), ("$.resources[5]", MISSING), ("detail", MISSING),
])
def test_json_paths(path: str, value: object) -> None:
    assert select(EVENT, path) == value if value is not MISSING else select(EVENT, path) is MISSING


def test_paths_that_are_not_json_paths() -> None:
    assert parse_path("$.a[") is None
    assert parse_path("a.b") is None
    assert parse_path("$.a.b[2]['c d']") == ["a", "b", 2, "c d"]
