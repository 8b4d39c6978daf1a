"""`overcast logs <function> [--follow] [--since 10m]`: a function's log events, read through the
CloudWatch Logs API of a running overcast (log group `/aws/lambda/<function>`), like `aws logs tail`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

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
    parser.add_argument("--endpoint-url", default=None,
                        help="overcast's URL (default http://localhost:$OVERCAST_PORT, port 4566)")
    parser.add_argument("--region", default=None, help="region (default $AWS_DEFAULT_REGION or us-east-1)")
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
        print(f"overcast: cannot reach {client.meta.endpoint_url} (is `overcast up` running?)", file=sys.stderr)
        return 2
    except ClientError as exc:
        print(f"overcast: {exc.response['Error'].get('Message') or exc}", file=sys.stderr)
        return 1


def _client(args: argparse.Namespace) -> Any:
    import boto3
    from botocore.config import Config

    endpoint = args.endpoint_url or f"http://localhost:{os.environ.get('OVERCAST_PORT', '4566')}"
    region = args.region or os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"
    return boto3.client(
        "logs", endpoint_url=endpoint, region_name=region,
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60),
    )


def _print_events(client: Any, group: str, start: int, args: argparse.Namespace) -> int:
    """Print events from `start` on; with --follow poll for new ones (skipping those already shown)."""
    seen: set[str] = set()
    said_waiting = False
    while True:
        try:
            for event in _events(client, group, start, args.filter_pattern):
                if event["eventId"] in seen:
                    continue
                if event["timestamp"] > start:
                    start, seen = event["timestamp"], set()
                seen.add(event["eventId"])
                print(_format(event, args.format), flush=True)
        except client.exceptions.ResourceNotFoundException:
            if not args.follow:  # the function has not logged yet; with --follow, wait for it
                print(f"overcast: log group {group} does not exist", file=sys.stderr)
                return 1
            if not said_waiting:
                print(f"overcast: waiting for log group {group} to exist (Ctrl-C to stop)", file=sys.stderr, flush=True)
                said_waiting = True
        if not args.follow:
            return 0
        time.sleep(args.poll_interval)


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
