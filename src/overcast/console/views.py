"""The console's read-only views that no single AWS operation answers: the overview, functions
with their execution environments, and a function's recent invocations.

Every figure comes from the services' public operations (ListFunctions, ListQueues,
FilterLogEvents...) called in process through `calls.call`; only the execution environments (warm or
busy) come from the engine's pool, which no AWS operation shows.
"""

from __future__ import annotations

import re
from typing import Any

from overcast.console.calls import CallError, call, paged
from overcast.context import RequestContext
from overcast.gateway import Gateway
from overcast.status import environments

#: What the overview counts: (label, service, operation, items member, token in, token out).
COUNTED = (
    ("Functions", "lambda", "ListFunctions", "Functions", "Marker", "NextMarker"),
    ("Queues", "sqs", "ListQueues", "QueueUrls", "NextToken", "NextToken"),
    ("Tables", "dynamodb", "ListTables", "TableNames", "ExclusiveStartTableName", "LastEvaluatedTableName"),
    ("Streams", "kinesis", "ListStreams", "StreamNames", "ExclusiveStartStreamName", "_"),
    ("Topics", "sns", "ListTopics", "Topics", "NextToken", "NextToken"),
    ("Event buses", "events", "ListEventBuses", "EventBuses", "NextToken", "NextToken"),
    ("Rules", "events", "ListRules", "Rules", "NextToken", "NextToken"),
    ("REST APIs", "apigateway", "GetRestApis", "items", "position", "position"),
    ("HTTP APIs", "apigatewayv2", "GetApis", "Items", "NextToken", "NextToken"),
    ("Stacks", "cloudformation", "DescribeStacks", "Stacks", "NextToken", "NextToken"),
    ("Log groups", "logs", "DescribeLogGroups", "logGroups", "nextToken", "nextToken"),
    ("Buckets", "s3", "ListBuckets", "Buckets", "ContinuationToken", "ContinuationToken"),
)

_REPORT = re.compile(r"^REPORT RequestId: (\S+)\tDuration: ([0-9.]+) ms.*?(?:\tInit Duration: ([0-9.]+) ms)?"
                     r"(?:\tStatus: (\w+))?(?:\tError Type: (\S+))?")
_START = re.compile(r"^START RequestId: (\S+) Version: (\S+)")
_LINE_ID = re.compile(r"^\S+\t([0-9a-f-]{36})\t")
#: Lines an invocation writes when its handler fails: the runtime's error document, or its log line.
_ERROR_MARKS = ('"errorType"', "[ERROR]", "Task timed out", "Runtime.ExitError")


async def overview(gateway: Gateway, ctx: RequestContext) -> dict[str, Any]:
    """Counts of what exists, by service, and the latest failed invocations of every function."""
    functions = await paged(gateway, ctx, "lambda", "ListFunctions", "Functions", "Marker", "NextMarker")
    counts = []
    for label, service, operation, items, token_in, token_out in COUNTED:
        if service not in gateway.specs:
            continue
        found = functions if operation == "ListFunctions" else await paged(
            gateway, ctx, service, operation, items, token_in, token_out)
        counts.append({"label": label, "service": service, "count": len(found)})
    errors = []
    for function in functions:
        if not await _failed_lately(gateway, ctx, function["FunctionName"]):
            continue  # the usual case: one filtered read, no parsing
        for invocation in await invocations(gateway, ctx, function["FunctionName"], limit=20):
            if invocation["result"] != "success":
                errors.append({"function": function["FunctionName"], **invocation})
    errors.sort(key=lambda item: item.get("start") or 0, reverse=True)
    return {"account": ctx.account, "region": ctx.region, "counts": counts, "errors": errors[:20]}


async def functions(gateway: Gateway, ctx: RequestContext) -> list[dict[str, Any]]:
    """Every function's configuration (ListFunctions) with its execution environments."""
    found = await paged(gateway, ctx, "lambda", "ListFunctions", "Functions", "Marker", "NextMarker")
    envs = environments(gateway)
    for function in found:
        function["Environments"] = envs.get((ctx.account, ctx.region, function["FunctionName"]), {"warm": 0, "busy": 0})
    return found


