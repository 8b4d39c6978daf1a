"""AWS::KinesisFirehose::DeliveryStream."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick, tags_list, tags_map

DESTINATIONS = ("ExtendedS3", "S3", "HttpEndpoint", "Redshift", "Elasticsearch", "Amazonopensearchservice",
                "Splunk", "AmazonOpenSearchServerless", "Snowflake", "Iceberg")
#: members whose name differs between a destination's Configuration and its Update
UPDATE_NAMES = {"S3Configuration": "S3Update", "S3BackupConfiguration": "S3BackupUpdate"}


class DeliveryStreamProvider(Provider):
    """Ref is the delivery stream's name; GetAtt Arn. A new name, type or source replaces the stream;
    a changed destination is an UpdateDestination, changed tags Tag/UntagDeliveryStream."""

    physical_is_name = True
    types = ("AWS::KinesisFirehose::DeliveryStream",)
    replace = frozenset({"DeliveryStreamName", "DeliveryStreamType", "KinesisStreamSourceConfiguration",
                         "MSKSourceConfiguration"})
    name_property = "DeliveryStreamName"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = d.name("DeliveryStreamName", 64)
        params = {"DeliveryStreamName": name,
                  **pick(props, "DeliveryStreamType", "KinesisStreamSourceConfiguration",
                         "DeliveryStreamEncryptionConfigurationInput",
                         *(f"{dest}DestinationConfiguration" for dest in DESTINATIONS)),
                  "Tags": tags_list(props.get("Tags")) or None}
        await d.call("firehose", "CreateDeliveryStream", params)
        return self._outcome(d, name)

    def _outcome(self, d: Deployment, name: str) -> Outcome:
        return Outcome(name, {"Arn": d.arn("firehose", f"deliverystream/{name}")})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        new, old = d.properties, d.old_properties
        updates = {f"{dest}DestinationUpdate": _as_update(new[f"{dest}DestinationConfiguration"])
                   for dest in DESTINATIONS
                   if new.get(f"{dest}DestinationConfiguration") != old.get(f"{dest}DestinationConfiguration")
                   and new.get(f"{dest}DestinationConfiguration") is not None}
        if updates:
            described = (await d.call("firehose", "DescribeDeliveryStream", {"DeliveryStreamName": name}))[
                "DeliveryStreamDescription"]
            await d.call("firehose", "UpdateDestination", {
                "DeliveryStreamName": name, "CurrentDeliveryStreamVersionId": described["VersionId"],
                "DestinationId": described["Destinations"][0]["DestinationId"], **updates})
        await self._tags(d, name)
        return self._outcome(d, name)

    async def _tags(self, d: Deployment, name: str) -> None:
        new, old = tags_map(d.properties.get("Tags")), tags_map(d.old_properties.get("Tags"))
        if new == old:
            return
        gone = [k for k in old if k not in new]
        if gone:
            await d.call("firehose", "UntagDeliveryStream", {"DeliveryStreamName": name, "TagKeys": gone})
        if new:
            await d.call("firehose", "TagDeliveryStream", {
                "DeliveryStreamName": name, "Tags": [{"Key": k, "Value": v} for k, v in new.items()]})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("firehose", "DeleteDeliveryStream", {"DeliveryStreamName": d.physical_id})


def _as_update(config: dict[str, Any]) -> dict[str, Any]:
    return {UPDATE_NAMES.get(key, key): value for key, value in config.items()}


PROVIDERS = [DeliveryStreamProvider()]
