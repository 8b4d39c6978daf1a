"""AWS::Kinesis::Stream."""

from __future__ import annotations

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick, tags_map


class StreamProvider(Provider):
    """Ref is the stream name; GetAtt Arn."""

    physical_is_name = True
    types = ("AWS::Kinesis::Stream",)
    replace = frozenset({"Name"})
    name_property = "Name"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = d.name("Name", 128)
        on_demand = (props.get("StreamModeDetails") or {}).get("StreamMode") == "ON_DEMAND"
        params = {"StreamName": name, **pick(props, "StreamModeDetails"),
                  "ShardCount": None if on_demand else props.get("ShardCount", 1),
                  "Tags": tags_map(props.get("Tags")) or None}
        await d.call("kinesis", "CreateStream", params)
        await self._wait_active(d, name)
        await self._retention(d, name, props.get("RetentionPeriodHours"), 24)
        return self._outcome(d, name)

    async def _wait_active(self, d: Deployment, name: str) -> None:
        for _ in range(600):
            summary = (await d.call("kinesis", "DescribeStreamSummary", {"StreamName": name}))["StreamDescriptionSummary"]
            if summary["StreamStatus"] == "ACTIVE":
                return
            await d.platform.clock.sleep(1.0)

    async def _retention(self, d: Deployment, name: str, hours: object, current: object) -> None:
        if hours is None or int(str(hours)) == int(str(current)):
            return
        op = "IncreaseStreamRetentionPeriod" if int(str(hours)) > int(str(current)) else "DecreaseStreamRetentionPeriod"
        await d.call("kinesis", op, {"StreamName": name, "RetentionPeriodHours": hours})

    def _outcome(self, d: Deployment, name: str) -> Outcome:
        return Outcome(name, {"Arn": d.arn("kinesis", f"stream/{name}")})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        new, old = d.properties, d.old_properties
        if new.get("ShardCount") != old.get("ShardCount") and new.get("ShardCount"):
            await d.call("kinesis", "UpdateShardCount", {"StreamName": name, "TargetShardCount": new["ShardCount"],
                                                         "ScalingType": "UNIFORM_SCALING"})
            await self._wait_active(d, name)
        await self._retention(d, name, new.get("RetentionPeriodHours", 24), old.get("RetentionPeriodHours", 24))
        return self._outcome(d, name)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("kinesis", "DeleteStream", {"StreamName": d.physical_id,
                                                             "EnforceConsumerDeletion": True})


PROVIDERS = [StreamProvider()]
