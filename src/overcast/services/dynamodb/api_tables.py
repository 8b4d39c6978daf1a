"""Table operations: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable, time to live,
tags, DescribeEndpoints, DescribeLimits, DescribeContinuousBackups.

Tables are ACTIVE as soon as they exist (CreateTable answers CREATING as DynamoDB does, and the
next DescribeTable already says ACTIVE), and a new global secondary index is backfilled at once.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from overcast import arns
from overcast.context import RequestContext
from overcast.services.dynamodb import definitions as rules
from overcast.services.dynamodb import encryption
from overcast.services.dynamodb.api_base import ApiBase
from overcast.services.dynamodb.errors import (
    ENVELOPE,
    DynamoValidation,
    ResourceNotFound,
    check_tag_count,
    invalid,
)
from overcast.services.dynamodb.tables import StreamState, TableDef


class TableOperations(ApiBase):
    def create_table(self, ctx: RequestContext, table_name: str, attribute_definitions: list[dict[str, str]] | None = None,
                     key_schema: list[dict[str, str]] | None = None, local_secondary_indexes: list[dict[str, Any]] | None = None,
                     global_secondary_indexes: list[dict[str, Any]] | None = None, billing_mode: str | None = None,
                     provisioned_throughput: dict[str, int] | None = None,
                     stream_specification: dict[str, Any] | None = None, tags: list[dict[str, str]] | None = None,
                     table_class: str | None = None, deletion_protection_enabled: bool | None = None,
                     sse_specification: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        rules.check_table_name(table_name)
        # botocore's model no longer marks them required, but DynamoDB still needs both
        if key_schema is None:
            raise DynamoValidation(f"{ENVELOPE}Value null at 'keySchema' failed to satisfy constraint: "
                                   "Member must not be null")
        if attribute_definitions is None:
            raise DynamoValidation(f"{ENVELOPE}Value null at 'attributeDefinitions' failed to satisfy constraint: "
                                   "Member must not be null")
        rules.check_index_lists(local_secondary_indexes, global_secondary_indexes)
        types = rules.attribute_types(attribute_definitions)
        key = rules.key_schema(key_schema, types)
        indexes = rules.secondary_indexes(key, types, local_secondary_indexes or [], global_secondary_indexes or [])
        rules.check_definitions_used(types, key, indexes)
        mode, throughput = rules.billing(billing_mode, provisioned_throughput, global_secondary_indexes or [])
        stream = rules.stream_state(stream_specification)
        check_tag_count({t["Key"]: t["Value"] for t in tags or []}, f"table {table_name}")
        table = TableDef(0, ctx.account, ctx.region, table_name, key, types, self.clock.now(), str(uuid.uuid4()),
                         mode, throughput, tags={t["Key"]: t["Value"] for t in tags or []},
                         deletion_protection=bool(deletion_protection_enabled), table_class=table_class,
                         sse=self._sse(ctx, sse_specification))
        with self.db.tx():
            table = self.catalog.create(table)
            allocated = {i.name: self.catalog.allocate_index(table, i) for i in indexes}
            table = table.with_(indexes=allocated)
            if stream.enabled:
                table = table.with_(stream=self.streams.create(table, stream.view_type))  # type: ignore[arg-type]
            self.catalog.save(table)
        return {"TableDescription": self._describe(table, "CREATING")}

    def describe_table(self, ctx: RequestContext, table_name: str) -> dict[str, Any]:
        table = self._describe(self._table(ctx, table_name, detailed=True))
        return {"Table": encryption.mark_inaccessible(self.platform, table)}

    def _sse(self, ctx: RequestContext, spec: dict[str, Any] | None) -> dict[str, str] | None:
        """The table's encryption: SSESpecification checked, its KMS key resolved to the key's ARN."""
        sse = rules.sse(spec)
        if sse is not None:
            sse["KMSMasterKeyArn"] = encryption.table_key(self.platform, ctx.account, ctx.region,
                                                          (spec or {}).get("KMSMasterKeyId"))
        return sse

    def _describe(self, table: TableDef, status: str = "ACTIVE") -> dict[str, Any]:
        count, size = self.catalog.counts(table)
        return table.describe(count, size, self.catalog.index_counts(table), status)

    def list_tables(self, ctx: RequestContext, exclusive_start_table_name: str | None = None,
                    limit: int | None = None) -> dict[str, Any]:
        names = self.catalog.names(ctx.account, ctx.region)
        if exclusive_start_table_name is not None:
            names = [n for n in names if n > exclusive_start_table_name]
        size = limit or 100
        out: dict[str, Any] = {"TableNames": names[:size]}
        if len(names) > size:
            out["LastEvaluatedTableName"] = names[size - 1]
        return out

    def delete_table(self, ctx: RequestContext, table_name: str) -> dict[str, Any]:
        table = self._table(ctx, table_name, detailed=True)
        if table.deletion_protection:
            raise DynamoValidation("Resource cannot be deleted as it is currently protected against deletion. "
                                   "Disable deletion protection first.")
        description = self._describe(table, "DELETING")
        with self.db.tx():
            if table.stream.enabled:
                self.streams.disable(table.stream)
            self.catalog.delete(table)
            if table.replicas:
                self.leave_global(table)  # type: ignore[attr-defined]
        return {"TableDescription": description}

    def update_table(self, ctx: RequestContext, table_name: str,
                     attribute_definitions: list[dict[str, str]] | None = None, billing_mode: str | None = None,
                     provisioned_throughput: dict[str, int] | None = None,
                     global_secondary_index_updates: list[dict[str, Any]] | None = None,
                     stream_specification: dict[str, Any] | None = None,
                     deletion_protection_enabled: bool | None = None, table_class: str | None = None,
                     replica_updates: list[dict[str, Any]] | None = None, **_: Any) -> dict[str, Any]:
        table = self._table(ctx, table_name, detailed=True)
        with self.db.tx():
            if replica_updates:
                table = self.replica_updates(ctx, table, replica_updates)  # type: ignore[attr-defined]
            if billing_mode is not None or provisioned_throughput is not None:
                table = self._billing(table, billing_mode, provisioned_throughput)
            if global_secondary_index_updates:
                table = self._gsi_updates(table, attribute_definitions or [], global_secondary_index_updates)
            if stream_specification is not None:
                table = self._stream_update(table, stream_specification)
            if deletion_protection_enabled is not None:
                table = table.with_(deletion_protection=deletion_protection_enabled)
            if table_class is not None:
                table = table.with_(table_class=table_class)
            self.catalog.save(table)
        description = self._describe(table, "UPDATING")
        description["WarmThroughput"] = warm_throughput(table)
        return {"TableDescription": description}

    def _billing(self, table: TableDef, mode: str | None, throughput: dict[str, int] | None) -> TableDef:
        mode = mode or table.billing_mode
        if mode == "PAY_PER_REQUEST" and throughput:
            raise invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode "
                          "is PAY_PER_REQUEST")
        changed = self.clock.now() if mode != table.billing_mode else table.billing_changed_at
        return table.with_(billing_mode=mode, throughput=dict(throughput or {}) if mode == "PROVISIONED" else {},
                           billing_changed_at=changed)

    def _gsi_updates(self, table: TableDef, definitions: list[dict[str, str]],
                     updates: list[dict[str, Any]]) -> TableDef:
        types = {**table.attributes, **rules.attribute_types(definitions)}
        indexes = dict(table.indexes)
        for update in updates:
            if "Create" in update:
                spec = update["Create"]
                if spec["IndexName"] in indexes:
                    raise DynamoValidation(f"Attempting to create an index which already exists: {spec['IndexName']}")
                (index,) = rules.secondary_indexes(table.key, types, [], [spec])
                index = self.catalog.allocate_index(table, index)
                indexes[index.name] = index
                table = table.with_(indexes=indexes, attributes=_used_types(types, table, indexes))
                self.store.backfill_index(table, index.id)
            elif "Delete" in update:
                name = update["Delete"]["IndexName"]
                dropped = indexes.pop(name, None)
                if dropped is None or dropped.kind != "GSI":
                    raise ResourceNotFound(f"Requested resource not found: Index: {name} not found")
                self.catalog.drop_index(dropped)
                table = table.with_(indexes=dict(indexes), attributes=_used_types(types, table, indexes))
            elif "Update" in update:
                name = update["Update"]["IndexName"]
                current = indexes.get(name)
                if current is None:
                    raise ResourceNotFound(f"Requested resource not found: Index: {name} not found")
                indexes[name] = replace(current, throughput=dict(update["Update"].get("ProvisionedThroughput") or {}))
                table = table.with_(indexes=dict(indexes))
        return table

    def _stream_update(self, table: TableDef, spec: dict[str, Any]) -> TableDef:
        wanted = rules.stream_state(spec)
        if wanted.enabled:
            if table.stream.enabled:
                raise DynamoValidation(f"Table already has an enabled stream: {table.stream.arn}")
            return table.with_(stream=self.streams.create(table, wanted.view_type))  # type: ignore[arg-type]
        if not table.stream.enabled:
            raise DynamoValidation("Table does not have a stream to disable")
        self.streams.disable(table.stream)
        old = table.stream
        return table.with_(stream=StreamState(False, None, old.arn, old.label, old.id))

    # -- time to live -------------------------------------------------------------------------

    def update_time_to_live(self, ctx: RequestContext, table_name: str,
                            time_to_live_specification: dict[str, Any]) -> dict[str, Any]:
        table = self._table(ctx, table_name, detailed=True)
        enabled = bool(time_to_live_specification["Enabled"])
        attribute = time_to_live_specification["AttributeName"]
        if enabled and table.ttl_enabled:
            raise DynamoValidation("TimeToLive is already enabled")
        if not enabled and not table.ttl_enabled:
            raise DynamoValidation("TimeToLive is already disabled")
        if not enabled and attribute != table.ttl_attribute:
            raise DynamoValidation("TimeToLive is active on a different AttributeName: current AttributeName is "
                                   f"{table.ttl_attribute}")
        with self.db.tx():
            table = self.catalog.save(table.with_(ttl_enabled=enabled, ttl_attribute=attribute if enabled else None))
            self.store.backfill_ttl(table)
        return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}

    def describe_time_to_live(self, ctx: RequestContext, table_name: str) -> dict[str, Any]:
        table = self._table(ctx, table_name, detailed=True)
        if not table.ttl_enabled:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": table.ttl_attribute}}

    # -- tags ---------------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, resource_arn: str) -> TableDef:
        try:
            arn = arns.parse(resource_arn)
        except ValueError:
            raise DynamoValidation(f"Invalid TableArn: Invalid ResourceArn provided as input {resource_arn}") from None
        table = self.catalog.find(arn.account, arn.region, arn.resource_id.split("/", 1)[0]) \
            if arn.resource_type == "table" else None
        if table is None:
            raise ResourceNotFound(f"Requested resource not found: ResourcArn: {resource_arn} not found")
        return table

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        table = self._tagged(ctx, resource_arn)
        merged = {**table.tags, **{t["Key"]: t["Value"] for t in tags}}
        check_tag_count(merged, resource_arn)
        with self.db.tx():
            self.catalog.save(table.with_(tags=merged))
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        table = self._tagged(ctx, resource_arn)
        with self.db.tx():
            self.catalog.save(table.with_(tags={k: v for k, v in table.tags.items() if k not in tag_keys}))
        return {}

    def list_tags_of_resource(self, ctx: RequestContext, resource_arn: str,
                              next_token: str | None = None) -> dict[str, Any]:
        table = self._tagged(ctx, resource_arn)
        return {"Tags": [{"Key": k, "Value": v} for k, v in table.tags.items()]}

    # -- account ------------------------------------------------------------------------------

    def describe_endpoints(self, ctx: RequestContext) -> dict[str, Any]:
        return {"Endpoints": [{"Address": f"dynamodb.{ctx.region}.amazonaws.com", "CachePeriodInMinutes": 1440}]}

    def describe_limits(self, ctx: RequestContext) -> dict[str, Any]:
        return {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
                "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}


def _used_types(types: dict[str, str], table: TableDef, indexes: dict[str, Any]) -> dict[str, str]:
    """AttributeDefinitions keep the attributes some key (table or index) uses."""
    used = set(table.key.names)
    for index in indexes.values():
        used.update(index.key.names)
    return {name: kind for name, kind in types.items() if name in used}


def warm_throughput(table: Any) -> dict[str, Any]:
    """UpdateTable's TableDescription.WarmThroughput: an on-demand table's default warm throughput
    (12,000 reads and 4,000 writes a second), a provisioned table's provisioned capacity."""
    if table.billing_mode == "PROVISIONED":
        throughput = table.throughput or {}
        return {"ReadUnitsPerSecond": int(throughput.get("ReadCapacityUnits", 0)),
                "WriteUnitsPerSecond": int(throughput.get("WriteCapacityUnits", 0)), "Status": "ACTIVE"}
    return {"ReadUnitsPerSecond": 12_000, "WriteUnitsPerSecond": 4_000, "Status": "ACTIVE"}
