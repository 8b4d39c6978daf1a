"""AWS Config's advanced query language, as overcast evaluates it."""

from __future__ import annotations

import json

import pytest

from overcast.errors import ClientError
from overcast.services.config.query import parse, queryable, select


def _item(kind: str, rid: str, configuration: dict, tags: dict | None = None) -> dict:
    return queryable({"resourceId": rid, "resourceName": rid, "resourceType": kind, "awsAccountId": "1",
                      "awsRegion": "us-east-1", "ARN": f"arn:{rid}", "configuration": configuration,
                      "supplementaryConfiguration": {}, "tags": tags or {}})


ITEMS = [_item("AWS::S3::Bucket", "logs", {"name": "logs"}, {"team": "ops"}),
         _item("AWS::S3::Bucket", "site", {"name": "site"}),
         _item("AWS::Lambda::Function", "api", {"runtime": "python3.12", "memorySize": 256})]


def _run(expression: str) -> list[dict]:
    return [json.loads(r) for r in select(parse(expression), ITEMS)]


def test_select_where_equals_like_in_and_numbers():
    assert _run("SELECT resourceId WHERE resourceType = 'AWS::S3::Bucket'") == [
        {"resourceId": "logs"}, {"resourceId": "site"}]
    assert _run("SELECT resourceId, configuration.runtime WHERE configuration.runtime LIKE 'python%'") == [
        {"resourceId": "api", "configuration": {"runtime": "python3.12"}}]
    assert _run("SELECT resourceId WHERE resourceId IN ('site', 'api') AND resourceType = 'AWS::S3::Bucket'") == [
        {"resourceId": "site"}]
    assert _run("SELECT resourceId WHERE configuration.memorySize >= 128 OR tags.key = 'team'") == [
        {"resourceId": "logs"}, {"resourceId": "api"}]
    assert len(_run("SELECT resourceId")) == 3


@pytest.mark.parametrize("expression", ["SELECT resourceId FROM AWS::S3::Bucket", "DELETE resourceId",
                                        "SELECT WHERE resourceId = 'x'", "SELECT resourceId WHERE resourceId"])
def test_what_aws_refuses(expression):
    with pytest.raises(ClientError) as excinfo:
        parse(expression)
    assert excinfo.value.code == "InvalidExpressionException"
