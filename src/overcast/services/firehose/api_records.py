"""PutRecord and PutRecordBatch
([AWS](https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html)): a record
is at most 1,000 KiB (the model's limit, checked by the protocol layer), a batch at most 500 records
and 4 MiB. Records are committed to the stream's buffer before the call answers."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.firehose.errors import InvalidArgument
from overcast.services.firehose.models import DeliveryStream, DeliveryStreams

MAX_BATCH_BYTES = 4 * 1024 * 1024
KINESIS_SOURCE = "KinesisStreamAsSource"


class RecordOperations:
    """Mixed into `FirehoseApi`: uses its `streams` and `db`."""

    streams: DeliveryStreams
    db: Any

    def put_record(self, ctx: RequestContext, delivery_stream_name: str, record: dict[str, Any]) -> dict[str, Any]:
        stream = self._writable(ctx, delivery_stream_name)
        with self.db.tx():
            record_id = self.streams.buffer(stream, [record["Data"]])[0]
        return {"RecordId": record_id, "Encrypted": _encrypted(stream)}

    def put_record_batch(self, ctx: RequestContext, delivery_stream_name: str,
                         records: list[dict[str, Any]]) -> dict[str, Any]:
        stream = self._writable(ctx, delivery_stream_name)
        total = sum(len(r["Data"]) for r in records)
        if total > MAX_BATCH_BYTES:
            raise InvalidArgument(f"Records size exceeds 4 MB limit: {total} bytes.")
        with self.db.tx():
            ids = self.streams.buffer(stream, [r["Data"] for r in records])
        return {"FailedPutCount": 0, "Encrypted": _encrypted(stream),
                "RequestResponses": [{"RecordId": rid} for rid in ids]}

    def _writable(self, ctx: RequestContext, name: str) -> DeliveryStream:
        stream = self.streams.get(ctx.account, ctx.region, name)
        if stream.kind == KINESIS_SOURCE:
            raise InvalidArgument("This operation is not permitted on KinesisStreamAsSource delivery stream "
                                  "type.")
        return stream


def _encrypted(stream: DeliveryStream) -> bool:
    return (stream.doc.get("DeliveryStreamEncryptionConfiguration") or {}).get("Status") == "ENABLED"
