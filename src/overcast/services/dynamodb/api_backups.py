"""On-demand backups (CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
RestoreTableFromBackup), point-in-time recovery (UpdateContinuousBackups,
DescribeContinuousBackups, RestoreTableToPointInTime), and contributor insights settings.

A restore creates the target table from the backup's definition (no stream, no TTL, no tags, as
AWS restores) and loads the items in the same transaction. While PITR is enabled every item change
keeps its before-image (pitr.py), so a point-in-time restore restores the table as it was at
`RestoreDateTime` (or at the latest restorable time).
"""

from __future__ import annotations

import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.services.dynamodb import pitr
from overcast.services.dynamodb.api_base import ApiBase, table_location
from overcast.services.dynamodb.backups import CONTINUOUS, INSIGHTS, BackupStore
from overcast.services.dynamodb.errors import (
    BackupNotFound,
    InvalidRestoreTime,
    PointInTimeRecoveryUnavailable,
    SourceTableNotFound,
    TableAlreadyExists,
    TableNotFound,
)
from overcast.services.dynamodb.tables import IndexDef, StreamState, TableDef

DEFAULT_RECOVERY_DAYS = 35


def _epoch(value: Any) -> float:
    return value.timestamp() if hasattr(value, "timestamp") else float(value)


def _details(doc: dict[str, Any], status: str | None = None) -> dict[str, Any]:
    keys = ("BackupArn", "BackupName", "BackupSizeBytes", "BackupStatus", "BackupType", "BackupCreationDateTime")
    out = {k: doc[k] for k in keys}
    if status is not None:
        out["BackupStatus"] = status
    return out


def _source(table: TableDef, count: int, size: int) -> dict[str, Any]:
    return {"TableName": table.name, "TableId": table.table_uuid, "TableArn": table.arn, "TableSizeBytes": size,
            "KeySchema": table.key.to_wire(), "TableCreationDateTime": table.created_at,
            "ProvisionedThroughput": {"ReadCapacityUnits": table.throughput.get("ReadCapacityUnits", 0),
                                      "WriteCapacityUnits": table.throughput.get("WriteCapacityUnits", 0)},
            "ItemCount": count, "BillingMode": table.billing_mode}


def _features(table: TableDef) -> dict[str, Any]:
    out: dict[str, Any] = {}
    lsis = [{"IndexName": i.name, "KeySchema": i.key.to_wire(), "Projection": i.projection}
            for i in table.indexes.values() if i.kind == "LSI"]
    gsis = [{"IndexName": i.name, "KeySchema": i.key.to_wire(), "Projection": i.projection,
             **({"ProvisionedThroughput": i.throughput} if i.throughput else {})}
            for i in table.indexes.values() if i.kind == "GSI"]
    if lsis:
        out["LocalSecondaryIndexes"] = lsis
    if gsis:
        out["GlobalSecondaryIndexes"] = gsis
    if table.stream.enabled:
        out["StreamDescription"] = {"StreamEnabled": True, "StreamViewType": table.stream.view_type}
    if table.ttl_attribute:
        out["TimeToLiveDescription"] = {"TimeToLiveStatus": "ENABLED" if table.ttl_enabled else "DISABLED",
                                        "AttributeName": table.ttl_attribute}
    return out


def _description(doc: dict[str, Any], status: str | None = None) -> dict[str, Any]:
    table = TableDef.from_doc(doc["table"])
    return {"BackupDetails": _details(doc, status),
            "SourceTableDetails": _source(table, doc["ItemCount"], doc["BackupSizeBytes"]),
            "SourceTableFeatureDetails": _features(table)}


