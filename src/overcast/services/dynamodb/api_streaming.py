"""Kinesis Data Streams for DynamoDB: EnableKinesisStreamingDestination,
DisableKinesisStreamingDestination, DescribeKinesisStreamingDestination,
UpdateKinesisStreamingDestination. The changes themselves are published by
kinesis_destinations.py from the item write path.
"""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.services.dynamodb.api_base import ApiBase
from overcast.services.dynamodb.errors import DynamoValidation, ResourceInUse
from overcast.services.dynamodb.tables import TableDef

PRECISIONS = ("MILLISECOND", "MICROSECOND")


class StreamingOperations(ApiBase):
    def _destinations(self, table: TableDef, destinations: dict[str, dict[str, str]]) -> None:
        with self.db.tx():
            self.catalog.save(table.with_(kinesis_destinations=destinations))

    def enable_kinesis_streaming_destination(self, ctx: RequestContext, table_name: str, stream_arn: str,
                                             enable_kinesis_streaming_configuration: dict[str, Any] | None = None
                                             ) -> dict[str, Any]:
        table = self._table(ctx, table_name, detailed=True)
        if not stream_arn.startswith("arn:") or ":kinesis:" not in stream_arn or ":stream/" not in stream_arn:
            raise DynamoValidation(f"Invalid StreamArn: {stream_arn}")
        current = table.kinesis_destinations.get(stream_arn)
        if current is not None and current["status"] == "ACTIVE":
            raise ResourceInUse(f"Table {table.name} is already streaming to {stream_arn}")
        active = [arn for arn, d in table.kinesis_destinations.items() if d["status"] == "ACTIVE"]
        if len(active) >= 2:
            raise DynamoValidation("A table can stream to at most 2 Kinesis data streams")
        self._may_stream(ctx, stream_arn)
        config = enable_kinesis_streaming_configuration or {}
        precision = config.get("ApproximateCreationDateTimePrecision") or "MILLISECOND"
        self._destinations(table, {**table.kinesis_destinations,
                                   stream_arn: {"status": "ACTIVE", "precision": precision}})
        out: dict[str, Any] = {"TableName": table.name, "StreamArn": stream_arn, "DestinationStatus": "ENABLING"}
        if config:
            out["EnableKinesisStreamingConfiguration"] = config
        return out

    def _may_stream(self, ctx: RequestContext, stream_arn: str) -> None:
        """The caller must itself be allowed to write to and describe the stream (`--iam enforce`);
        DynamoDB then replicates with its service-linked role, which IAM does not check
        ([AWS](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds_iam.html))."""
        iam = self.platform.iam
        if iam is None:
            return
        for action, resource in (("kinesis:ListStreams", "*"), ("kinesis:DescribeStream", stream_arn),
                                 ("kinesis:PutRecords", stream_arn)):
            refused = iam.refusal_as_key(ctx.access_key, ctx.account, action, resource)
            if refused is not None:
                raise ServiceError(refused, code="AccessDeniedException", status=400, sender_fault=True)

    def disable_kinesis_streaming_destination(self, ctx: RequestContext, table_name: str, stream_arn: str,
                                              enable_kinesis_streaming_configuration: dict[str, Any] | None = None
                                              ) -> dict[str, Any]:
        table = self._table(ctx, table_name, detailed=True)
        current = table.kinesis_destinations.get(stream_arn)
        if current is None or current["status"] != "ACTIVE":
            raise DynamoValidation(f"Table {table.name} is not streaming to {stream_arn}")
        self._destinations(table, {**table.kinesis_destinations, stream_arn: {**current, "status": "DISABLED"}})
        return {"TableName": table.name, "StreamArn": stream_arn, "DestinationStatus": "DISABLING"}

    def describe_kinesis_streaming_destination(self, ctx: RequestContext, table_name: str) -> dict[str, Any]:
        table = self._table(ctx, table_name, detailed=True)
        return {"TableName": table.name, "KinesisDataStreamDestinations": [
            {"StreamArn": arn, "DestinationStatus": d["status"], "ApproximateCreationDateTimePrecision": d["precision"]}
            for arn, d in table.kinesis_destinations.items()]}

    def update_kinesis_streaming_destination(self, ctx: RequestContext, table_name: str, stream_arn: str,
                                             update_kinesis_streaming_configuration: dict[str, Any] | None = None
                                             ) -> dict[str, Any]:
        table = self._table(ctx, table_name, detailed=True)
        current = table.kinesis_destinations.get(stream_arn)
        if current is None or current["status"] != "ACTIVE":
            raise DynamoValidation(f"Table {table.name} is not streaming to {stream_arn}")
        config = update_kinesis_streaming_configuration or {}
        precision = config.get("ApproximateCreationDateTimePrecision")
        if precision is None:
            raise DynamoValidation("UpdateKinesisStreamingConfiguration must specify "
                                   "ApproximateCreationDateTimePrecision")
        self._destinations(table, {**table.kinesis_destinations, stream_arn: {**current, "precision": precision}})
        return {"TableName": table.name, "StreamArn": stream_arn, "DestinationStatus": "UPDATING",
                "UpdateKinesisStreamingConfiguration": config}
