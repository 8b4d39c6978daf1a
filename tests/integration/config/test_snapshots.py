"""Configuration snapshots in the delivery channel's bucket: on demand (DeliverConfigSnapshot) and
every deliveryFrequency on the platform clock; an advanced query over what was recorded."""

from __future__ import annotations

import gzip
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer, wait_until
from tests.integration.config.helpers import ROLE, clients, new_account, start_recorder


def _snapshots(s3, bucket: str) -> list[str]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return [k for k in keys if "/ConfigSnapshot/" in k]


def test_deliver_config_snapshot(overcast_server, account):
    config, s3 = clients(overcast_server, account, "config", "s3")
    with pytest.raises(ClientError) as excinfo:
        config.deliver_config_snapshot(deliveryChannelName="default")
    assert excinfo.value.response["Error"]["Code"] == "NoSuchDeliveryChannelException"
    delivery = f"cfg-snap-{uuid.uuid4().hex[:8]}"
    start_recorder(config, s3, account, delivery)
    wait_until(lambda: any(r["resourceId"] == delivery for r in config.list_discovered_resources(
        resourceType="AWS::S3::Bucket")["resourceIdentifiers"]), 60, "the bucket recorded")
    selected = config.select_resource_config(
        Expression=f"SELECT resourceId, resourceType WHERE resourceType = 'AWS::S3::Bucket' AND resourceId = '{delivery}'")
    assert [json.loads(r) for r in selected["Results"]] == [{"resourceId": delivery, "resourceType": "AWS::S3::Bucket"}]
    assert selected["QueryInfo"]["SelectFields"] == [{"Name": "resourceId"}, {"Name": "resourceType"}]
    snapshot_id = config.deliver_config_snapshot(deliveryChannelName="default")["configSnapshotId"]
    keys = _snapshots(s3, delivery)
    assert len(keys) == 1
    key = keys[0]
    assert key.startswith(f"AWSLogs/{account}/Config/us-east-1/")
    assert key.endswith(f"_{snapshot_id}.json.gz") and f"/{account}_Config_us-east-1_ConfigSnapshot_" in key
    body = json.loads(gzip.decompress(s3.get_object(Bucket=delivery, Key=key)["Body"].read()))
    assert body["fileVersion"] == "1.0" and body["configSnapshotId"] == snapshot_id
    assert delivery in [i["resourceId"] for i in body["configurationItems"]]
    status = config.describe_delivery_channel_status()["DeliveryChannelsStatus"][0]["configSnapshotDeliveryInfo"]
    assert status["lastStatus"] == "SUCCESS"


def test_periodic_snapshots_follow_the_delivery_frequency():
    with OvercastServer(time_scale=0.0005) as server:  # an hour is 1.8 real seconds
        account = new_account()
        config, s3 = clients(server, account, "config", "s3")
        delivery = f"cfg-periodic-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=delivery)
        config.put_configuration_recorder(ConfigurationRecorder={
            "name": "default", "roleARN": ROLE.format(account=account)})
        config.put_delivery_channel(DeliveryChannel={
            "name": "default", "s3BucketName": delivery, "s3KeyPrefix": "config",
            "configSnapshotDeliveryProperties": {"deliveryFrequency": "One_Hour"}})
        config.start_configuration_recorder(ConfigurationRecorderName="default")
        wait_until(lambda: len(_snapshots(s3, delivery)) >= 2, 60, "two hourly snapshots")
        assert all(k.startswith(f"config/AWSLogs/{account}/Config/") for k in _snapshots(s3, delivery))
        config.stop_configuration_recorder(ConfigurationRecorderName="default")
