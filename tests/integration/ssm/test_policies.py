"""Parameter policies on the platform clock and Parameter Store's EventBridge events."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import botocore.exceptions
import pytest

from overcast.testing import wait_until


def _queue_for(overcast_server, pattern: dict) -> tuple[str, object]:
    sqs, events = overcast_server.client("sqs"), overcast_server.client("events")
    queue = sqs.create_queue(QueueName=f"ssm-ev-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"ssm-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn}])
    return queue, sqs


def _drain(sqs, queue: str, seen: list[dict]) -> list[dict]:
    for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        seen.append(json.loads(message["Body"]))
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return seen


def test_expiration_deletes_the_parameter_and_notifies(overcast_server):
    ssm = overcast_server.client("ssm")
    name = f"/exp-{uuid.uuid4().hex[:8]}/token"
    queue, sqs = _queue_for(overcast_server, {"source": ["aws.ssm"], "detail": {"parameter-name": [name]}})
    # AWS time runs 100 times faster in tests: two hours away is 72 real seconds, and the
    # notification one hour before it comes first
    at = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    policies = [{"Type": "Expiration", "Version": "1.0",
                 "Attributes": {"Timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z")}},
                {"Type": "ExpirationNotification", "Version": "1.0", "Attributes": {"Before": "119", "Unit": "Hours"}}]
    ssm.put_parameter(Name=name, Value="v", Type="String", Tier="Advanced", Policies=json.dumps(policies))
    seen: list[dict] = []
    wait_until(lambda: any(e["detail"]["policy-type"] == "ExpirationNotification" for e in _drain(sqs, queue, seen)),
               timeout=60)
    event = next(e for e in seen if e["detail"]["policy-type"] == "ExpirationNotification")
    assert (event["detail-type"], event["source"], event["detail"]["parameter-type"]) == (
        "Parameter Store Policy Action", "aws.ssm", "String")
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == "v"
    status = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]["Policies"]
    assert {p["PolicyType"]: p["PolicyStatus"] for p in status} == {"Expiration": "Pending",
                                                                    "ExpirationNotification": "Finished"}


def test_expired_parameter_is_gone(overcast_server):
    ssm = overcast_server.client("ssm")
    name = f"/gone-{uuid.uuid4().hex[:8]}/token"
    queue, sqs = _queue_for(overcast_server, {"source": ["aws.ssm"], "detail-type": ["Parameter Store Policy Action"],
                                              "detail": {"parameter-name": [name]}})
    at = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)  # 3 real seconds
    ssm.put_parameter(Name=name, Value="v", Type="String", Tier="Advanced", Policies=json.dumps(
        [{"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": at.isoformat()}}]))

    def gone() -> bool:
        try:
            ssm.get_parameter(Name=name)
        except botocore.exceptions.ClientError as error:
            return error.response["Error"]["Code"] == "ParameterNotFound"
        return False

    wait_until(gone, timeout=60)
    seen: list[dict] = []
    wait_until(lambda: _drain(sqs, queue, seen), timeout=30)
    assert seen[0]["detail"]["policy-type"] == "Expiration"
    assert seen[0]["resources"] == [f"arn:aws:ssm:us-east-1:000000000000:parameter{name}"]


def test_change_events(overcast_server):
    ssm = overcast_server.client("ssm")
    name = f"/chg-{uuid.uuid4().hex[:8]}/p"
    queue, sqs = _queue_for(overcast_server, {"source": ["aws.ssm"], "detail-type": ["Parameter Store Change"],
                                              "detail": {"name": [name]}})
    ssm.put_parameter(Name=name, Value="1", Type="String", Description="first")
    ssm.put_parameter(Name=name, Value="2", Overwrite=True)
    ssm.label_parameter_version(Name=name, Labels=["x"])
    ssm.delete_parameter(Name=name)
    seen: list[dict] = []
    wait_until(lambda: len(_drain(sqs, queue, seen)) >= 4, timeout=60)
    assert sorted(e["detail"]["operation"] for e in seen) == ["Create", "Delete", "LabelParameterVersion", "Update"]
    create = next(e for e in seen if e["detail"]["operation"] == "Create")
    assert create["detail"] == {"operation": "Create", "name": name, "type": "String", "description": "first"}


def test_policies_need_the_advanced_tier(overcast_server):
    ssm = overcast_server.client("ssm")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"/pol-{uuid.uuid4().hex[:8]}", Value="v", Type="String", Tier="Standard",
                          Policies='[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"1","Unit":"Days"}}]')
    assert info.value.response["Error"]["Code"] == "ValidationException"
