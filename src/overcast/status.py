"""What is deployed and running, for `GET /_overcast/resources` and `overcast status`: stacks,
functions with their execution environments (warm or busy), queues with their depths, tables with
their item counts, APIs (REST and HTTP APIs, function URLs) with their URLs, event source
mappings with their state, state machines with their running executions, pipes and schedules.

Every figure comes from the services' own public operations (DescribeStacks, ListFunctions,
GetQueueAttributes, DescribeTable, GetRestApis, GetApis, ListFunctionUrlConfigs,
ListEventSourceMappings, ListStateMachines, ListExecutions, ListPipes, ListSchedules...), called in
process once for each account and region that holds something, so the view reads what an AWS client
would; only the environments come from the engine's pool, which no AWS operation shows.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from overcast.context import RequestContext
from overcast.gateway import Gateway
from overcast.invocation.sync import Invoker
from overcast.reads import read, read_pages

#: Tables whose rows name an account and a region: the scopes that hold anything worth listing.
_SCOPED_TABLES = ("cfn_stacks", "lambda_functions", "lambda_esm", "sqs_queues", "ddb_tables",
                  "apigateway_docs", "apigatewayv2_docs", "sfn_machines", "pipes", "scheduler_schedules")
#: the kinds of resource, in the order `overcast status` prints them
KINDS = ("stacks", "functions", "queues", "tables", "apis", "mappings", "state_machines", "pipes", "schedules")


async def snapshot(gateway: Gateway, endpoint: str) -> dict[str, list[dict[str, Any]]]:
    """Everything deployed, in every account and region; `endpoint` is the base URL for the URLs handed back."""
    view: dict[str, list[dict[str, Any]]] = {key: [] for key in KINDS}
    envs = environments(gateway)
    for account, region in _scopes(gateway):
        ctx = RequestContext(account=account, region=region, endpoint=endpoint, service="overcast")
        scope = {"account": account, "region": region}
        view["stacks"] += [{**scope, **item} for item in await _stacks(gateway, ctx)]
        view["functions"] += [{**scope, **item, "environments": envs.get((account, region, item["name"]),
                                                                         {"warm": 0, "busy": 0})}
                              for item in await _functions(gateway, ctx)]
        view["queues"] += [{**scope, **item} for item in await _queues(gateway, ctx)]
        view["tables"] += [{**scope, **item} for item in await _tables(gateway, ctx)]
        view["apis"] += [{**scope, **item} for item in await _apis(gateway, ctx)]
        view["apis"] += [{**scope, **item} for item in await _function_urls(gateway, ctx, view["functions"])]
        view["mappings"] += [{**scope, **item} for item in await _mappings(gateway, ctx)]
        view["state_machines"] += [{**scope, **item} for item in await _state_machines(gateway, ctx)]
        view["pipes"] += [{**scope, **item} for item in await _pipes(gateway, ctx)]
        view["schedules"] += [{**scope, **item} for item in await _schedules(gateway, ctx)]
    return view


def _scopes(gateway: Gateway) -> list[tuple[str, str]]:
    union = " UNION ".join(f"SELECT account, region FROM {table}" for table in _SCOPED_TABLES)
    rows = gateway.platform.db.query(f"SELECT DISTINCT account, region FROM ({union}) ORDER BY account, region")
    return [(row[0], row[1]) for row in rows]


def environments(gateway: Gateway) -> dict[tuple[str, str, str], dict[str, int]]:
    """(account, region, function) → how many of its environments are idle (warm) and busy."""
    counts: Counter[tuple[str, str, str, bool]] = Counter()
    for env in gateway.platform.component(Invoker).pool.environments:
        if not env.alive:
            continue
        variables = env.spec.variables
        key_parts = env.spec.key.split(":")
        account = key_parts[4] if len(key_parts) > 4 else ""
        counts[(account, variables.get("AWS_REGION", ""), variables.get("AWS_LAMBDA_FUNCTION_NAME", ""), env.busy)] += 1
    found: dict[tuple[str, str, str], dict[str, int]] = {}
    for (account, region, name, busy), count in counts.items():
        entry = found.setdefault((account, region, name), {"warm": 0, "busy": 0})
        entry["busy" if busy else "warm"] += count
    return found


async def _stacks(gateway: Gateway, ctx: RequestContext) -> list[dict[str, Any]]:
    stacks = await read_pages(gateway, "cloudformation", "describe_stacks", ctx, "Stacks", "next_token", "NextToken")
    return [{"name": s["StackName"], "status": s["StackStatus"],
             "outputs": {o["OutputKey"]: o.get("OutputValue") for o in s.get("Outputs", [])}} for s in stacks]


async def _functions(gateway: Gateway, ctx: RequestContext) -> list[dict[str, Any]]:
    functions = await read_pages(gateway, "lambda", "list_functions", ctx, "Functions", "marker", "NextMarker")
    return [{"name": f["FunctionName"], "runtime": f.get("Runtime") or f.get("PackageType", ""),
             "memory": f.get("MemorySize"), "timeout": f.get("Timeout"), "state": f.get("State", "Active")}
            for f in functions]


async def _queues(gateway: Gateway, ctx: RequestContext) -> list[dict[str, Any]]:
    urls = await read_pages(gateway, "sqs", "list_queues", ctx, "QueueUrls", "next_token", "NextToken")
    found = []
    for url in urls:
        attributes = (await read(gateway, "sqs", "get_queue_attributes", ctx, queue_url=url, attribute_names=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"])).get("Attributes")
        if attributes is None:
            continue
        found.append({"name": str(url).rsplit("/", 1)[-1], "url": url,
                      "visible": int(attributes["ApproximateNumberOfMessages"]),
                      "in_flight": int(attributes["ApproximateNumberOfMessagesNotVisible"]),
                      "delayed": int(attributes["ApproximateNumberOfMessagesDelayed"])})
    return found


async def _tables(gateway: Gateway, ctx: RequestContext) -> list[dict[str, Any]]:
    names = await read_pages(gateway, "dynamodb", "list_tables", ctx, "TableNames", "exclusive_start_table_name",
                         "LastEvaluatedTableName")
    found = []
    for name in names:
        table = (await read(gateway, "dynamodb", "describe_table", ctx, table_name=name)).get("Table")
        if table is not None:
            found.append({"name": name, "status": table.get("TableStatus"), "items": table.get("ItemCount", 0),
                          "stream": table.get("LatestStreamArn")})
    return found


async def _apis(gateway: Gateway, ctx: RequestContext) -> list[dict[str, Any]]:
    found = []
    for api in (await read(gateway, "apigateway", "get_rest_apis", ctx)).get("items", []):
        stages = (await read(gateway, "apigateway", "get_stages", ctx, rest_api_id=api["id"])).get("item", [])
        urls = [f"{ctx.endpoint}/restapis/{api['id']}/{s['stageName']}/_user_request_/" for s in stages]
        found.append({"id": api["id"], "name": api.get("name"), "type": "REST", "urls": sorted(urls)})
    for api in await read_pages(gateway, "apigatewayv2", "get_apis", ctx, "Items", "next_token", "NextToken"):
        stages = await read_pages(gateway, "apigatewayv2", "get_stages", ctx, "Items", "next_token", "NextToken",
                              api_id=api["ApiId"])
        urls = [api["ApiEndpoint"] + ("" if s["StageName"] == "$default" else f"/{s['StageName']}")
                for s in stages]
        found.append({"id": api["ApiId"], "name": api.get("Name"), "type": api.get("ProtocolType", "HTTP"),
                      "urls": sorted(urls)})
    return found


async def _function_urls(gateway: Gateway, ctx: RequestContext,
                         functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Function URLs (of the function and its aliases), as APIs of type `URL`."""
    found = []
    for function in functions:
        if (function["account"], function["region"]) != (ctx.account, ctx.region):
            continue
        configs = await read_pages(gateway, "lambda", "list_function_url_configs", ctx, "FunctionUrlConfigs", "marker",
                               "NextMarker", function_name=function["name"])
        for config in configs:
            qualifier = config["FunctionArn"].split(":function:", 1)[-1]
            found.append({"id": config["FunctionUrl"].rstrip("/").rsplit("/", 1)[-1], "name": qualifier,
                          "type": "URL", "urls": [config["FunctionUrl"]]})
    return found


