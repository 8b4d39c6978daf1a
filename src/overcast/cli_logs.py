"""`overcast logs <function> [--follow] [--since 10m]`: a function's log events, read through the
CloudWatch Logs API of a running overcast (log group `/aws/lambda/<function>`), like `aws logs tail`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

from overcast import cli_client

_SINCE = re.compile(r"^(\d+)([smhdw])$")
_UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def add_logs_command(sub: Any) -> None:
    parser = sub.add_parser("logs", help="print a Lambda function's logs (log group /aws/lambda/<function>)")
    parser.add_argument("function", help="function name (or a log group name starting with '/')")
    parser.add_argument("--follow", "-f", action="store_true", help="keep printing new events until Ctrl-C")
    parser.add_argument("--since", default="10m", help="how far back to start: 30s, 10m, 2h, 1d, 1w (default 10m)")
    parser.add_argument("--filter-pattern", default=None, help="a CloudWatch Logs filter pattern")
    parser.add_argument("--format", choices=["detailed", "short"], default="detailed",
                        help="detailed: timestamp, stream and message; short: timestamp and message")
    cli_client.add_endpoint_options(parser)
    parser.add_argument("--poll-interval", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.set_defaults(func=cmd_logs)


def parse_since(text: str) -> int:
    """`10m` → milliseconds; ValueError for anything else."""
    match = _SINCE.match(text.strip())
    if not match:
        raise ValueError(f"invalid --since {text!r}: use a number and a unit, like 30s, 10m, 2h, 1d or 1w")
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


def log_group_for(function: str) -> str:
    if function.startswith("/"):
        return function
    name = function.split(":function:", 1)[1].split(":", 1)[0] if ":function:" in function else function
    return f"/aws/lambda/{name}"


def cmd_logs(args: argparse.Namespace) -> int:
    try:
        since_ms = parse_since(args.since)
    except ValueError as exc:
        print(f"overcast: {exc}", file=sys.stderr)
        return 2
    client = _client(args)
    group = log_group_for(args.function)
    start = int(time.time() * 1000) - since_ms
    from botocore.exceptions import ClientError, EndpointConnectionError

    try:
        return _print_events(client, group, start, args)
    except EndpointConnectionError:
        return cli_client.unreachable(cli_client.endpoint(args))
    except ClientError as exc:
        print(f"overcast: {exc.response['Error'].get('Message') or exc}", file=sys.stderr)
        return 1


def _client(args: argparse.Namespace, service: str = "logs") -> Any:
    return cli_client.client(service, args)


def _print_events(client: Any, group: str, start: int, args: argparse.Namespace) -> int:
    """Print events from `start` on; with --follow poll for new ones (skipping those already shown)."""
    seen: set[str] = set()
    printed = 0
    waiting_said = False
    since = start
    while True:
        try:
            for event in _events(client, group, start, args.filter_pattern):
                if event["eventId"] in seen:
                    continue
                if event["timestamp"] > start:
                    start, seen = event["timestamp"], set()
                seen.add(event["eventId"])
                print(_format(event, args.format), flush=True)
                printed += 1
        except client.exceptions.ResourceNotFoundException:
            if not waiting_said:
                status = _missing_group(args, group)
                if status is not None and (not args.follow or status != 0):
                    return status
                waiting_said = True  # with --follow, wait for the first invocation
        if not args.follow:
            if not printed:
                _explain_empty(client, group, since, args)
            return 0
        time.sleep(args.poll_interval)


def _missing_group(args: argparse.Namespace, group: str) -> int | None:
    """Say why a log group is missing: a function that has not run yet (0), one that does not exist (1),
    or a log group that does not exist (1)."""
    if args.function.startswith("/"):
        if args.follow:
            print(f"overcast: waiting for log group {group} to exist (Ctrl-C to stop)", file=sys.stderr, flush=True)
            return None
        print(f"overcast: log group {group} does not exist", file=sys.stderr)
        return 1
    from botocore.exceptions import ClientError

    name = group.removeprefix("/aws/lambda/")
    try:
        _client(args, "lambda").get_function(FunctionName=args.function)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        print(f"overcast: function {name} does not exist (and there is no log group {group})", file=sys.stderr)
        return 1
    waiting = "; waiting for it to run (Ctrl-C to stop)" if args.follow else ""
    print(f"overcast: {name} has not run yet: Lambda creates its log group {group} at its first invocation "
          f"(`overcast invoke {name}` runs it){waiting}", file=sys.stderr, flush=True)
    return 0


def _explain_empty(client: Any, group: str, since: int, args: argparse.Namespace) -> None:
    """Nothing in the window: say so, and how far back the latest event is."""
    matching = f" matching {args.filter_pattern!r}" if args.filter_pattern else ""
    streams = client.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True,
                                          limit=1)["logStreams"]
    latest = streams[0].get("lastEventTimestamp") if streams else None
    if latest is None:
        print(f"overcast: {group} has no log events yet", file=sys.stderr)
        return
    window = f"no log events{matching} in {group} in the last {args.since}"
    if latest >= since:
        print(f"overcast: {window}", file=sys.stderr)
        return
    age_ms = int(time.time() * 1000) - latest
    moment = dt.datetime.fromtimestamp(latest / 1000, dt.UTC).isoformat(timespec="seconds")
    print(f"overcast: {window}; the latest event is from {moment} ({_age(age_ms)} ago): "
          f"widen the window with --since {_wider(age_ms)}", file=sys.stderr)


def _age(ms: int) -> str:
    for unit in ("w", "d", "h", "m"):
        if ms >= _UNIT_MS[unit]:
            return f"{ms // _UNIT_MS[unit]}{unit}"
    return f"{max(ms // 1000, 1)}s"


def _wider(ms: int) -> str:
    """A --since value that reaches `ms` back: the next whole unit up."""
    for unit in ("m", "h", "d", "w"):
        count = -(-ms // _UNIT_MS[unit])
        if count <= {"m": 59, "h": 23, "d": 6, "w": 10**6}[unit]:
            return f"{count + (1 if unit == 'm' else 0)}{unit}"
    return "1w"


def _events(client: Any, group: str, start: int, pattern: str | None) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {"logGroupName": group, "startTime": start}
    if pattern:
        kwargs["filterPattern"] = pattern
    while True:
        page = client.filter_log_events(**kwargs)
        yield from page["events"]
        if not page.get("nextToken"):
            return
        kwargs["nextToken"] = page["nextToken"]


def _format(event: dict[str, Any], style: str) -> str:
    moment = dt.datetime.fromtimestamp(event["timestamp"] / 1000, dt.UTC).isoformat(timespec="milliseconds")
    message = event["message"].rstrip("\n")
    if style == "short":
        return f"{moment} {message}"
    return f"{moment} {event['logStreamName']} {message}"
