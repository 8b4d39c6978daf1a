"""Enhanced fan-out consumers: registered, described, listed and deregistered (their
SubscribeToShard is api_subscribe.py)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.kinesis import tokens
from overcast.services.kinesis.api_streams import StreamOperations
from overcast.services.kinesis.errors import InvalidArgument, LimitExceeded, ResourceInUse, ResourceNotFound
from overcast.services.kinesis.streams import TRANSITION_SECONDS, Stream

#: "You can register up to 20 consumers per data stream."
MAX_CONSUMERS = 20


class ConsumerOperations(StreamOperations):
    def _consumer_rows(self, stream: Stream) -> list[Any]:
        now = self.platform.clock.now()
        rows = self.platform.db.query("SELECT * FROM kinesis_consumers WHERE stream_id=? ORDER BY created, name",
                                      (stream.id,))
        return [r for r in rows if not (r["status"] == "DELETING" and r["status_until"] <= now)]

    def _consumer(self, row: Any, stream: Stream, full: bool = False) -> dict[str, Any]:
        status = row["status"]
        if status == "CREATING" and row["status_until"] <= self.platform.clock.now():
            status = "ACTIVE"
        out = {"ConsumerName": row["name"], "ConsumerARN": row["arn"], "ConsumerStatus": status,
               "ConsumerCreationTimestamp": row["created"]}
        if full:
            out["StreamARN"] = stream.arn
        return out

    def _find(self, ctx: RequestContext, stream_arn: str | None, consumer_name: str | None,
              consumer_arn: str | None) -> tuple[Stream, Any]:
        if consumer_arn:
            stream_part, _, rest = consumer_arn.partition("/consumer/")
            stream = self._stream(ctx, None, stream_part)
            name = rest.rsplit(":", 1)[0]
            missing = f"Consumer {consumer_arn} under account {stream.account} not found."
        elif stream_arn and consumer_name:
            stream = self._stream(ctx, None, stream_arn)
            name = consumer_name
            missing = f"Consumer {consumer_name} under stream {stream.arn} not found."
        else:
            raise InvalidArgument("Either ConsumerARN or both StreamARN and ConsumerName must be provided.")
        row = next((r for r in self._consumer_rows(stream) if r["name"] == name
                    and (not consumer_arn or r["arn"] == consumer_arn)), None)
        if row is None:
            raise ResourceNotFound(missing)
        return stream, row

    def register_stream_consumer(self, ctx: RequestContext, stream_arn: str, consumer_name: str,
                                 tags: dict[str, str] | None = None, **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, None, stream_arn)
        rows = self._consumer_rows(stream)
        if any(r["name"] == consumer_name for r in rows):
            raise ResourceInUse(f"Consumer {consumer_name} under stream {stream.arn} already exists.")
        if len(rows) >= MAX_CONSUMERS:
            raise LimitExceeded(f"Consumer limit of {MAX_CONSUMERS} reached for stream {stream.arn}.")
        clock = self.platform.clock
        created = float(int(clock.now()))
        arn = f"{stream.arn}/consumer/{consumer_name}:{int(created)}"
        self.platform.db.execute("DELETE FROM kinesis_consumers WHERE stream_id=? AND name=?", (stream.id, consumer_name))
        self.platform.db.execute(
            "INSERT INTO kinesis_consumers(stream_id, name, arn, created, status, status_until, tags) "
            "VALUES (?, ?, ?, ?, 'CREATING', ?, ?)",
            (stream.id, consumer_name, arn, created, clock.later(TRANSITION_SECONDS), "{}"),
        )
        row = self.platform.db.query_one("SELECT * FROM kinesis_consumers WHERE stream_id=? AND name=?",
                                         (stream.id, consumer_name))
        return {"Consumer": self._consumer(row, stream)}

    def describe_stream_consumer(self, ctx: RequestContext, stream_arn: str | None = None,
                                 consumer_name: str | None = None, consumer_arn: str | None = None,
                                 **_: Any) -> dict[str, Any]:
        stream, row = self._find(ctx, stream_arn, consumer_name, consumer_arn)
        return {"ConsumerDescription": self._consumer(row, stream, full=True)}

    def list_stream_consumers(self, ctx: RequestContext, stream_arn: str, next_token: str | None = None,
                              max_results: int | None = None, **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, None, stream_arn)
        rows = self._consumer_rows(stream)
        start = int(tokens.decode_page(next_token).get("offset", 0)) if next_token else 0  # type: ignore[call-overload]
        size = min(max_results or 100, 100)
        out: dict[str, Any] = {"Consumers": [self._consumer(r, stream) for r in rows[start:start + size]]}
        if start + size < len(rows):
            out["NextToken"] = tokens.encode_page({"offset": start + size})
        return out

    def deregister_stream_consumer(self, ctx: RequestContext, stream_arn: str | None = None,
                                   consumer_name: str | None = None, consumer_arn: str | None = None,
                                   **_: Any) -> dict[str, Any]:
        stream, row = self._find(ctx, stream_arn, consumer_name, consumer_arn)
        self.platform.db.execute(
            "UPDATE kinesis_consumers SET status='DELETING', status_until=? WHERE stream_id=? AND name=?",
            (self.platform.clock.later(TRANSITION_SECONDS), stream.id, row["name"]),
        )
        return {}
