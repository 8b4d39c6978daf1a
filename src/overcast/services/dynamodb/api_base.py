"""What every group of DynamoDB operations shares: the platform's stores, table lookup by name or
ARN, and consumed-capacity figures."""

from __future__ import annotations

import math
from typing import Any

from overcast import arns
from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.dynamodb import metrics
from overcast.services.dynamodb.catalog import Catalog
from overcast.services.dynamodb.items import ItemStore
from overcast.services.dynamodb.reads import Reader
from overcast.services.dynamodb.streams import StreamStore
from overcast.services.dynamodb.tables import TableDef


def table_location(ctx: RequestContext, name: str) -> tuple[str, str, str]:
    """(account, region, table name) of a TableName parameter, which may be a table ARN."""
    if name.startswith("arn:"):
        try:
            arn = arns.parse(name)
        except ValueError:
            return ctx.account, ctx.region, name
        if arn.resource_type == "table":
            return arn.account, arn.region, arn.resource_id.split("/", 1)[0]
    return ctx.account, ctx.region, name


def capacity(table: str, units: float, requested: str | None, *, read: bool = False,
             index: tuple[str, str] | None = None) -> dict[str, Any] | None:
    """ConsumedCapacity when ReturnConsumedCapacity asks for it (on-demand figures). `index`:
    (name, "GSI"|"LSI") of the index a Query or Scan read, which INDEXES reports apart."""
    metrics.consumed(table, units, read)
    if requested not in ("TOTAL", "INDEXES"):
        return None
    out: dict[str, Any] = {"TableName": table, "CapacityUnits": units}
    key = "ReadCapacityUnits" if read else "WriteCapacityUnits"
    out[key] = units
    if requested == "INDEXES":
        if index is None:
            out["Table"] = {"CapacityUnits": units, key: units}
        else:
            out["Table"] = {"CapacityUnits": 0.0, key: 0.0}
            group = "GlobalSecondaryIndexes" if index[1] == "GSI" else "LocalSecondaryIndexes"
            out[group] = {index[0]: {"CapacityUnits": units, key: units}}
    return out


def capacities(units: dict[str, float], requested: str | None, *, read: bool = False) -> list[dict[str, Any]] | None:
    """The ConsumedCapacity list of a batch or transaction: one entry per table, in request order."""
    if requested not in ("TOTAL", "INDEXES"):
        for table, total in units.items():
            metrics.consumed(table, total, read)
        return None
    return [capacity(table, total, requested, read=read) for table, total in units.items()]  # type: ignore[misc]


def write_units(size: int) -> float:
    return float(max(1, math.ceil(size / 1024)))


def read_units(size: int, consistent: bool | None) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units if consistent else units / 2)


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.clock = platform.clock
        self.catalog = platform.component(Catalog)
        self.store = platform.component(ItemStore)
        self.streams = platform.component(StreamStore)
        self.reader = Reader(platform.db)

    def _table(self, ctx: RequestContext, name: str, *, detailed: bool = False) -> TableDef:
        account, region, table_name = table_location(ctx, name)
        metrics.begin(self.platform, ctx, account, region, table_name)
        return self.catalog.get(account, region, table_name, detailed=detailed)