class BackupOperations(ApiBase):
    @property
    def backups(self) -> BackupStore:
        return self.platform.component(BackupStore)

    # -- on-demand backups ----------------------------------------------------------------------

    def create_backup(self, ctx: RequestContext, table_name: str, backup_name: str) -> dict[str, Any]:
        table = self._table(ctx, table_name, detailed=True)
        with self.db.tx():
            doc = self.backups.create(table, backup_name, self.clock.now())
        return {"BackupDetails": _details(doc, "CREATING")}

    def _backup(self, arn: str) -> dict[str, Any]:
        doc = self.backups.get(arn)
        if doc is None:
            raise BackupNotFound(f"Backup not found for arn: {arn}")
        return doc

    def describe_backup(self, ctx: RequestContext, backup_arn: str) -> dict[str, Any]:
        return {"BackupDescription": _description(self._backup(backup_arn))}

    def delete_backup(self, ctx: RequestContext, backup_arn: str) -> dict[str, Any]:
        doc = self._backup(backup_arn)
        with self.db.tx():
            self.backups.delete(doc)
        return {"BackupDescription": _description(doc, "DELETED")}

    def list_backups(self, ctx: RequestContext, table_name: str | None = None, limit: int | None = None,
                     time_range_lower_bound: Any = None, time_range_upper_bound: Any = None,
                     exclusive_start_backup_arn: str | None = None, backup_type: str | None = None) -> dict[str, Any]:
        docs = self.backups.list(ctx.account, ctx.region, table_name)
        low = time_range_lower_bound.timestamp() if time_range_lower_bound is not None else None
        high = time_range_upper_bound.timestamp() if time_range_upper_bound is not None else None
        docs = [d for d in docs if (low is None or d["BackupCreationDateTime"] >= low)
                and (high is None or d["BackupCreationDateTime"] <= high)
                and backup_type in (None, "ALL", d["BackupType"])]
        if exclusive_start_backup_arn is not None:
            arns = [d["BackupArn"] for d in docs]
            docs = docs[arns.index(exclusive_start_backup_arn) + 1:] if exclusive_start_backup_arn in arns else []
        page = docs[:limit] if limit else docs
        summaries = []
        for doc in page:
            table = TableDef.from_doc(doc["table"])
            summaries.append({"TableName": table.name, "TableId": table.table_uuid, "TableArn": table.arn,
                              **_details(doc)})
        out: dict[str, Any] = {"BackupSummaries": summaries}
        if limit and len(docs) > limit:
            out["LastEvaluatedBackupArn"] = page[-1]["BackupArn"]
        return out

    def restore_table_from_backup(self, ctx: RequestContext, target_table_name: str, backup_arn: str,
                                  billing_mode_override: str | None = None, **_: Any) -> dict[str, Any]:
        doc = self._backup(backup_arn)
        source = TableDef.from_doc(doc["table"])
        summary = {"SourceBackupArn": backup_arn, "SourceTableArn": source.arn}
        return self._restore(ctx, source, target_table_name, billing_mode_override, summary,
                             self.backups.backed_up_items(backup_arn))

    # -- point-in-time recovery -------------------------------------------------------------------

    def _pitr_table(self, ctx: RequestContext, name: str) -> TableDef:
        account, region, table_name = table_location(ctx, name)
        table = self.catalog.find(account, region, table_name)
        if table is None:
            raise TableNotFound(f"Table not found: {table_name}")
        return table

    def _continuous(self, table: TableDef) -> dict[str, Any]:
        setting = self.backups.setting(table, CONTINUOUS) or {}
        recovery: dict[str, Any] = {"PointInTimeRecoveryStatus": "ENABLED" if setting.get("enabled") else "DISABLED"}
        if setting.get("enabled"):
            recovery.update({"RecoveryPeriodInDays": setting["days"],
                             "EarliestRestorableDateTime": self._earliest(table, setting),
                             "LatestRestorableDateTime": self.clock.now()})
        return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": recovery}

    def _earliest(self, table: TableDef, setting: dict[str, Any]) -> float:
        return pitr.earliest(table.with_(pitr_since=table.pitr_since or setting["since"]), int(setting["days"]),
                             self.clock.now())

    def describe_continuous_backups(self, ctx: RequestContext, table_name: str) -> dict[str, Any]:
        return {"ContinuousBackupsDescription": self._continuous(self._pitr_table(ctx, table_name))}

    def update_continuous_backups(self, ctx: RequestContext, table_name: str,
                                  point_in_time_recovery_specification: dict[str, Any]) -> dict[str, Any]:
        table = self._pitr_table(ctx, table_name)
        spec = point_in_time_recovery_specification
        enabled = bool(spec["PointInTimeRecoveryEnabled"])
        previous = self.backups.setting(table, CONTINUOUS) or {}
        since = previous["since"] if previous.get("enabled") else self.clock.now()
        days = spec.get("RecoveryPeriodInDays") or previous.get("days") or DEFAULT_RECOVERY_DAYS
        with self.db.tx():
            self.backups.set(table, CONTINUOUS, {"enabled": enabled, "days": days, "since": since})
            table = self.catalog.save(table.with_(pitr_since=since if enabled else None))
            if not enabled:  # AWS: disabling PITR deletes the table's history
                pitr.forget(self.db, table)
            else:
                pitr.prune(self.db, table, self.clock.now() - int(days) * pitr.DAY)
        return {"ContinuousBackupsDescription": self._continuous(table)}

    def restore_table_to_point_in_time(self, ctx: RequestContext, target_table_name: str,
                                       source_table_arn: str | None = None, source_table_name: str | None = None,
                                       billing_mode_override: str | None = None, restore_date_time: Any = None,
                                       use_latest_restorable_time: bool | None = None, **_: Any) -> dict[str, Any]:
        account, region, name = table_location(ctx, source_table_arn or source_table_name or "")
        source = self.catalog.find(account, region, name)
        if source is None:
            raise SourceTableNotFound(f"Source table not found: {name}")
        setting = self.backups.setting(source, CONTINUOUS) or {}
        if not setting.get("enabled"):
            raise PointInTimeRecoveryUnavailable(f"Point in time recovery is not enabled for table '{name}'")
        now = self.clock.now()
        when = now if use_latest_restorable_time or restore_date_time is None else _epoch(restore_date_time)
        if not self._earliest(source, setting) <= when <= now:
            raise InvalidRestoreTime("RestoreDateTime must be between EarliestRestorableDateTime and "
                                     "LatestRestorableDateTime")
        summary = {"SourceTableArn": source.arn}
        items = list(pitr.items_at(self.db, self.store.rows(source), source, when))
        return self._restore(ctx, source, target_table_name, billing_mode_override, summary, iter(items),
                             restored_at=when)

    # -- restores ---------------------------------------------------------------------------------

    def _restore(self, ctx: RequestContext, source: TableDef, target: str, billing_mode: str | None,
                 summary: dict[str, Any], items: Any, restored_at: float | None = None) -> dict[str, Any]:
        if self.catalog.find(ctx.account, ctx.region, target) is not None:
            raise TableAlreadyExists(f"Table already exists: {target}")
        now = self.clock.now()
        table = source.with_(id=0, account=ctx.account, region=ctx.region, name=target, created_at=now,
                             table_uuid=str(uuid.uuid4()), stream=StreamState(False), ttl_attribute=None,
                             ttl_enabled=False, tags={}, deletion_protection=False, indexes={},
                             billing_mode=billing_mode or source.billing_mode, billing_changed_at=None,
                             kinesis_destinations={}, replicas=[], global_version=None, pitr_since=None)
        with self.db.tx():
            table = self.catalog.create(table)
            indexes = {n: self.catalog.allocate_index(table, IndexDef(i.name, 0, i.kind, i.key, i.projection,
                                                                       i.throughput))
                       for n, i in source.indexes.items()}
            table = self.catalog.save(table.with_(indexes=indexes))
            self.store.bulk_load(table, items)
        count, size = self.catalog.counts(table)
        description = table.describe(count, size, self.catalog.index_counts(table), "CREATING")
        description["RestoreSummary"] = {**summary, "RestoreDateTime": now if restored_at is None else restored_at,
                                         "RestoreInProgress": True}
        return {"TableDescription": description}

    # -- contributor insights ---------------------------------------------------------------------

    def describe_contributor_insights(self, ctx: RequestContext, table_name: str,
                                      index_name: str | None = None) -> dict[str, Any]:
        table = self._table(ctx, table_name, detailed=True)
        setting = self.backups.setting(table, INSIGHTS, index_name or "") or {}
        out: dict[str, Any] = {"TableName": table.name,
                               "ContributorInsightsStatus": "ENABLED" if setting.get("enabled") else "DISABLED"}
        if index_name:
            out["IndexName"] = index_name
        if setting:
            out["LastUpdateDateTime"] = setting["at"]
        return out

    def update_contributor_insights(self, ctx: RequestContext, table_name: str, contributor_insights_action: str,
                                    index_name: str | None = None, **_: Any) -> dict[str, Any]:
        table = self._table(ctx, table_name, detailed=True)
        enable = contributor_insights_action == "ENABLE"
        with self.db.tx():
            self.backups.set(table, INSIGHTS, {"enabled": enable, "at": self.clock.now()}, index_name or "")
        out: dict[str, Any] = {"TableName": table.name, "ContributorInsightsStatus": "ENABLING" if enable
                               else "DISABLING"}
        if index_name:
            out["IndexName"] = index_name
        return out
