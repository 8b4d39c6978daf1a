"""Kinesis Data Streams for DynamoDB: every item change of a table with an ACTIVE destination is
recorded in the outbox for its Kinesis stream, in the change's transaction
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds.html).

The record is DynamoDB's JSON change record: `eventName` INSERT/MODIFY/REMOVE, `recordFormat`
`application/json`, `tableName`, and `dynamodb` with `ApproximateCreationDateTime` in milliseconds
(or microseconds, as the destination's precision says), `Keys`, both images and `SizeBytes`. The
Kinesis partition key is the item's partition key value.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from overcast.delivery import RetryPolicy, record
from overcast.platform import Platform
from overcast.services.dynamodb.tables import TableDef
from overcast.services.dynamodb.types import Item, item_size

#: the outbox keeps trying for a day, as DynamoDB retries a stream it cannot write
RETRY = RetryPolicy(max_attempts=None, max_age=24 * 3600.0)


def change_record(table: TableDef, old: Item | None, new: Item | None, now: float, precision: str) -> dict[str, Any]:
    key = table.key.key_attributes(new if new is not None else old)  # type: ignore[arg-type]
    stamp = int(now * 1_000_000) if precision == "MICROSECOND" else int(now * 1000)
    data: dict[str, Any] = {"ApproximateCreationDateTime": stamp, "Keys": key}
    size = item_size(key)
    if new is not None:
        data["NewImage"] = new
        size += item_size(new)
    if old is not None:
        data["OldImage"] = old
        size += item_size(old)
    data["SizeBytes"] = size
    data["ApproximateCreationDateTimePrecision"] = precision
    return {"awsRegion": table.region, "eventID": str(uuid.uuid4()),
            "eventName": "INSERT" if old is None else "REMOVE" if new is None else "MODIFY",
            "userIdentity": None, "recordFormat": "application/json", "tableName": table.name,
            "dynamodb": data, "eventSource": "aws:dynamodb"}


def publish(platform: Platform, table: TableDef, old: Item | None, new: Item | None) -> None:
    """Record the change for each ACTIVE destination (inside the change's transaction)."""
    item = new if new is not None else old
    partition = json.dumps(item[table.key.hash_name], sort_keys=True) if item is not None else ""
    for stream_arn, destination in table.kinesis_destinations.items():
        if destination.get("status") != "ACTIVE":
            continue
        payload = change_record(table, old, new, platform.clock.now(), destination.get("precision", "MILLISECOND"))
        record(platform, stream_arn, json.dumps(payload, separators=(",", ":")),
               options={"PartitionKey": partition[:256]}, retry=RETRY)
