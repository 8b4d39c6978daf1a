"""The AWS CLI against overcast's Kinesis: create-stream, put-record, get-shard-iterator, get-records.

On its own server with AWS's real timers: each CLI command is a new Python process taking seconds
on a busy machine, longer than an iterator's 5 minutes last at the session's time scale."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from overcast.testing import OvercastServer
from tests.integration.kinesis.conftest import unique, wait_active


@pytest.fixture(scope="module")
def real_time_server():
    with OvercastServer(time_scale=1.0) as server:
        yield server


def aws(server, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.url, "kinesis", *args],
                         env=server.aws_cli_env(), capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout) if out.stdout.strip() else {}


def test_cli_create_put_and_get(real_time_server):
    overcast_server = real_time_server
    name = unique()
    aws(overcast_server, "create-stream", "--stream-name", name, "--shard-count", "1")
    wait_active(overcast_server.client("kinesis"), name)
    put = aws(overcast_server, "put-record", "--stream-name", name, "--partition-key", "user-1",
              "--data", "hello from the cli")
    assert put["ShardId"] == "shardId-000000000000" and len(put["SequenceNumber"]) == 56
    iterator = aws(overcast_server, "get-shard-iterator", "--stream-name", name, "--shard-id", put["ShardId"],
                   "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
    got = aws(overcast_server, "get-records", "--shard-iterator", iterator)
    [record] = got["Records"]
    assert base64.b64decode(record["Data"]) == b"hello from the cli"
    assert record["SequenceNumber"] == put["SequenceNumber"] and record["PartitionKey"] == "user-1"
    assert got["MillisBehindLatest"] == 0 and got["NextShardIterator"]
