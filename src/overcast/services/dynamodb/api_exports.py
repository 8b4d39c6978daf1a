"""ExportTableToPointInTime, DescribeExport, ListExports: full exports of a table to S3 in
DynamoDB JSON (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html).

An export writes, under `<S3Prefix>/AWSDynamoDB/<export id>/`: `data/<id>.json.gz` (gzipped lines
`{"Item": {...}}`), `manifest-files.json` (one line per data file) and `manifest-summary.json`,
plus `.md5` files of both manifests. The objects are recorded in the outbox in the call's
transaction and written by S3 as deliveries; the export answers IN_PROGRESS and is COMPLETED from
then on. Point-in-time recovery must be enabled on the table, as AWS requires; the export holds
the table as it was at `ExportTime` (default: the call), from the point-in-time history (pitr.py).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.delivery import record
from overcast.services.dynamodb import pitr
from overcast.services.dynamodb.api_base import ApiBase, table_location
from overcast.services.dynamodb.backups import CONTINUOUS, BackupStore
from overcast.services.dynamodb.errors import (
    DynamoValidation,
    ExportNotFound,
    InvalidExportTime,
    PointInTimeRecoveryUnavailable,
    TableNotFound,
)
from overcast.services.dynamodb.items import dumps
from overcast.services.dynamodb.tables import TableDef
from overcast.services.dynamodb.types import item_size

EXPORT = "export"


class ExportOperations(ApiBase):
    def export_table_to_point_in_time(self, ctx: RequestContext, table_arn: str, s3_bucket: str,
                                      s3_prefix: str | None = None, export_format: str | None = None,
                                      export_type: str | None = None, client_token: str | None = None,
                                      export_time: Any = None, s3_bucket_owner: str | None = None,
                                      s3_sse_algorithm: str | None = None, **_: Any) -> dict[str, Any]:
        account, region, name = table_location(ctx, table_arn)
        table = self.catalog.find(account, region, name)
        if table is None:
            raise TableNotFound(f"Table not found: {name}")
        store = self.platform.component(BackupStore)
        setting = store.setting(table, CONTINUOUS) or {}
        if not setting.get("enabled"):
            raise PointInTimeRecoveryUnavailable(f"Point in time recovery is not enabled for table '{name}'")
        now = self.clock.now()
        when = now if export_time is None else (export_time.timestamp() if hasattr(export_time, "timestamp")
                                                else float(export_time))
        earliest = pitr.earliest(table.with_(pitr_since=table.pitr_since or setting["since"]), int(setting["days"]),
                                 now)
        if not earliest <= when <= now:
            raise InvalidExportTime("ExportTime must be within the point in time recovery window of the table")
        if (export_type or "FULL_EXPORT") != "FULL_EXPORT" or (export_format or "DYNAMODB_JSON") != "DYNAMODB_JSON":
            raise DynamoValidation("overcast exports tables in full, as DYNAMODB_JSON")
        export_id = f"{int(now * 1000):014d}-{uuid.uuid4().hex[:8]}"
        doc: dict[str, Any] = {"ExportArn": f"{table.arn}/export/{export_id}", "ExportStatus": "COMPLETED", "StartTime": now,
                               "EndTime": now, "TableArn": table.arn, "TableId": table.table_uuid, "ExportTime": when,
                               "ClientToken": client_token or str(uuid.uuid4()), "S3Bucket": s3_bucket,
                               "S3SseAlgorithm": s3_sse_algorithm or "AES256", "ExportFormat": "DYNAMODB_JSON",
                               "ExportType": "FULL_EXPORT"}
        if s3_prefix:
            doc["S3Prefix"] = s3_prefix
        if s3_bucket_owner:
            doc["S3BucketOwner"] = s3_bucket_owner
        with self.db.tx():
            doc.update(self._write(table, doc, export_id))
            store.docs.put(table.account, table.region, EXPORT, doc["ExportArn"], doc, parent=table.arn)
        started = {k: v for k, v in doc.items() if k not in ("EndTime", "ExportManifest", "ItemCount",
                                                              "BilledSizeBytes")}
        return {"ExportDescription": {**started, "ExportStatus": "IN_PROGRESS"}}

    def _write(self, table: TableDef, doc: dict[str, Any], export_id: str) -> dict[str, Any]:
        """Record the export's objects in the outbox; its ItemCount, BilledSizeBytes, ExportManifest."""
        base = f"{doc['S3Prefix'].rstrip('/')}/AWSDynamoDB/{export_id}" if doc.get("S3Prefix") else \
            f"AWSDynamoDB/{export_id}"
        items = list(pitr.items_at(self.db, self.store.rows(table), table, float(doc["ExportTime"])))
        lines = [dumps({"Item": item}) for item in items]
        data = gzip.compress(("\n".join(lines) + "\n" if lines else "").encode())
        data_key = f"{base}/data/{uuid.uuid4().hex[:26]}.json.gz"
        count, size = len(items), sum(item_size(item) for item in items)
        files = json.dumps({"itemCount": len(lines), "md5Checksum": hashlib.md5(data).hexdigest(),
                            "etag": hashlib.md5(data).hexdigest(), "dataFileS3Key": data_key}) + "\n"
        summary = json.dumps({
            "version": "2020-06-30", "exportArn": doc["ExportArn"], "startTime": _iso(doc["StartTime"]),
            "endTime": _iso(doc["EndTime"]), "tableArn": table.arn, "tableId": table.table_uuid,
            "exportTime": _iso(doc["ExportTime"]), "s3Bucket": doc["S3Bucket"], "s3Prefix": doc.get("S3Prefix"),
            "s3SseAlgorithm": doc["S3SseAlgorithm"], "s3SseKmsKeyId": None,
            "manifestFilesS3Key": f"{base}/manifest-files.json", "billedSizeBytes": size, "itemCount": count,
            "outputFormat": "DYNAMODB_JSON", "exportType": "FULL_EXPORT"})
        bucket_arn = f"arn:aws:s3:::{doc['S3Bucket']}"
        objects = [(data_key, data, "application/x-gzip"),
                   (f"{base}/manifest-files.json", files.encode(), "application/json"),
                   (f"{base}/manifest-files.md5", hashlib.md5(files.encode()).hexdigest().encode(), "text/plain"),
                   (f"{base}/manifest-summary.json", summary.encode(), "application/json"),
                   (f"{base}/manifest-summary.md5", hashlib.md5(summary.encode()).hexdigest().encode(), "text/plain")]
        for key, body, content_type in objects:
            record(self.platform, bucket_arn, body, options={"key": key, "content_type": content_type})
        return {"ItemCount": count, "BilledSizeBytes": size, "ExportManifest": f"{base}/manifest-summary.json"}

    def describe_export(self, ctx: RequestContext, export_arn: str) -> dict[str, Any]:
        found = self.platform.component(BackupStore).docs.find(EXPORT, export_arn)
        if found is None:
            raise ExportNotFound(f"Export not found: {export_arn}")
        return {"ExportDescription": found[2]}

    def list_exports(self, ctx: RequestContext, table_arn: str | None = None, max_results: int | None = None,
                     next_token: str | None = None) -> dict[str, Any]:
        docs = self.platform.component(BackupStore).docs.list(ctx.account, ctx.region, EXPORT, parent=table_arn)
        start = int(next_token) if next_token and next_token.isdigit() else 0
        size = max_results or 25
        page = docs[start:start + size]
        out: dict[str, Any] = {"ExportSummaries": [{"ExportArn": d["ExportArn"], "ExportStatus": d["ExportStatus"],
                                                    "ExportType": d["ExportType"]} for d in page]}
        if start + size < len(docs):
            out["NextToken"] = str(start + size)
        return out


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
