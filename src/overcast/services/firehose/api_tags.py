"""TagDeliveryStream, UntagDeliveryStream, ListTagsForDeliveryStream: at most 50 tags a stream
([AWS](https://docs.aws.amazon.com/firehose/latest/dev/firehose-tagging.html))."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.firehose.errors import LimitExceeded
from overcast.services.firehose.models import DeliveryStreams

MAX_TAGS = 50


class TagOperations:
    """Mixed into `FirehoseApi`: uses its `streams` and `db`."""

    streams: DeliveryStreams
    db: Any

    def tag_delivery_stream(self, ctx: RequestContext, delivery_stream_name: str,
                            tags: list[dict[str, str]]) -> dict[str, Any]:
        with self.db.tx():
            stream = self.streams.get(ctx.account, ctx.region, delivery_stream_name)
            merged = {**stream.tags, **{t["Key"]: t.get("Value", "") for t in tags}}
            if len(merged) > MAX_TAGS:
                raise LimitExceeded(f"Number of tags exceeds the limit of {MAX_TAGS} for delivery stream "
                                    f"{delivery_stream_name}.")
            stream.tags = merged
            self.streams.save(stream)
        return {}

    def untag_delivery_stream(self, ctx: RequestContext, delivery_stream_name: str,
                              tag_keys: list[str]) -> dict[str, Any]:
        with self.db.tx():
            stream = self.streams.get(ctx.account, ctx.region, delivery_stream_name)
            stream.tags = {k: v for k, v in stream.tags.items() if k not in tag_keys}
            self.streams.save(stream)
        return {}

    def list_tags_for_delivery_stream(self, ctx: RequestContext, delivery_stream_name: str,
                                      exclusive_start_tag_key: str | None = None,
                                      limit: int | None = None) -> dict[str, Any]:
        stream = self.streams.get(ctx.account, ctx.region, delivery_stream_name)
        keys = sorted(stream.tags)
        if exclusive_start_tag_key:
            keys = [k for k in keys if k > exclusive_start_tag_key]
        size = limit or 50
        return {"Tags": [{"Key": k, "Value": stream.tags[k]} for k in keys[:size]], "HasMoreTags": len(keys) > size}
