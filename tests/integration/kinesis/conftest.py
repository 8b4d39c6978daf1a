"""Kinesis test helpers: a client, and streams created under unique names and waited for."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest


def unique(prefix: str = "stream") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def wait_active(kinesis: Any, name: str) -> None:
    """boto3's own waiter, polled quickly (AWS's default delay is 10 s)."""
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.02, "MaxAttempts": 500})


def read_all(kinesis: Any, name: str, shard_id: str, iterator_type: str = "TRIM_HORIZON", **kwargs: Any) -> list[Any]:
    """Every record of a shard, following NextShardIterator until the response is empty or null."""
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType=iterator_type,
                                          **kwargs)["ShardIterator"]
    records: list[Any] = []
    while iterator:
        response = kinesis.get_records(ShardIterator=iterator)
        records.extend(response["Records"])
        if not response["Records"]:
            break
        iterator = response.get("NextShardIterator")
    return records


@pytest.fixture
def kinesis(overcast_server: Any) -> Any:
    return overcast_server.client("kinesis")


@pytest.fixture
def make_stream(kinesis: Any) -> Callable[..., str]:
    def make(shards: int = 1, name: str | None = None, **kwargs: Any) -> str:
        name = name or unique()
        if "StreamModeDetails" not in kwargs:
            kwargs["ShardCount"] = shards
        kinesis.create_stream(StreamName=name, **kwargs)
        wait_active(kinesis, name)
        return name

    return make
