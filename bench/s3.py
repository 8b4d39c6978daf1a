"""S3 PutObject benchmark.

- 1 KB PutObject with boto3: overcast vs the null server (same client, same HTTP stack), p50/p99,
  in interleaved rounds.
- 100 MB PutObject: overcast's throughput vs writing the same bytes straight to a file on the same disk
  (write + flush), and vs MD5 of the bytes alone (S3's ETag: every PutObject must hash its body),
  measured in the same run; with a raw streaming HTTP PUT (what the server costs) and with boto3
  (which also hashes and signs the body on the client).

    PYTHONPATH=src python -m bench.s3 [--runs 500] [--big-mb 100] [--big-runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.common import ServerProcess, banner, client, compare, footer, null_server, report, report_calls
from overcast.testing import OvercastServer

MB = 1024 * 1024
#: what the null server answers (the headers botocore reads from a PutObject result)
CANNED_HEADERS = (("ETag", '"d41d8cd98f00b204e9800998ecf8427e"'), ("Content-Type", "application/xml"),
                  ("x-amz-request-id", "0000000000000000"))


def small_puts(overcast: OvercastServer, null: ServerProcess, runs: int, rounds: int) -> None:
    body = os.urandom(1024)
    real, fake = client("s3", overcast.url), client("s3", null.url)
    real.create_bucket(Bucket="bench")
    keys = itertools.count()

    def put(s3: Any) -> None:
        s3.put_object(Bucket="bench", Key=f"small/{next(keys)}", Body=body)

    stats = compare({"overcast": lambda: put(real), "null": lambda: put(fake)}, n=max(1, runs // rounds),
                    rounds=rounds, warmup=10)
    report_calls("PutObject 1 KB (boto3)", stats["overcast"], stats["null"])


def _chunks(data: bytes, size: int = MB) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def _disk_write(directory: Path, data: bytes) -> float:
    """Seconds to write `data` to a new file in `directory` the way the blob store does (1 MiB writes,
    flush; no fsync, as with the default OVERCAST_SQLITE_SYNC=NORMAL)."""
    path = directory / f"raw-{uuid.uuid4().hex}"
    start = time.perf_counter()
    with open(path, "xb") as file:
        for chunk in _chunks(data):
            file.write(chunk)
        file.flush()
    elapsed = time.perf_counter() - start
    path.unlink()
    return elapsed


def _md5(data: bytes) -> float:
    start = time.perf_counter()
    hashlib.md5(data).digest()
    return time.perf_counter() - start


def big_puts(overcast: OvercastServer, null: ServerProcess, size_mb: int, runs: int) -> None:
    data = os.urandom(size_mb * MB)
    disk_dir = overcast.data_dir / "state"
    disk = min(_disk_write(disk_dir, data) for _ in range(runs))
    md5 = min(_md5(data) for _ in range(runs))
    with httpx.Client(timeout=300) as http:
        def raw(url: str, key: str) -> float:
            start = time.perf_counter()
            response = http.put(f"{url}/bench/{key}", content=_chunks(data),
                                headers={"Content-Length": str(len(data))})
            response.raise_for_status()
            return time.perf_counter() - start

        ours_raw = min(raw(overcast.url, f"big/raw{i}") for i in range(runs))
        null_raw = min(raw(null.url, f"big/raw{i}") for i in range(runs))
    real, fake = client("s3", overcast.url), client("s3", null.url)

    def boto(s3: Any, key: str) -> float:
        start = time.perf_counter()
        s3.put_object(Bucket="bench", Key=key, Body=data)
        return time.perf_counter() - start

    ours_boto = min(boto(real, f"big/boto{i}") for i in range(runs))
    null_boto = min(boto(fake, f"big/boto{i}") for i in range(runs))

    def rate(name: str, seconds: float, baseline: float, baseline_name: str) -> None:
        report(name, size_mb / seconds, size_mb / baseline, unit="MB/s", baseline_name=baseline_name)

    rate(f"PutObject {size_mb} MB, raw HTTP PUT", ours_raw, disk, "disk write")
    rate(f"PutObject {size_mb} MB, raw HTTP PUT", ours_raw, md5, "MD5 alone")
    rate(f"PutObject {size_mb} MB, raw HTTP PUT", ours_raw, null_raw, "null server")
    rate(f"PutObject {size_mb} MB, boto3", ours_boto, null_boto, "null server")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500, help="1 KB puts per figure, over all rounds")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--big-mb", type=int, default=100)
    parser.add_argument("--big-runs", type=int, default=3, help="large puts of each kind (the best counts)")
    args = parser.parse_args()
    banner("S3 PutObject vs the null server, disk writes and MD5")
    with tempfile.TemporaryDirectory() as tmp, OvercastServer(Path(tmp)) as overcast, \
            null_server(200, CANNED_HEADERS) as null:
        small_puts(overcast, null, args.runs, args.rounds)
        big_puts(overcast, null, args.big_mb, args.big_runs)
    footer()


if __name__ == "__main__":
    main()
