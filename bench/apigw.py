"""HTTP request → API Gateway (REST API, Lambda proxy) → Lambda → response, against a null ASGI app
on the same server stack and a warm direct Invoke, in the same run.

    PYTHONPATH=src python bench/apigw.py [--requests 2000] [--concurrency 1,8]

Also measures an HTTP API (payload 2.0) and a function URL. Target: per-request latency (p50, one
client at a time) within 2x of the null app's plus one warm Invoke's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common_apigw import NullServer, Stats
from overcast.testing import OvercastServer, create_function

HANDLER = """
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"ok": true}'}
"""


async def _drive(label: str, url: str, requests: int, concurrency: int) -> Stats:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        for _ in range(min(50, requests)):          # warm connections and environments
            (await client.get(url)).raise_for_status()
        queue = iter(range(requests))

        async def worker() -> None:
            for _ in queue:
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{label}: {response.status_code} {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return Stats(f"{label} (c={concurrency})", latencies, wall)


def _invoke_stats(lam, name: str, requests: int) -> Stats:
    for _ in range(20):
        lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()
    latencies = []
    started = time.perf_counter()
    for _ in range(requests):
        t0 = time.perf_counter()
        lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()
        latencies.append(time.perf_counter() - t0)
    return Stats("warm direct Invoke, boto3 (c=1)", latencies, time.perf_counter() - started)


def _setup(server: OvercastServer) -> tuple[str, str, str, str]:
    lam = server.client("lambda")
    apigw = server.client("apigateway")
    name = create_function(lam, HANDLER, MemorySize=256, Timeout=30)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"
    api = apigw.create_rest_api(name="bench")
    resource = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="{proxy+}")
    apigw.put_method(restApiId=api["id"], resourceId=resource["id"], httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=resource["id"], httpMethod="ANY", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=uri)
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    rest_url = f"{server.url}/restapis/{api['id']}/prod/_user_request_/items/1"
    http_api = server.client("apigatewayv2").create_api(Name="bench", ProtocolType="HTTP", Target=arn)
    http_url = f"{http_api['ApiEndpoint']}/items/1"
    fn_url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"] + "items/1"
    return name, rest_url, http_url, fn_url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", default="1,8")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    with OvercastServer(in_memory=True) as server, NullServer() as null_url:
        name, rest_url, http_url, fn_url = _setup(server)
        invoke = _invoke_stats(server.client("lambda"), name, min(args.requests, 1000))
        results: dict[int, dict[str, Stats]] = {}
        for concurrency in levels:
            results[concurrency] = {
                "null": asyncio.run(_drive("null ASGI app", null_url, args.requests, concurrency)),
                "rest": asyncio.run(_drive("REST API → Lambda proxy", rest_url, args.requests, concurrency)),
                "http": asyncio.run(_drive("HTTP API (payload 2.0) → Lambda", http_url, args.requests, concurrency)),
                "url": asyncio.run(_drive("function URL → Lambda", fn_url, args.requests, concurrency)),
            }
    print(invoke.line())
    for concurrency, runs in results.items():
        for stats in runs.values():
            print(stats.line())
        budget = runs["null"].p50 + invoke.p50
        for key in ("rest", "http", "url"):
            print(f"  c={concurrency} {key}: p50 / (null p50 + Invoke p50) = {runs[key].p50 / budget:.2f}x "
                  f"(target ≤ 2x); req/s vs null = {runs[key].rps / runs['null'].rps:.2f}")


if __name__ == "__main__":
    main()
