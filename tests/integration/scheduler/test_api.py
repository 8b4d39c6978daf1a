"""EventBridge Scheduler's control plane: schedules and groups, tags, and AWS's errors."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::000000000000:role/scheduler"
TARGET = {"Arn": "arn:aws:sqs:us-east-1:000000000000:q", "RoleArn": ROLE}
OFF = {"Mode": "OFF"}


@pytest.fixture
def scheduler(overcast_server):
    return overcast_server.client("scheduler")


def _name(prefix: str = "s") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _error(call, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response


def test_create_get_update_list_delete(scheduler):
    group = _name("g")
    group_arn = scheduler.create_schedule_group(Name=group)["ScheduleGroupArn"]
    assert group_arn == f"arn:aws:scheduler:us-east-1:000000000000:schedule-group/{group}"
    name = _name()
    arn = scheduler.create_schedule(Name=name, GroupName=group, ScheduleExpression="cron(0 9 * * ? *)",
                                    ScheduleExpressionTimezone="Europe/Berlin", FlexibleTimeWindow=OFF,
                                    Target=TARGET, State="DISABLED", Description="d")["ScheduleArn"]
    assert arn == f"arn:aws:scheduler:us-east-1:000000000000:schedule/{group}/{name}"
    got = scheduler.get_schedule(Name=name, GroupName=group)
    assert (got["State"], got["ScheduleExpressionTimezone"], got["Description"]) == ("DISABLED", "Europe/Berlin", "d")
    assert got["Target"]["Arn"] == TARGET["Arn"] and got["GroupName"] == group
    scheduler.update_schedule(Name=name, GroupName=group, ScheduleExpression="rate(2 hours)",
                              FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10}, Target=TARGET)
    got = scheduler.get_schedule(Name=name, GroupName=group)
    assert (got["ScheduleExpression"], got["State"]) == ("rate(2 hours)", "ENABLED")
    assert got["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10}
    listed = scheduler.list_schedules(GroupName=group)["Schedules"]
    assert [(s["Name"], s["Target"]) for s in listed] == [(name, {"Arn": TARGET["Arn"]})]
    assert scheduler.list_schedules(GroupName=group, NamePrefix="zz")["Schedules"] == []
    scheduler.delete_schedule(Name=name, GroupName=group)
    assert scheduler.list_schedules(GroupName=group)["Schedules"] == []
    scheduler.delete_schedule_group(Name=group)
    assert _error(scheduler.get_schedule_group, Name=group)["Error"]["Code"] == "ResourceNotFoundException"


def test_default_group_exists_and_groups_are_tagged(scheduler):
    assert scheduler.get_schedule_group(Name="default")["State"] == "ACTIVE"
    group = _name("g")
    arn = scheduler.create_schedule_group(Name=group, Tags=[{"Key": "a", "Value": "1"}])["ScheduleGroupArn"]
    scheduler.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}])
    scheduler.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    names = [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]]
    assert "default" in names and group in names
    scheduler.delete_schedule_group(Name=group)


def test_errors(scheduler):
    name = _name()
    scheduler.create_schedule(Name=name, ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF, Target=TARGET)
    duplicate = _error(scheduler.create_schedule, Name=name, ScheduleExpression="rate(1 day)",
                       FlexibleTimeWindow=OFF, Target=TARGET)
    assert (duplicate["Error"]["Code"], duplicate["ResponseMetadata"]["HTTPStatusCode"]) == ("ConflictException", 409)
    missing = _error(scheduler.get_schedule, Name=_name())
    assert (missing["Error"]["Code"], missing["ResponseMetadata"]["HTTPStatusCode"]) == ("ResourceNotFoundException", 404)
    no_group = _error(scheduler.create_schedule, Name=_name(), GroupName=_name("nogroup"),
                      ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF, Target=TARGET)
    assert no_group["Error"]["Code"] == "ResourceNotFoundException"
    for expression in ("rate(0 minutes)", "cron(0 9 * * * *)", "every day"):
        bad = _error(scheduler.create_schedule, Name=_name(), ScheduleExpression=expression,
                     FlexibleTimeWindow=OFF, Target=TARGET)
        assert (bad["Error"]["Code"], bad["ResponseMetadata"]["HTTPStatusCode"]) == ("ValidationException", 400)
    zone = _error(scheduler.create_schedule, Name=_name(), ScheduleExpression="rate(1 day)",
                  ScheduleExpressionTimezone="Nowhere/Land", FlexibleTimeWindow=OFF, Target=TARGET)
    assert zone["Error"]["Code"] == "ValidationException"
    window = _error(scheduler.create_schedule, Name=_name(), ScheduleExpression="rate(1 day)",
                    FlexibleTimeWindow={"Mode": "FLEXIBLE"}, Target=TARGET)
    assert window["Error"]["Code"] == "ValidationException"
    assert _error(scheduler.create_schedule_group, Name="default")["Error"]["Code"] == "ConflictException"
    assert _error(scheduler.delete_schedule_group, Name="default")["Error"]["Code"] == "ValidationException"
    scheduler.delete_schedule(Name=name)


def test_client_token_makes_a_retried_create_idempotent(scheduler):
    """AWS: CreateSchedule/CreateScheduleGroup retried with the same ClientToken answer as the first call;
    another token for an existing name is ConflictException."""
    name, token = _name(), uuid.uuid4().hex
    create = dict(Name=name, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF, Target=TARGET)
    first = scheduler.create_schedule(**create, ClientToken=token)["ScheduleArn"]
    assert scheduler.create_schedule(**create, ClientToken=token)["ScheduleArn"] == first
    assert _error(scheduler.create_schedule, **create, ClientToken=uuid.uuid4().hex)["Error"]["Code"] == \
        "ConflictException"
    assert "_ClientToken" not in scheduler.get_schedule(Name=name)
    group = _name("g")
    arn = scheduler.create_schedule_group(Name=group, ClientToken=token)["ScheduleGroupArn"]
    assert scheduler.create_schedule_group(Name=group, ClientToken=token)["ScheduleGroupArn"] == arn
    assert _error(scheduler.create_schedule_group, Name=group)["Error"]["Code"] == "ConflictException"
