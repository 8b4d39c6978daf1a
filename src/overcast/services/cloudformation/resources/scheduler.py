"""AWS::Scheduler::Schedule and AWS::Scheduler::ScheduleGroup
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_Scheduler.html)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick, tags_list


def _time(value: Any) -> Any:
    """StartDate/EndDate as the template writes them (ISO 8601) as datetimes."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


class ScheduleProvider(Provider):
    """Ref is the schedule's name; GetAtt Arn."""

    types = ("AWS::Scheduler::Schedule",)
    replace = frozenset({"Name", "GroupName"})
    name_property = "Name"
    physical_is_name = True

    def _request(self, d: Deployment, name: str) -> dict[str, Any]:
        props = d.properties
        request = {"Name": name, **pick(props, "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone",
                                        "Description", "State", "KmsKeyArn", "Target", "FlexibleTimeWindow",
                                        "ActionAfterCompletion")}
        for key in ("StartDate", "EndDate"):
            if props.get(key) is not None:
                request[key] = _time(props[key])
        return request

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("Name", 64)
        result = await d.call("scheduler", "CreateSchedule", self._request(d, name))
        return Outcome(name, {"Arn": result["ScheduleArn"]})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        result = await d.call("scheduler", "UpdateSchedule", self._request(d, name))
        return Outcome(name, {"Arn": result["ScheduleArn"]})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("scheduler", "DeleteSchedule",
                                 {"Name": d.physical_id, **pick(d.properties, "GroupName")})


class ScheduleGroupProvider(Provider):
    """Ref is the group's name; GetAtt Arn, CreationDate, LastModificationDate, State."""

    types = ("AWS::Scheduler::ScheduleGroup",)
    replace = frozenset({"Name"})
    name_property = "Name"
    physical_is_name = True

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("Name", 64)
        await d.call("scheduler", "CreateScheduleGroup",
                     {"Name": name, "Tags": tags_list(d.properties.get("Tags")) or None})
        return await self._outcome(d, name)

    async def _outcome(self, d: Deployment, name: str) -> Outcome:
        group = await d.call("scheduler", "GetScheduleGroup", {"Name": name})
        attributes = {key: group.get(key) for key in ("Arn", "State")}
        for key in ("CreationDate", "LastModificationDate"):
            value = group.get(key)
            attributes[key] = value.isoformat() if isinstance(value, dt.datetime) else (
                dt.datetime.fromtimestamp(float(value or 0), dt.UTC).isoformat())
        return Outcome(name, attributes)

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        arn = (await d.call("scheduler", "GetScheduleGroup", {"Name": name}))["Arn"]
        old = {t["Key"] for t in tags_list(d.old_properties.get("Tags"))}
        new = tags_list(d.properties.get("Tags"))
        removed = sorted(old - {t["Key"] for t in new})
        if removed:
            await d.call("scheduler", "UntagResource", {"ResourceArn": arn, "TagKeys": removed})
        if new:
            await d.call("scheduler", "TagResource", {"ResourceArn": arn, "Tags": new})
        return await self._outcome(d, name)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("scheduler", "DeleteScheduleGroup", {"Name": d.physical_id})


PROVIDERS = [ScheduleProvider(), ScheduleGroupProvider()]
