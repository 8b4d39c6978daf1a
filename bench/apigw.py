"""HTTP request → API Gateway (REST API, Lambda proxy) → Lambda → response, against a null ASGI app
on the same server stack and a warm direct Invoke, in the same run, in interleaved rounds.

    PYTHONPATH=src python -m bench.apigw [--requests 2000] [--rounds 5] [--concurrency 1,8]

Also measures an HTTP API (payload 2.0) and a function URL. Target (issue 8): per-request latency
(p50) within 2x of the null app's plus one warm Invoke's.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx

from bench.common import (
    Stats,
    Summary,
    banner,
    client,
    footer,
    interleave,
    null_server,
    report,
    report_calls,
    warm_invokes,
)
from overcast.testing import OvercastServer, create_function

HANDLER = """
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"ok": true}'}
"""
PATHS = {"rest": "REST API → Lambda proxy", "http": "HTTP API (payload 2.0) → Lambda", "url": "function URL → Lambda"}


async def _drive(url: str, requests: int, concurrency: int) -> Stats:
    """`requests` GETs of `url` from `concurrency` clients at once (after a few to warm up)."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        for _ in range(min(10, requests)):          # warm connections and environments
            (await http.get(url)).raise_for_status()
        queue = iter(range(requests))

        async def worker() -> None:
            for _ in queue:
                started = time.perf_counter()
                response = await http.get(url)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return Stats(tuple(latencies), time.perf_counter() - started)


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
    parser.add_argument("--requests", type=int, default=2000, help="requests per path and level, over all rounds")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", default="1,8")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    per_round = max(1, args.requests // args.rounds)
    banner("API Gateway, HTTP API and function URL → Lambda vs a null ASGI app and a warm Invoke")
    with OvercastServer(in_memory=True) as server, \
            null_server(200, [("Content-Type", "application/json")], b'{"ok": true}') as null:
        name, rest_url, http_url, fn_url = _setup(server)
        lam = client("lambda", server.url)
        urls = {"null": f"{null.url}/", "rest": rest_url, "http": http_url, "url": fn_url}
        for concurrency in levels:
            series = {key: (lambda url=url, c=concurrency: asyncio.run(_drive(url, per_round, c)))
                      for key, url in urls.items()}
            results = interleave({"invoke": lambda: warm_invokes(lam, name, per_round, 5), **series}, args.rounds)
            _print(concurrency, results)
    footer()


def _print(concurrency: int, results: dict[str, Summary]) -> None:
    null, invoke = results["null"], results["invoke"]
    report("warm direct Invoke, boto3 (c=1, between rounds), p50", invoke.p50)
    for key, label in PATHS.items():
        report_calls(f"{label} (c={concurrency})", results[key], null, "null app")
    for key in PATHS:
        report(f"  {key} (c={concurrency}) p50, target ≤ 2x", results[key].p50, null.p50 + invoke.p50,
               baseline_name="null app + Invoke")


if __name__ == "__main__":
    main()
