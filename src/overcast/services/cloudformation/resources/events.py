"""AWS::Events::EventBus, AWS::Events::Rule (with its Targets) and AWS::Events::Archive."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import as_json, pick, tags_list


class EventBusProvider(Provider):
    """Ref is the bus name; GetAtt Arn, Name, Policy."""

    physical_is_name = True
    types = ("AWS::Events::EventBus",)
    replace = frozenset({"Name", "EventSourceName"})
    name_property = "Name"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = str(props.get("Name"))
        result = await d.call("events", "CreateEventBus", {
            "Name": name, **pick(props, "EventSourceName", "Description", "KmsKeyIdentifier", "DeadLetterConfig"),
            "Tags": tags_list(props.get("Tags")) or None})
        if props.get("Policy"):
            await self._policy(d, name, props["Policy"])
        return Outcome(name, {"Arn": result["EventBusArn"], "Name": name,
                              "Policy": as_json(props["Policy"]) if props.get("Policy") else ""})

    async def _policy(self, d: Deployment, name: str, policy: Any) -> None:
        await d.call("events", "PutPermission", {"EventBusName": name, "Policy": as_json(policy)})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        changes = pick(d.properties, "Description", "KmsKeyIdentifier", "DeadLetterConfig")
        if changes != pick(d.old_properties, "Description", "KmsKeyIdentifier", "DeadLetterConfig"):
            await d.call("events", "UpdateEventBus", {"Name": name, **changes})
        if d.properties.get("Policy") and d.properties.get("Policy") != d.old_properties.get("Policy"):
            await self._policy(d, name, d.properties["Policy"])
        arn = d.arn("events", f"event-bus/{name}")
        return Outcome(name, {"Arn": arn, "Name": name, "Policy": as_json(d.properties.get("Policy") or "")})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("events", "DeleteEventBus", {"Name": d.physical_id})


def _bus_name(value: Any) -> str | None:
    """EventBusName may be a name or an ARN."""
    if not value:
        return None
    text = str(value)
    return text.rsplit("/", 1)[-1] if text.startswith("arn:") else text


def _targets(props: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for target in props.get("Targets") or []:
        item = dict(target)
        if isinstance(item.get("Input"), dict):
            item["Input"] = as_json(item["Input"])
        out.append(item)
    return out


class RuleProvider(Provider):
    """Ref is the rule name (`bus|name` on a custom bus); GetAtt Arn."""

    types = ("AWS::Events::Rule",)
    replace = frozenset({"Name", "EventBusName"})
    name_property = "Name"

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("Name", 64)
        return await self._put(d, name, [])

    async def _put(self, d: Deployment, name: str, old_targets: list[dict[str, Any]]) -> Outcome:
        props = d.properties
        bus = _bus_name(props.get("EventBusName"))
        pattern = props.get("EventPattern")
        result = await d.call("events", "PutRule", {
            "Name": name, "EventBusName": bus, "EventPattern": as_json(pattern) if pattern is not None else None,
            **pick(props, "ScheduleExpression", "State", "Description", "RoleArn")})
        targets = _targets(props)
        stale = [t["Id"] for t in old_targets if t["Id"] not in {n["Id"] for n in targets}]
        if stale:
            await d.call("events", "RemoveTargets", {"Rule": name, "EventBusName": bus, "Ids": stale})
        if targets:
            await d.call("events", "PutTargets", {"Rule": name, "EventBusName": bus, "Targets": targets})
        physical = f"{bus}|{name}" if bus and bus != "default" else name
        return Outcome(physical, {"Arn": result["RuleArn"]})

    async def update(self, d: Deployment) -> Outcome:
        name = (d.physical_id or "").rsplit("|", 1)[-1]
        return await self._put(d, name, _targets(d.old_properties))

    async def delete(self, d: Deployment) -> None:
        if not d.physical_id:
            return
        name = d.physical_id.rsplit("|", 1)[-1]
        bus = _bus_name(d.properties.get("EventBusName"))
        ids = [t["Id"] for t in _targets(d.properties)]
        if ids:
            await d.call_quietly("events", "RemoveTargets", {"Rule": name, "EventBusName": bus, "Ids": ids})
        await d.call_quietly("events", "DeleteRule", {"Name": name, "EventBusName": bus})


def _archive_request(props: dict[str, Any]) -> dict[str, Any]:
    pattern = props.get("EventPattern")
    return {**pick(props, "Description", "RetentionDays", "KmsKeyIdentifier"),
            "EventPattern": as_json(pattern) if pattern is not None else None}


class ArchiveProvider(Provider):
    """Ref is the archive name; GetAtt Arn
    ([AWS](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-archive.html))."""

    physical_is_name = True
    types = ("AWS::Events::Archive",)
    replace = frozenset({"ArchiveName", "SourceArn"})
    name_property = "ArchiveName"

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("ArchiveName", 48)
        result = await d.call("events", "CreateArchive", {
            "ArchiveName": name, "EventSourceArn": d.properties.get("SourceArn"), **_archive_request(d.properties)})
        return Outcome(name, {"Arn": result["ArchiveArn"], "ArchiveName": name})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        result = await d.call("events", "UpdateArchive", {"ArchiveName": name, **_archive_request(d.properties)})
        return Outcome(name, {"Arn": result["ArchiveArn"], "ArchiveName": name})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("events", "DeleteArchive", {"ArchiveName": d.physical_id})


PROVIDERS = [EventBusProvider(), RuleProvider(), ArchiveProvider()]
