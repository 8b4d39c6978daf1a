"""S3 PutObject benchmark.

- 1 KB PutObject with boto3: overcast vs the null server (same client, same HTTP stack), p50/p90.
- 100 MB PutObject: overcast's throughput vs writing the same bytes straight to a file on the same disk
  (write + flush), and vs MD5 of the bytes alone (S3's ETag: every PutObject must hash its body),
  measured in the same run; with a raw streaming HTTP PUT (what the server costs) and with boto3
  (which also hashes and signs the body on the client).

Run: PYTHONPATH=src python bench/s3.py [--runs 300] [--big-mb 100]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.common_s3 import NullServer, measure, ratio
from overcast.testing import OvercastServer

MB = 1024 * 1024


def _client(url: str):  # type: ignore[no-untyped-def]
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def small_puts(overcast: OvercastServer, null: NullServer, runs: int) -> None:
    body = os.urandom(1024)
    real, fake = _client(overcast.url), _client(null.url)
    real.create_bucket(Bucket="bench")
    ours = measure(lambda i: real.put_object(Bucket="bench", Key=f"small/{i}", Body=body), runs)
    base = measure(lambda i: fake.put_object(Bucket="bench", Key=f"small/{i}", Body=body), runs)
    print(f"PutObject 1 KB (boto3)  p50 {ours.p50 * 1000:7.2f} ms  p90 {ours.p90 * 1000:7.2f} ms | "
          f"null server p50 {base.p50 * 1000:6.2f} ms  p90 {base.p90 * 1000:6.2f} ms | "
          f"ratio p50 {ratio(ours.p50, base.p50)}")


def _chunks(data: bytes, size: int = MB):  # type: ignore[no-untyped-def]
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


def big_puts(overcast: OvercastServer, null: NullServer, size_mb: int, runs: int) -> None:
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
    real, fake = _client(overcast.url), _client(null.url)

    def boto(client, key: str) -> float:  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        client.put_object(Bucket="bench", Key=key, Body=data)
        return time.perf_counter() - start

    ours_boto = min(boto(real, f"big/boto{i}") for i in range(runs))
    null_boto = min(boto(fake, f"big/boto{i}") for i in range(runs))

    def rate(seconds: float) -> str:
        return f"{size_mb / seconds:7.0f} MB/s ({seconds * 1000:6.0f} ms)"

    print(f"raw disk write {size_mb} MB (write+flush)         {rate(disk)}")
    print(f"MD5 of {size_mb} MB alone (S3's ETag, one core)    {rate(md5)}")
    print(f"PutObject {size_mb} MB raw HTTP PUT  overcast {rate(ours_raw)} | null server {rate(null_raw)} | "
          f"overcast vs disk {ratio(disk, ours_raw)} of disk speed")
    print(f"PutObject {size_mb} MB boto3         overcast {rate(ours_boto)} | null server {rate(null_boto)} | "
          f"ratio to null {ratio(ours_boto, null_boto)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--big-mb", type=int, default=100)
    parser.add_argument("--big-runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, OvercastServer(Path(tmp)) as overcast, NullServer() as null:
        small_puts(overcast, null, args.runs)
        big_puts(overcast, null, args.big_mb, args.big_runs)


if __name__ == "__main__":
    main()
