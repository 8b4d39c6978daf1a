"""Global tables: replicas of a table in other regions of this overcast
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html).

Both versions are served: 2019.11.21 (UpdateTable's `ReplicaUpdates` creates or deletes a replica,
copying the definition and the items; DescribeTable lists `Replicas`) and 2017.11.29
(CreateGlobalTable, UpdateGlobalTable, DescribeGlobalTable, ListGlobalTables over tables created
in each region beforehand). Every replica's table definition carries the set of regions, and the
item write path applies each change to the other replicas in the same transaction (AWS replicates
asynchronously, usually within a second; last writer wins either way).
"""

from __future__ import annotations

import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.services.dynamodb.api_base import ApiBase
from overcast.services.dynamodb.backups import BackupStore
from overcast.services.dynamodb.errors import (
    DynamoValidation,
    GlobalTableAlreadyExists,
    GlobalTableNotFound,
    ReplicaAlreadyExists,
    ReplicaNotFound,
    TableNotFound,
)
from overcast.services.dynamodb.tables import StreamState, TableDef

GLOBAL = "global-table"
V2017, V2019 = "2017.11.29", "2019.11.21"


class GlobalTableOperations(ApiBase):
    # -- version 2019.11.21: UpdateTable's ReplicaUpdates ------------------------------------------

    def replica_updates(self, ctx: RequestContext, table: TableDef, updates: list[dict[str, Any]]) -> TableDef:
        """Apply UpdateTable's ReplicaUpdates (inside its transaction); the table as it is then."""
        regions = list(table.replicas or [table.region])
        for update in updates:
            if "Create" in update:
                region = update["Create"]["RegionName"]
                if region in regions or self.catalog.find(table.account, region, table.name) is not None:
                    raise ReplicaAlreadyExists(f"Replica already exists in region {region}")
                if table.stream.view_type not in (None, "NEW_AND_OLD_IMAGES"):
                    raise DynamoValidation("One or more parameter values were invalid: Table stream view type must "
                                           "be NEW_AND_OLD_IMAGES for a global table")
                if not table.stream.enabled:  # replicas need NEW_AND_OLD_IMAGES streams
                    table = table.with_(stream=self.streams.create(table, "NEW_AND_OLD_IMAGES"))  # type: ignore[arg-type]
                    self.catalog.save(table)
                self._create_replica(table, region)
                regions.append(region)
            elif "Delete" in update:
                region = update["Delete"]["RegionName"]
                replica = self.catalog.find(table.account, region, table.name)
                if region not in regions or replica is None or region == table.region:
                    raise ReplicaNotFound(f"Replica not found in region {region}")
                self.catalog.delete(replica)
                regions.remove(region)
        return self._join(table, regions if len(regions) > 1 else [], V2019 if len(regions) > 1 else None)

    def leave_global(self, table: TableDef) -> None:
        """A replica deleted by DeleteTable leaves its global table (inside DeleteTable's transaction)."""
        remaining = [r for r in table.replicas if r != table.region]
        anchor = next((t for t in (self.catalog.find(table.account, r, table.name) for r in remaining) if t), None)
        if anchor is not None:
            kept = remaining if len(remaining) > 1 else []
            self._join(anchor, kept, table.global_version if kept else None)

    def _create_replica(self, source: TableDef, region: str) -> None:
        replica = source.with_(id=0, region=region, created_at=self.clock.now(), table_uuid=str(uuid.uuid4()),
                               indexes={}, stream=StreamState(False), kinesis_destinations={}, pitr_since=None)
        replica = self.catalog.create(replica)
        indexes = {name: self.catalog.allocate_index(replica, index) for name, index in source.indexes.items()}
        replica = replica.with_(indexes=indexes)
        replica = replica.with_(stream=self.streams.create(replica, "NEW_AND_OLD_IMAGES"))  # type: ignore[arg-type]
        self.catalog.save(replica)
        self.store.bulk_load(replica, (item for _pk, _sk, item in self.store.rows(source)))

    def _join(self, table: TableDef, regions: list[str], version: str | None) -> TableDef:
        """Record the replica set on every member's definition; this region's table as it is then."""
        mine = table
        for region in set(regions) | {table.region}:
            member = table if region == table.region else self.catalog.find(table.account, region, table.name)
            if member is not None:
                member = self.catalog.save(member.with_(replicas=sorted(regions), global_version=version))
                if region == table.region:
                    mine = member
        return mine

    # -- version 2017.11.29 ---------------------------------------------------------------------

    def _global(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        found = self.platform.component(BackupStore).docs.get(ctx.account, "", GLOBAL, name)
        if found is None:
            raise GlobalTableNotFound("Global table not found")
        return found

    def _description(self, ctx: RequestContext, doc: dict[str, Any], status: str) -> dict[str, Any]:
        return {"ReplicationGroup": [{"RegionName": r, "ReplicaStatus": "ACTIVE"} for r in doc["regions"]],
                "GlobalTableArn": f"arn:aws:dynamodb::{ctx.account}:global-table/{doc['name']}",
                "CreationDateTime": doc["created"], "GlobalTableStatus": status, "GlobalTableName": doc["name"]}

    def _member(self, ctx: RequestContext, name: str, region: str) -> TableDef:
        table = self.catalog.find(ctx.account, region, name)
        if table is None:
            raise TableNotFound(f"Table not found: {name} in region {region}")
        if table.stream.view_type != "NEW_AND_OLD_IMAGES" or not table.stream.enabled:
            raise DynamoValidation(f"One or more parameter values were invalid: Table {name} in region {region} "
                                   "does not have a stream enabled with NEW_AND_OLD_IMAGES")
        return table

    def create_global_table(self, ctx: RequestContext, global_table_name: str,
                            replication_group: list[dict[str, str]]) -> dict[str, Any]:
        docs = self.platform.component(BackupStore).docs
        if docs.get(ctx.account, "", GLOBAL, global_table_name) is not None:
            raise GlobalTableAlreadyExists("Global table with this name already exists")
        regions = sorted({r["RegionName"] for r in replication_group if r.get("RegionName")})
        if not regions:  # a global table needs at least one replica
            raise DynamoValidation("One or more parameter values were invalid: ReplicationGroup must contain at "
                                   "least one replica")
        members = [self._member(ctx, global_table_name, r) for r in regions]
        doc = {"name": global_table_name, "regions": regions, "created": self.clock.now()}
        with self.db.tx():
            docs.put(ctx.account, "", GLOBAL, global_table_name, doc)
            self._join(members[0], regions, V2017)
        return {"GlobalTableDescription": self._description(ctx, doc, "CREATING")}

    def describe_global_table(self, ctx: RequestContext, global_table_name: str) -> dict[str, Any]:
        return {"GlobalTableDescription": self._description(ctx, self._global(ctx, global_table_name), "ACTIVE")}

    def update_global_table(self, ctx: RequestContext, global_table_name: str,
                            replica_updates: list[dict[str, Any]]) -> dict[str, Any]:
        doc = self._global(ctx, global_table_name)
        regions = list(doc["regions"])
        for update in replica_updates:
            if "Create" in update:
                region = update["Create"]["RegionName"]
                if region in regions:
                    raise ReplicaAlreadyExists(f"Replica already exists in region {region}")
                self._member(ctx, global_table_name, region)
                regions.append(region)
            elif "Delete" in update:
                region = update["Delete"]["RegionName"]
                if region not in regions:
                    raise ReplicaNotFound(f"Replica not found in region {region}")
                regions.remove(region)
                left = self.catalog.find(ctx.account, region, global_table_name)
                if left is not None:
                    self.catalog.save(left.with_(replicas=[], global_version=None))
        doc = {**doc, "regions": sorted(regions)}
        with self.db.tx():
            self.platform.component(BackupStore).docs.put(ctx.account, "", GLOBAL, global_table_name, doc)
            anchor = next((t for t in (self.catalog.find(ctx.account, r, global_table_name) for r in regions) if t), None)
            if anchor is not None:
                self._join(anchor, doc["regions"], V2017)
        return {"GlobalTableDescription": self._description(ctx, doc, "UPDATING")}

    def list_global_tables(self, ctx: RequestContext, exclusive_start_global_table_name: str | None = None,
                           limit: int | None = None, region_name: str | None = None) -> dict[str, Any]:
        docs = self.platform.component(BackupStore).docs.list(ctx.account, "", GLOBAL)
        docs = sorted((d for d in docs if region_name is None or region_name in d["regions"]), key=lambda d: d["name"])
        if exclusive_start_global_table_name is not None:
            docs = [d for d in docs if d["name"] > exclusive_start_global_table_name]
        size = limit or 100
        out: dict[str, Any] = {"GlobalTables": [
            {"GlobalTableName": d["name"], "ReplicationGroup": [{"RegionName": r} for r in d["regions"]]}
            for d in docs[:size]]}
        if len(docs) > size:
            out["LastEvaluatedGlobalTableName"] = docs[size - 1]["name"]
        return out
