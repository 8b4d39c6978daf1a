"""ImportTable, DescribeImport, ListImports: a new table loaded from S3 objects
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.HowItWorks.html).

Every object under `S3KeyPrefix` is read (GZIP or uncompressed) as DYNAMODB_JSON (one
`{"Item": {...}}` per line) or CSV (a header line, or `HeaderList`; every value a string, as AWS
imports them, except key attributes typed by the AttributeDefinitions). The table is created and
loaded in one transaction, like ImportTable without conditions or stream records; lines that are
not valid items are counted in `ErrorCount` and skipped. The import answers IN_PROGRESS and is
COMPLETED from then on.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.services.dynamodb.api_tables import TableOperations
from overcast.services.dynamodb.backups import BackupStore
from overcast.services.dynamodb.errors import DynamoValidation, ImportNotFound
from overcast.services.dynamodb.types import check_item
from overcast.services.s3.inbox import list_keys, read_object

IMPORT = "import"


def _lines(body: bytes, compression: str | None) -> list[str]:
    if compression == "GZIP":
        body = gzip.decompress(body)
    elif compression == "ZSTD":
        raise DynamoValidation("overcast reads GZIP or uncompressed imports, not ZSTD")
    return body.decode("utf-8").splitlines()


def _dynamodb_json(lines: list[str]) -> tuple[list[dict[str, Any]], int]:
    items, errors = [], 0
    for line in lines:
        if not line.strip():
            continue
        try:
            items.append(check_item(json.loads(line)["Item"]))
        except (ValueError, KeyError, TypeError, ServiceError):
            errors += 1
    return items, errors


def _csv(lines: list[str], options: dict[str, Any], types: dict[str, str]) -> tuple[list[dict[str, Any]], int]:
    settings = options.get("Csv") or {}
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=settings.get("Delimiter") or ","))
    header = settings.get("HeaderList") or (rows.pop(0) if rows else [])
    items, errors = [], 0
    for row in rows:
        if len(row) != len(header):
            errors += 1
            continue
        item = {name: {types.get(name, "S"): value} for name, value in zip(header, row, strict=True) if value != ""}
        try:
            items.append(check_item(item))
        except ServiceError:
            errors += 1
    return items, errors


class ImportOperations(TableOperations):
    def import_table(self, ctx: RequestContext, s3_bucket_source: dict[str, Any], input_format: str,
                     table_creation_parameters: dict[str, Any], client_token: str | None = None,
                     input_format_options: dict[str, Any] | None = None,
                     input_compression_type: str | None = None) -> dict[str, Any]:
        if input_format not in ("DYNAMODB_JSON", "CSV"):
            raise DynamoValidation(f"overcast imports DYNAMODB_JSON and CSV, not {input_format}")
        bucket, prefix = s3_bucket_source["S3Bucket"], s3_bucket_source.get("S3KeyPrefix") or ""
        params = table_creation_parameters
        types = {d["AttributeName"]: d["AttributeType"] for d in params["AttributeDefinitions"]}
        items, errors, processed = [], 0, 0
        for key in list_keys(self.platform, bucket, prefix):
            body = read_object(self.platform, bucket, key)
            processed += len(body)
            lines = _lines(body, input_compression_type)
            found, bad = _dynamodb_json(lines) if input_format == "DYNAMODB_JSON" else \
                _csv(lines, input_format_options or {}, types)
            items.extend(found)
            errors += bad
        now = self.clock.now()
        with self.db.tx():
            created = self.create_table(
                ctx, attribute_definitions=params["AttributeDefinitions"], table_name=params["TableName"],
                key_schema=params["KeySchema"], billing_mode=params.get("BillingMode"),
                provisioned_throughput=params.get("ProvisionedThroughput"),
                global_secondary_indexes=params.get("GlobalSecondaryIndexes"),
                sse_specification=params.get("SSESpecification"))["TableDescription"]
            table = self._table(ctx, params["TableName"])
            unique = {table.key.key_of_item(item): item for item in items}  # a later line wins
            loaded = self.store.bulk_load(table, unique.values())
            doc = {"ImportArn": f"{table.arn}/import/{int(now * 1000):014d}-{uuid.uuid4().hex[:8]}",
                   "ImportStatus": "COMPLETED", "TableArn": table.arn, "TableId": created["TableId"],
                   "ClientToken": client_token or str(uuid.uuid4()), "S3BucketSource": s3_bucket_source,
                   "ErrorCount": errors, "InputFormat": input_format,
                   "InputCompressionType": input_compression_type or "NONE",
                   "TableCreationParameters": params, "StartTime": now, "EndTime": now,
                   "ProcessedSizeBytes": processed, "ProcessedItemCount": len(items) + errors,
                   "ImportedItemCount": loaded,
                   "CloudWatchLogGroupArn": f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:/aws-dynamodb/imports:*"}
            if input_format_options:
                doc["InputFormatOptions"] = input_format_options
            self.platform.component(BackupStore).docs.put(ctx.account, ctx.region, IMPORT, doc["ImportArn"], doc,
                                                          parent=table.arn)
        started = {k: v for k, v in doc.items() if k != "EndTime"}
        return {"ImportTableDescription": {**started, "ImportStatus": "IN_PROGRESS"}}

    def describe_import(self, ctx: RequestContext, import_arn: str) -> dict[str, Any]:
        found = self.platform.component(BackupStore).docs.find(IMPORT, import_arn)
        if found is None:
            raise ImportNotFound(f"Import not found: {import_arn}")
        return {"ImportTableDescription": found[2]}

    def list_imports(self, ctx: RequestContext, table_arn: str | None = None, page_size: int | None = None,
                     next_token: str | None = None) -> dict[str, Any]:
        docs = self.platform.component(BackupStore).docs.list(ctx.account, ctx.region, IMPORT, parent=table_arn)
        start = int(next_token) if next_token and next_token.isdigit() else 0
        size = page_size or 25
        keys = ("ImportArn", "ImportStatus", "TableArn", "S3BucketSource", "CloudWatchLogGroupArn", "InputFormat",
                "StartTime", "EndTime")
        out: dict[str, Any] = {"ImportSummaryList": [{k: d[k] for k in keys} for d in docs[start:start + size]]}
        if start + size < len(docs):
            out["NextToken"] = str(start + size)
        return out