async def _mappings(gateway: Gateway, ctx: RequestContext) -> list[dict[str, Any]]:
    mappings = await read_pages(gateway, "lambda", "list_event_source_mappings", ctx, "EventSourceMappings", "marker",
                            "NextMarker")
    return [{"uuid": m["UUID"], "function": m.get("FunctionArn", "").rsplit(":function:", 1)[-1],
             "source": m.get("EventSourceArn"), "state": m.get("State"),
             "last_result": m.get("LastProcessingResult")} for m in mappings]


async def _state_machines(gateway: Gateway, ctx: RequestContext) -> list[dict[str, Any]]:
    machines = await read_pages(gateway, "stepfunctions", "list_state_machines", ctx, "stateMachines", "next_token",
                                "nextToken")
    found = []
    for machine in machines:
        running: Any = "-"
        if machine["type"] == "STANDARD":  # AWS lists no EXPRESS executions
            running = len(await read_pages(gateway, "stepfunctions", "list_executions", ctx, "executions",
                                           "next_token", "nextToken", state_machine_arn=machine["stateMachineArn"],
                                           status_filter="RUNNING"))
        found.append({"name": machine["name"], "type": machine["type"], "arn": machine["stateMachineArn"],
                      "running": running})
    return found


async def _pipes(gateway: Gateway, ctx: RequestContext) -> list[dict[str, Any]]:
    pipes = await read_pages(gateway, "pipes", "list_pipes", ctx, "Pipes", "next_token", "NextToken")
    return [{"name": p["Name"], "state": p.get("CurrentState"), "source": p.get("Source"), "target": p.get("Target")}
            for p in pipes]


async def _schedules(gateway: Gateway, ctx: RequestContext) -> list[dict[str, Any]]:
    schedules = await read_pages(gateway, "scheduler", "list_schedules", ctx, "Schedules", "next_token", "NextToken")
    return [{"name": s["Name"], "group": s.get("GroupName"), "state": s.get("State"),
             "target": (s.get("Target") or {}).get("Arn")} for s in schedules]
