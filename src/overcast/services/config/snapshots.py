"""Configuration snapshots delivered to the delivery channel's S3 bucket
(https://docs.aws.amazon.com/config/latest/developerguide/deliver-snapshot-cli.html): every live
resource's latest configuration item, as `{"fileVersion": "1.0", "configSnapshotId",
"configurationItems"}` gzipped, at AWS's key
`{prefix/}AWSLogs/{account}/Config/{region}/{yyyy}/{m}/{d}/ConfigSnapshot/{account}_Config_{region}_ConfigSnapshot_{yyyymmddThhmmssZ}_{id}.json.gz`.
On demand (DeliverConfigSnapshot) and every `deliveryFrequency` of the channel's
`configSnapshotDeliveryProperties` (AWS seconds on the platform clock) while the recorder records."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.config.access import bucket_refusal
from overcast.services.config.models import CHANNEL, RECORDER, ConfigStore
from overcast.services.config.s3io import write_object

FREQUENCIES = {"One_Hour": 3600, "Three_Hours": 3 * 3600, "Six_Hours": 6 * 3600, "Twelve_Hours": 12 * 3600,
               "TwentyFour_Hours": 24 * 3600}


def snapshot_key(channel: dict[str, Any], account: str, region: str, when: float, snapshot_id: str) -> str:
    moment = datetime.fromtimestamp(when, UTC)
    prefix = (channel.get("s3KeyPrefix") or "").strip("/")
    return (f"{prefix + '/' if prefix else ''}AWSLogs/{account}/Config/{region}/{moment.year}/{moment.month}/"
            f"{moment.day}/ConfigSnapshot/{account}_Config_{region}_ConfigSnapshot_"
            f"{moment.strftime('%Y%m%dT%H%M%SZ')}_{snapshot_id}.json.gz")


async def deliver(platform: Platform, account: str, region: str, channel: dict[str, Any],
                  endpoint: str | None = None) -> str:
    """Write one snapshot; its id. The channel's snapshot delivery status is updated either way."""
    store = platform.component(ConfigStore)
    now = platform.clock.now()
    snapshot_id = str(uuid.uuid4())
    items = [item for (_kind, _rid), (_digest, deleted, item) in sorted(store.current(account, region).items())
             if not deleted]
    body = gzip.compress(json.dumps({"fileVersion": "1.0", "configSnapshotId": snapshot_id,
                                     "configurationItems": items}).encode())
    extra: dict[str, Any] = {"endpoint": endpoint} if endpoint else {}
    ctx = RequestContext(account=account, region=region, service="config", **extra)
    denied = bucket_refusal(platform, account, region, channel["s3BucketName"], channel.get("s3KeyPrefix"))
    ok = denied is None and await write_object(platform, ctx, channel["s3BucketName"], snapshot_key(
        channel, account, region, now, snapshot_id), body, "application/x-gzip")
    status = dict(channel.get("_snapshot") or {})
    status.update(lastStatus="SUCCESS" if ok else "FAILURE", lastAttemptTime=now)
    if ok:
        status["lastSuccessfulTime"] = now
    elif denied is not None:  # the recorder's role (or the bucket policy) does not allow the write
        status.update(lastErrorCode="AccessDenied", lastErrorMessage="Access Denied")
    else:
        status.update(lastErrorCode="NoSuchBucket", lastErrorMessage="The delivery channel's bucket could not be "
                      "written.")
    latest = store.doc(account, region, CHANNEL, channel["name"])
    if latest is not None:
        latest["_snapshot"] = status
        store.put(account, region, CHANNEL, channel["name"], latest)
    return snapshot_id


def due_every(channel: dict[str, Any]) -> float | None:
    frequency = (channel.get("configSnapshotDeliveryProperties") or {}).get("deliveryFrequency")
    return FREQUENCIES.get(frequency) if frequency else None


async def deliver_due(platform: Platform) -> None:
    """Deliver the periodic snapshots whose time has come (channels of recording recorders)."""
    store = platform.component(ConfigStore)
    now = platform.clock.now()
    for account, region, channel in store.all_docs(CHANNEL):
        every = due_every(channel)
        recorders = store.docs(account, region, RECORDER)
        if every is None or not any(r.get("_recording") for r in recorders):
            if channel.get("_next_snapshot") is not None:  # nothing is due while nothing records
                channel["_next_snapshot"] = None
                store.put(account, region, CHANNEL, channel["name"], channel)
            continue
        next_at = channel.get("_next_snapshot")
        if next_at is None or next_at <= now:
            if next_at is not None:
                await deliver(platform, account, region, channel, recorders[0].get("_endpoint"))
            latest = store.doc(account, region, CHANNEL, channel["name"]) or channel
            latest["_next_snapshot"] = now + platform.clock.scaled(every)
            store.put(account, region, CHANNEL, channel["name"], latest)