async def function_urls(gateway: Gateway, ctx: RequestContext, limit: int = 10_000) -> list[dict[str, Any]]:
    """Every function URL (ListFunctions, then ListFunctionUrlConfigs of each function, in process:
    one page request instead of one browser round trip per function)."""
    found = []
    for function in await paged(gateway, ctx, "lambda", "ListFunctions", "Functions", "Marker", "NextMarker",
                                limit=limit):
        name = function["FunctionName"]
        for config in await paged(gateway, ctx, "lambda", "ListFunctionUrlConfigs", "FunctionUrlConfigs",
                                  "Marker", "NextMarker", {"FunctionName": name}):
            found.append({**config, "FunctionName": name})
    return found


async def _failed_lately(gateway: Gateway, ctx: RequestContext, function: str, window_ms: int = 3_600_000) -> bool:
    """Whether the function's log group has an error line in the window (a filter pattern of
    optional terms: any of them matches)."""
    marks = ("errorType", "[ERROR]", "Task timed out", "Runtime.ExitError", "Status: error", "Status: timeout")
    pattern = " ".join(f'?"{mark}"' for mark in marks)
    now_ms = int(gateway.platform.clock.now() * 1000)
    found = await paged(gateway, ctx, "logs", "FilterLogEvents", "events", "nextToken", "nextToken",
                        {"logGroupName": f"/aws/lambda/{function}", "startTime": now_ms - window_ms,
                         "filterPattern": pattern, "limit": 1}, limit=1)
    return bool(found)


async def invocations(gateway: Gateway, ctx: RequestContext, function: str, limit: int = 50,
                      window_ms: int = 3_600_000) -> list[dict[str, Any]]:
    """A function's latest invocations, newest first, read from its log group as Lambda writes it
    (START, the function's lines, END, REPORT with the duration and any `Status: error|timeout`).
    The last five minutes are read first, the whole window only when they hold fewer than `limit`."""
    found: list[dict[str, Any]] = []
    for window in (min(300_000, window_ms), window_ms):
        found = await _invocations_since(gateway, ctx, function, window)
        if len(found) >= limit:
            break
    return found[:limit]


async def _invocations_since(gateway: Gateway, ctx: RequestContext, function: str,
                             window_ms: int) -> list[dict[str, Any]]:
    now_ms = int(gateway.platform.clock.now() * 1000)
    try:
        events = await paged(gateway, ctx, "logs", "FilterLogEvents", "events", "nextToken", "nextToken",
                             {"logGroupName": f"/aws/lambda/{function}", "startTime": now_ms - window_ms},
                             limit=5000)
    except CallError:
        return []
    by_id: dict[str, dict[str, Any]] = {}
    current: dict[str, str] = {}  # log stream → the invocation it is writing
    for event in events:
        message, stream = event.get("message", ""), event.get("logStreamName", "")
        start = _START.match(message)
        if start:
            by_id[start.group(1)] = {"requestId": start.group(1), "version": start.group(2), "start": event["timestamp"],
                                     "logStream": stream, "result": "success", "logs": [message]}
            current[stream] = start.group(1)
            continue
        tagged = _LINE_ID.match(message)
        request_id = tagged.group(1) if tagged and tagged.group(1) in by_id else current.get(stream)
        invocation = by_id.get(request_id or "")
        if invocation is None:
            continue
        invocation["logs"].append(message)
        report = _REPORT.match(message)
        if report:
            invocation["durationMs"] = float(report.group(2))
            if report.group(3):
                invocation["initDurationMs"] = float(report.group(3))
            if report.group(4):
                invocation["result"] = report.group(4)
                invocation["errorType"] = report.group(5)
            current.pop(stream, None)
        elif invocation["result"] == "success" and any(mark in message for mark in _ERROR_MARKS):
            invocation["result"] = "error"
    return sorted(by_id.values(), key=lambda item: item["start"], reverse=True)


async def queues(gateway: Gateway, ctx: RequestContext) -> list[dict[str, Any]]:
    """Every queue with its depths and redrive settings (GetQueueAttributes All)."""
    found = []
    for url in await paged(gateway, ctx, "sqs", "ListQueues", "QueueUrls", "NextToken", "NextToken"):
        try:
            attributes = (await call(gateway, ctx, "sqs", "GetQueueAttributes",
                                     {"QueueUrl": url, "AttributeNames": ["All"]})).get("Attributes", {})
        except CallError:
            continue
        found.append({"QueueUrl": url, "Name": url.rsplit("/", 1)[-1], "Attributes": attributes})
    return found
