"""Event buses, rules, targets and tags through boto3 and the AWS CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from tests.integration.events.helpers import unique

QUEUE = "arn:aws:sqs:us-east-1:000000000000:q"


def error_of(call, **kwargs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]


def cli(server, *args: str) -> dict:  # type: ignore[no-untyped-def]
    out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.url, "events", *args],
                         env=server.aws_cli_env(), capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout) if out.stdout.strip() else {}


def test_default_bus_exists_and_custom_buses_are_managed(overcast_server):
    events = overcast_server.client("events")
    default = events.describe_event_bus()
    assert default["Name"] == "default"
    assert default["Arn"] == "arn:aws:events:us-east-1:000000000000:event-bus/default"
    name = unique("bus")
    arn = events.create_event_bus(Name=name, Description="orders")["EventBusArn"]
    assert arn.endswith(f":event-bus/{name}")
    assert events.describe_event_bus(Name=arn)["Description"] == "orders"
    assert error_of(events.create_event_bus, Name=name)["Code"] == "ResourceAlreadyExistsException"
    names = [b["Name"] for b in events.list_event_buses(NamePrefix=name)["EventBuses"]]
    assert names == [name]
    assert "default" in [b["Name"] for b in events.list_event_buses()["EventBuses"]]
    events.delete_event_bus(Name=name)
    error = error_of(events.describe_event_bus, Name=name)
    assert (error["Code"], error["Message"]) == ("ResourceNotFoundException", f"Event bus {name} does not exist.")
    assert error_of(events.delete_event_bus, Name="default")["Message"] == "Cannot delete event bus default."


def test_permissions_are_stored_as_a_policy(overcast_server):
    events = overcast_server.client("events")
    name = unique("bus")
    events.create_event_bus(Name=name)
    events.put_permission(EventBusName=name, Action="events:PutEvents", Principal="111122223333", StatementId="s1")
    policy = json.loads(events.describe_event_bus(Name=name)["Policy"])
    assert policy["Statement"][0]["Sid"] == "s1"
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    events.remove_permission(EventBusName=name, StatementId="s1")
    assert "Policy" not in events.describe_event_bus(Name=name)
    assert error_of(events.remove_permission, EventBusName=name, StatementId="s1")["Code"] == "ResourceNotFoundException"


def test_rule_lifecycle(overcast_server):
    events = overcast_server.client("events")
    bus = unique("bus")
    events.create_event_bus(Name=bus)
    pattern = json.dumps({"source": ["shop"]})
    arn = events.put_rule(Name="r1", EventBusName=bus, EventPattern=pattern, Description="d")["RuleArn"]
    assert arn == f"arn:aws:events:us-east-1:000000000000:rule/{bus}/r1"
    rule = events.describe_rule(Name="r1", EventBusName=bus)
    assert (rule["State"], rule["EventPattern"], rule["EventBusName"], rule["CreatedBy"]) == (
        "ENABLED", pattern, bus, "000000000000")
    events.disable_rule(Name="r1", EventBusName=bus)
    assert events.describe_rule(Name="r1", EventBusName=bus)["State"] == "DISABLED"
    events.enable_rule(Name="r1", EventBusName=bus)
    events.put_rule(Name="r1", EventBusName=bus, EventPattern=pattern)  # an update replaces every field
    assert "Description" not in events.describe_rule(Name="r1", EventBusName=bus)
    events.put_targets(Rule="r1", EventBusName=bus, Targets=[{"Id": "t1", "Arn": QUEUE}])
    error = error_of(events.delete_rule, Name="r1", EventBusName=bus)
    assert (error["Code"], error["Message"]) == ("ValidationException", "Rule can't be deleted since it has targets.")
    events.remove_targets(Rule="r1", EventBusName=bus, Ids=["t1"])
    events.delete_rule(Name="r1", EventBusName=bus)
    events.delete_rule(Name="r1", EventBusName=bus)  # deleting again succeeds, as on AWS
    error = error_of(events.describe_rule, Name="r1", EventBusName=bus)
    assert (error["Code"], error["Message"]) == ("ResourceNotFoundException", f"Rule r1 does not exist on EventBus {bus}.")


def test_put_rule_validation(overcast_server):
    events = overcast_server.client("events")
    name = unique("r")
    error = error_of(events.put_rule, Name=name)
    assert error["Message"] == "Parameter(s) EventPattern or ScheduleExpression must be specified."
    error = error_of(events.put_rule, Name=name, ScheduleExpression="rate(5 minute)")
    assert (error["Code"], error["Message"]) == ("ValidationException", "Parameter ScheduleExpression is not valid.")
    bus = unique("bus")
    events.create_event_bus(Name=bus)
    error = error_of(events.put_rule, Name=name, EventBusName=bus, ScheduleExpression="rate(5 minutes)")
    assert error["Message"] == "ScheduleExpression is supported only on the default event bus."
    error = error_of(events.put_rule, Name=name, EventPattern='{"source": "shop"}')
    assert error["Code"] == "InvalidEventPatternException"
    assert error["Message"] == ('Event pattern is not valid. Reason: "source" must be an object or an array\n'
                                ' at [Source: (String)"{"source": "shop"}"; line: 1, column: 13]')
    assert error_of(events.put_rule, Name=name, EventBusName=unique("nobus"),
                    EventPattern='{"a": ["b"]}')["Code"] == "ResourceNotFoundException"
    assert error_of(events.put_rule, Name="bad name!", EventPattern='{"a": ["b"]}')["Code"] == "ValidationException"


def test_list_rules_with_prefix_and_pagination(overcast_server):
    events = overcast_server.client("events")
    bus = unique("bus")
    events.create_event_bus(Name=bus)
    for name in ("b-2", "a-1", "b-1", "b-3"):
        events.put_rule(Name=name, EventBusName=bus, EventPattern='{"source": ["x"]}')
    first = events.list_rules(EventBusName=bus, NamePrefix="b-", Limit=2)
    assert [r["Name"] for r in first["Rules"]] == ["b-1", "b-2"]
    second = events.list_rules(EventBusName=bus, NamePrefix="b-", Limit=2, NextToken=first["NextToken"])
    assert [r["Name"] for r in second["Rules"]] == ["b-3"] and "NextToken" not in second
    paginator = events.get_paginator("list_rules")
    names = [r["Name"] for p in paginator.paginate(EventBusName=bus, PaginationConfig={"PageSize": 1}) for r in p["Rules"]]
    assert names == ["a-1", "b-1", "b-2", "b-3"]


def test_targets(overcast_server):
    events = overcast_server.client("events")
    rule = unique("r")
    events.put_rule(Name=rule, EventPattern='{"source": ["x"]}')
    targets = [{"Id": f"t{i}", "Arn": f"{QUEUE}{i}", "RetryPolicy": {"MaximumRetryAttempts": 3}} for i in range(5)]
    assert events.put_targets(Rule=rule, Targets=targets)["FailedEntryCount"] == 0
    listed = events.list_targets_by_rule(Rule=rule)["Targets"]
    assert [t["Id"] for t in listed] == ["t0", "t1", "t2", "t3", "t4"]
    assert listed[0]["RetryPolicy"] == {"MaximumRetryAttempts": 3}
    error = error_of(events.put_targets, Rule=rule, Targets=[{"Id": "t5", "Arn": QUEUE}])
    assert (error["Code"], error["Message"]) == ("LimitExceededException",
                                                 "The requested resource exceeds the maximum number allowed.")
    assert events.list_rule_names_by_target(TargetArn=f"{QUEUE}3")["RuleNames"] == [rule]
    events.remove_targets(Rule=rule, Ids=["t0", "t1"])
    assert len(events.list_targets_by_rule(Rule=rule)["Targets"]) == 3
    error = error_of(events.put_targets, Rule=rule, Targets=[{"Id": "x", "Arn": QUEUE, "Input": "{}", "InputPath": "$"}])
    assert error["Message"] == "Only one of Input, InputPath, or InputTransformer must be provided."
    error = error_of(events.put_targets, Rule=rule, Targets=[{"Id": "f", "Arn": QUEUE + ".fifo"}])
    assert error["Message"] == "Parameter(s) SqsParameters must be specified for target: f."
    assert error_of(events.put_targets, Rule=unique("none"), Targets=[{"Id": "x", "Arn": QUEUE}])["Code"] == \
        "ResourceNotFoundException"
    events.remove_targets(Rule=rule, Ids=["t2", "t3", "t4"])
    events.delete_rule(Name=rule)


def test_tags_on_rules_and_buses(overcast_server):
    events = overcast_server.client("events")
    rule = unique("r")
    arn = events.put_rule(Name=rule, EventPattern='{"source": ["x"]}', Tags=[{"Key": "team", "Value": "a"}])["RuleArn"]
    events.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "dev"}])
    assert sorted((t["Key"], t["Value"]) for t in events.list_tags_for_resource(ResourceARN=arn)["Tags"]) == [
        ("env", "dev"), ("team", "a")]
    events.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    bus = events.create_event_bus(Name=unique("bus"), Tags=[{"Key": "k", "Value": "v"}])["EventBusArn"]
    assert events.list_tags_for_resource(ResourceARN=bus)["Tags"] == [{"Key": "k", "Value": "v"}]
    missing = arn.replace(rule, unique("gone"))
    assert error_of(events.tag_resource, ResourceARN=missing, Tags=[])["Code"] == "ResourceNotFoundException"
    events.delete_rule(Name=rule)


def test_the_aws_cli(overcast_server):
    rule = unique("cli")
    arn = cli(overcast_server, "put-rule", "--name", rule, "--event-pattern", '{"source": ["cli"]}')["RuleArn"]
    assert arn.endswith(f":rule/{rule}")
    assert rule in [r["Name"] for r in cli(overcast_server, "list-rules", "--name-prefix", rule)["Rules"]]
    result = cli(overcast_server, "test-event-pattern", "--event-pattern", '{"source": ["cli"]}', "--event",
                 json.dumps({"id": "1", "account": "000000000000", "source": "cli", "time": "2024-01-01T00:00:00Z",
                             "region": "us-east-1", "detail-type": "t", "resources": [], "detail": {}}))
    assert result["Result"] is True
    out = cli(overcast_server, "put-events", "--entries",
              json.dumps([{"Source": "cli", "DetailType": "t", "Detail": '{"a": 1}'}, {"Source": "cli"}]))
    assert out["FailedEntryCount"] == 1 and "EventId" in out["Entries"][0]
    cli(overcast_server, "delete-rule", "--name", rule)
