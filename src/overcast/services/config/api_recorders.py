"""Configuration recorders and delivery channels: Put/Describe/Delete ConfigurationRecorder,
Start/StopConfigurationRecorder, DescribeConfigurationRecorderStatus, Put/Describe/Delete
DeliveryChannel, DescribeDeliveryChannelStatus. AWS allows one recorder and one delivery channel per
account and region; a recorder starts only with a delivery channel
(https://docs.aws.amazon.com/config/latest/APIReference/API_StartConfigurationRecorder.html)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.config import errors as e
from overcast.services.config.access import bucket_refusal
from overcast.services.config.api_base import ApiBase
from overcast.services.config.models import CHANNEL, RECORDER

_PUBLIC = ("name", "roleARN", "recordingGroup", "recordingMode", "arn")


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _group_valid(group: dict[str, Any]) -> bool:
    """AWS's rules for a RecordingGroup: all supported types (no lists, no global types without it), or
    a list of types to include, or (with the EXCLUSION_BY_RESOURCE_TYPES strategy) a list to exclude
    (https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingGroup.html)."""
    included = group.get("resourceTypes") or []
    excluded = (group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or []
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")
    if group.get("allSupported"):
        return not included and not excluded and strategy in (None, "ALL_SUPPORTED_RESOURCE_TYPES")
    if group.get("includeGlobalResourceTypes") or bool(included) == bool(excluded):
        return False
    if excluded:
        return strategy == "EXCLUSION_BY_RESOURCE_TYPES"
    return strategy in (None, "INCLUSION_BY_RESOURCE_TYPES")


class RecorderOperations(ApiBase):
    def put_configuration_recorder(self, ctx: RequestContext, configuration_recorder: dict[str, Any],
                                   **_: Any) -> dict[str, Any]:
        name = configuration_recorder.get("name") or ""
        if not name.strip():
            raise e.error("InvalidConfigurationRecorderNameException",
                          f"The configuration recorder name '{name}' is not valid, blank string.")
        if not configuration_recorder.get("roleARN"):
            raise e.error("InvalidRoleException", "The role ARN is not valid.")
        group = configuration_recorder.get("recordingGroup")
        if group is not None and not _group_valid(group):
            raise e.error("InvalidRecordingGroupException", "The recording group provided is not valid")
        existing = self.store.docs(ctx.account, ctx.region, RECORDER)
        if existing and existing[0]["name"] != name:
            raise e.error("MaxNumberOfConfigurationRecordersExceededException",
                          f"Failed to put configuration recorder '{name}' because the maximum number of "
                          "configuration recorders: 1 is reached.")
        old = existing[0] if existing else {}
        doc = {k: v for k, v in old.items() if k.startswith("_")}
        doc.update({"name": name, "roleARN": configuration_recorder["roleARN"],
                    "recordingGroup": group or {"allSupported": True, "includeGlobalResourceTypes": False,
                                                "resourceTypes": [], "exclusionByResourceTypes": {"resourceTypes": []},
                                                "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}},
                    "recordingMode": configuration_recorder.get("recordingMode") or {"recordingFrequency": "CONTINUOUS"},
                    "arn": f"arn:aws:config:{ctx.region}:{ctx.account}:configuration-recorder/{name}/"
                           f"{ctx.request_id.replace('-', '')[:16]}" if not old else old.get("arn")})
        self.store.put(ctx.account, ctx.region, RECORDER, name, doc)
        return {}

    def _recorder(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self.store.doc(ctx.account, ctx.region, RECORDER, name)
        if doc is None:
            raise e.no_recorder(name)
        return doc

    def _recorders(self, ctx: RequestContext, names: list[str] | None) -> list[dict[str, Any]]:
        if names:
            return [self._recorder(ctx, name) for name in names]
        return self.store.docs(ctx.account, ctx.region, RECORDER)

    def describe_configuration_recorders(self, ctx: RequestContext, configuration_recorder_names: list[str] | None = None,
                                         **_: Any) -> dict[str, Any]:
        return {"ConfigurationRecorders": [{k: v for k, v in doc.items() if k in _PUBLIC}
                                           for doc in self._recorders(ctx, configuration_recorder_names)]}

    def describe_configuration_recorder_status(self, ctx: RequestContext,
                                               configuration_recorder_names: list[str] | None = None,
                                               **_: Any) -> dict[str, Any]:
        statuses = []
        for doc in self._recorders(ctx, configuration_recorder_names):
            status: dict[str, Any] = {"arn": doc.get("arn"), "name": doc["name"], "recording": bool(doc.get("_recording"))}
            for key in ("lastStartTime", "lastStopTime", "lastStatusChangeTime"):
                if doc.get("_" + key):
                    status[key] = doc["_" + key]
            if doc.get("_lastStartTime"):
                status["lastStatus"] = "SUCCESS"
            statuses.append(status)
        return {"ConfigurationRecordersStatus": statuses}

    def start_configuration_recorder(self, ctx: RequestContext, configuration_recorder_name: str,
                                     **_: Any) -> dict[str, Any]:
        doc = self._recorder(ctx, configuration_recorder_name)
        if not self.store.docs(ctx.account, ctx.region, CHANNEL):
            raise e.error("NoAvailableDeliveryChannelException",
                          "Delivery channel is not available to start configuration recorder.")
        now = self.platform.clock.now()
        # the recorder reads resources as this caller would (queue URLs carry the endpoint used)
        doc.update(_recording=True, _lastStartTime=now, _lastStatusChangeTime=now, _endpoint=ctx.endpoint)
        self.store.put(ctx.account, ctx.region, RECORDER, doc["name"], doc)
        self.wake_recorder()
        return {}

    def stop_configuration_recorder(self, ctx: RequestContext, configuration_recorder_name: str,
                                    **_: Any) -> dict[str, Any]:
        doc = self._recorder(ctx, configuration_recorder_name)
        now = self.platform.clock.now()
        doc.update(_recording=False, _lastStopTime=now, _lastStatusChangeTime=now)
        self.store.put(ctx.account, ctx.region, RECORDER, doc["name"], doc)
        return {}

    def delete_configuration_recorder(self, ctx: RequestContext, configuration_recorder_name: str,
                                      **_: Any) -> dict[str, Any]:
        self._recorder(ctx, configuration_recorder_name)
        self.store.delete(ctx.account, ctx.region, RECORDER, configuration_recorder_name)
        return {}

    # -- delivery channels ----------------------------------------------------------------------

    def put_delivery_channel(self, ctx: RequestContext, delivery_channel: dict[str, Any], **_: Any) -> dict[str, Any]:
        if not self.store.docs(ctx.account, ctx.region, RECORDER):
            raise e.error("NoAvailableConfigurationRecorderException",
                          "Configuration recorder is not available to put delivery channel.")
        name = delivery_channel.get("name") or ""
        if not name.strip():
            raise e.error("InvalidDeliveryChannelNameException",
                          f"The delivery channel name '{name}' is not valid, blank string.")
        bucket = delivery_channel.get("s3BucketName")
        if not bucket:
            raise e.error("NoSuchBucketException", "Cannot find a S3 bucket with an empty bucket name.")
        if not self._bucket_exists(ctx, bucket):
            raise e.error("NoSuchBucketException", f"Cannot find a S3 bucket with the name '{bucket}'.")
        prefix = delivery_channel.get("s3KeyPrefix")
        if bucket_refusal(self.platform, ctx.account, ctx.region, bucket, prefix) is not None:
            raise e.error("InsufficientDeliveryPolicyException",
                          f"Insufficient delivery policy to s3 bucket: {bucket}, unable to write to bucket, provided "
                          f"s3 key prefix is '{prefix or 'null'}', provided kms key is "
                          f"'{delivery_channel.get('s3KmsKeyArn') or 'null'}'.")
        frequency = (delivery_channel.get("configSnapshotDeliveryProperties") or {}).get("deliveryFrequency")
        if frequency is not None and frequency not in ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours",
                                                       "TwentyFour_Hours"):
            raise e.error("InvalidDeliveryFrequency", f"The delivery frequency {frequency} is not valid.")
        existing = self.store.docs(ctx.account, ctx.region, CHANNEL)
        if existing and existing[0]["name"] != name:
            raise e.error("MaxNumberOfDeliveryChannelsExceededException",
                          f"Failed to put delivery channel '{name}' because the maximum number of delivery "
                          "channels: 1 is reached.")
        self.store.put(ctx.account, ctx.region, CHANNEL, name, {**delivery_channel, "name": name})
        return {}

    def _bucket_exists(self, ctx: RequestContext, bucket: str) -> bool:
        gateway = self.platform.gateway
        if gateway is None or "s3" not in gateway.specs:
            return True
        from overcast.errors import ServiceError

        try:
            gateway.api("s3").get_bucket_location(ctx.internal("s3", "GetBucketLocation"), bucket=bucket)
        except ServiceError:
            return False
        return True

    def _channels(self, ctx: RequestContext, names: list[str] | None) -> list[dict[str, Any]]:
        if not names:
            return self.store.docs(ctx.account, ctx.region, CHANNEL)
        found = []
        for name in names:
            doc = self.store.doc(ctx.account, ctx.region, CHANNEL, name)
            if doc is None:
                raise e.no_channel(name)
            found.append(doc)
        return found

    def describe_delivery_channels(self, ctx: RequestContext, delivery_channel_names: list[str] | None = None,
                                   **_: Any) -> dict[str, Any]:
        return {"DeliveryChannels": [_public(doc) for doc in self._channels(ctx, delivery_channel_names)]}

    def describe_delivery_channel_status(self, ctx: RequestContext, delivery_channel_names: list[str] | None = None,
                                         **_: Any) -> dict[str, Any]:
        out = []
        for doc in self._channels(ctx, delivery_channel_names):
            snapshot = dict(doc.get("_snapshot") or {"lastStatus": "NOT_APPLICABLE"})
            if doc.get("_next_snapshot") is not None:
                snapshot["nextDeliveryTime"] = doc["_next_snapshot"]
            out.append({"name": doc["name"], "configHistoryDeliveryInfo": {"lastStatus": "NOT_APPLICABLE"},
                        "configSnapshotDeliveryInfo": snapshot,
                        "configStreamDeliveryInfo": {"lastStatus": "NOT_APPLICABLE"}})
        return {"DeliveryChannelsStatus": out}

    async def deliver_config_snapshot(self, ctx: RequestContext, delivery_channel_name: str,
                                      **_: Any) -> dict[str, Any]:
        """Deliver a snapshot now (AWS needs the channel and a recording recorder)."""
        channel = self._channels(ctx, [delivery_channel_name])[0]
        recorders = [r for r in self.store.docs(ctx.account, ctx.region, RECORDER) if r.get("_recording")]
        if not recorders:
            raise e.error("NoRunningConfigurationRecorderException", "There is no configuration recorder running.")
        from overcast.services.config.snapshots import deliver

        return {"configSnapshotId": await deliver(self.platform, ctx.account, ctx.region, channel, ctx.endpoint)}

    def delete_delivery_channel(self, ctx: RequestContext, delivery_channel_name: str, **_: Any) -> dict[str, Any]:
        self._channels(ctx, [delivery_channel_name])
        if any(r.get("_recording") for r in self.store.docs(ctx.account, ctx.region, RECORDER)):
            raise e.error("LastDeliveryChannelDeleteFailedException",
                          f"Failed to delete last specified delivery channel with name '{delivery_channel_name}', "
                          "because there, because there is a running configuration recorder.")
        self.store.delete(ctx.account, ctx.region, CHANNEL, delivery_channel_name)
        return {}
