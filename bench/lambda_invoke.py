"""Lambda synchronous invocation with boto3: warm Invoke against overcast vs the same boto3 Invoke
against the null server answering a canned Invoke response; cold starts; memory per warm environment.

    PYTHONPATH=src python bench/lambda_invoke.py [--calls 1000]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common_simple import NullServer, per_call, report

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"
SLEEPER = "import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return 1\n"


def _canned(scope: dict, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    return 200, [("content-type", "application/json"), ("x-amzn-requestid", "r"),
                 ("x-amz-executed-version", "$LATEST")], b'{"ok": true}'


def _client(url: str):  # type: ignore[no-untyped-def]
    import boto3
    from botocore.config import Config

    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, read_timeout=60,
                                                                    max_pool_connections=32))


def interleaved(ours: Callable[[], None], base: Callable[[], None], calls: int, rounds: int = 10) -> tuple[dict, dict]:
    a: list[dict] = []
    b: list[dict] = []
    for _ in range(rounds):
        a.append(per_call(ours, calls // rounds, warmup=10))
        b.append(per_call(base, calls // rounds, warmup=10))
    merge = lambda parts: {k: statistics.median(p[k] for p in parts) for k in parts[0]}  # noqa: E731
    return merge(a), merge(b)


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--environments", type=int, default=8)
    args = parser.parse_args()
    from overcast.testing import OvercastServer, zip_handler

    with NullServer(_canned) as null, OvercastServer() as server:
        lam = _client(server.url)
        base = _client(null.url)
        lam.create_function(FunctionName="warm", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                            Handler="handler.handler", Code={"ZipFile": zip_handler(HANDLER)})
        lam.invoke(FunctionName="warm", Payload=b"{}")

        def ours() -> None:
            lam.invoke(FunctionName="warm", Payload=b'{"n": 1}')["Payload"].read()

        def null_call() -> None:
            base.invoke(FunctionName="warm", Payload=b'{"n": 1}')["Payload"].read()

        mine, theirs = interleaved(ours, null_call, args.calls)
        print(report("Invoke (warm, sync)", mine, theirs))
        print(f"  warm invokes/s, one client thread: {1000 / mine['mean']:.0f}")

        # throughput with 4 client threads
        done = 0
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for _ in pool.map(lambda _: ours(), range(args.calls)):
                done += 1
        print(f"  warm invokes/s, four client threads: {done / (time.perf_counter() - start):.0f}")

        # cold start: first response of a new environment, right after CreateFunction
        colds = []
        inits = []
        for i in range(10):
            name = f"cold{i}"
            lam.create_function(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                                Handler="handler.handler", Code={"ZipFile": zip_handler(HANDLER)})
            t0 = time.perf_counter()
            out = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
            colds.append((time.perf_counter() - t0) * 1000)
            import base64

            tail = base64.b64decode(out["LogResult"]).decode()
            inits.append(float(tail.split("Init Duration: ")[1].split(" ms")[0]))
        print(f"cold start (CreateFunction then first Invoke): median {statistics.median(colds):.1f} ms end to end "
              f"| Init Duration median {statistics.median(inits):.1f} ms | warm Invoke p50 {mine['p50']:.2f} ms")

        # memory per warm environment: N concurrent invocations need N environments
        lam.create_function(FunctionName="mem", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                            Handler="handler.handler", Code={"ZipFile": zip_handler(SLEEPER)})
        with concurrent.futures.ThreadPoolExecutor(args.environments) as pool:
            list(pool.map(lambda _: lam.invoke(FunctionName="mem", Payload=b'{"sleep": 1}'),
                          range(args.environments)))
        assert server.process is not None
        zygotes = [pid for pid in _children(server.process.pid) if "zygote" in Path(f"/proc/{pid}/cmdline").read_text()]
        envs = [pid for z in zygotes for pid in _children(z)]
        pss = [_pss_kb(pid) for pid in envs]
        rss = [_rss_kb(pid) for pid in envs]
        print(f"warm environments: {len(envs)} | PSS per environment median {statistics.median(pss) / 1024:.1f} MB "
              f"(RSS {statistics.median(rss) / 1024:.1f} MB, shared with the zygote by fork) "
              f"| {100 * 1024 / statistics.median(pss):.1f} environments per 100 MB "
              f"| zygote PSS {_pss_kb(zygotes[0]) / 1024:.1f} MB")


if __name__ == "__main__":
    main()
