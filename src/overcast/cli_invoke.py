"""`overcast invoke <function> [--event FILE|-] [--type RequestResponse|Event] [--qualifier Q]`:
call a function through Lambda's Invoke API on a running overcast, like `sam local invoke`.

A synchronous call asks for the function's log tail (`LogType=Tail`, the last 4 KB of what the
invocation logged, as Lambda returns it) and prints it to stderr, then the result to stdout, so the
result can be piped. A function error (`X-Amz-Function-Error`) is named on stderr and the exit status
is 1. An asynchronous call (`Event`) prints that the event was queued (Lambda answers 202).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path
from typing import Any

from overcast import cli_client

#: Lambda's largest synchronous timeout is 900 s; the client waits a little longer than that.
_READ_TIMEOUT = 960


def add_invoke_command(sub: Any) -> None:
    parser = sub.add_parser("invoke", help="invoke a Lambda function and print its result and log lines")
    parser.add_argument("function", help="function name, ARN or partial ARN")
    parser.add_argument("--event", "-e", default=None,
                        help="a JSON file holding the event, or - to read it from stdin (default {})")
    parser.add_argument("--type", dest="invocation_type", choices=("RequestResponse", "Event"),
                        default="RequestResponse", help="synchronous (default) or asynchronous")
    parser.add_argument("--qualifier", "-q", default=None, help="a version or alias")
    parser.add_argument("--no-logs", action="store_true", help="do not print the function's log lines")
    cli_client.add_endpoint_options(parser)
    parser.set_defaults(func=cmd_invoke)


def read_event(source: str | None) -> bytes:
    """The event's bytes: `{}` by default, stdin for `-`, else a file; ValueError names what is wrong."""
    if source is None:
        return b"{}"
    if source == "-":
        data = sys.stdin.buffer.read()
        where = "stdin"
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ValueError(f"event file {source} does not exist") from None
        except OSError as exc:
            raise ValueError(f"event file {source} cannot be read: {exc.strerror}") from None
        where = source
    try:
        json.loads(data or b"null")
    except ValueError as exc:
        raise ValueError(f"the event in {where} is not JSON: {exc}") from None
    return data


def cmd_invoke(args: argparse.Namespace) -> int:
    try:
        payload = read_event(args.event)
    except ValueError as exc:
        print(f"overcast: {exc}", file=sys.stderr)
        return 2
    from botocore.exceptions import ClientError, EndpointConnectionError

    lam = cli_client.client("lambda", args, read_timeout=_READ_TIMEOUT)
    params: dict[str, Any] = {"FunctionName": args.function, "Payload": payload,
                              "InvocationType": args.invocation_type}
    if args.qualifier:
        params["Qualifier"] = args.qualifier
    if args.invocation_type == "RequestResponse" and not args.no_logs:
        params["LogType"] = "Tail"
    try:
        response = lam.invoke(**params)
    except EndpointConnectionError:
        return cli_client.unreachable(cli_client.endpoint(args))
    except ClientError as exc:
        error = exc.response.get("Error", {})
        print(f"overcast: {error.get('Code', 'Error')}: {error.get('Message') or exc}", file=sys.stderr)
        return 1
    return _report(response, args)


def _report(response: dict[str, Any], args: argparse.Namespace) -> int:
    if args.invocation_type == "Event":
        print(f"overcast: event queued for {args.function} (StatusCode {response['StatusCode']}); "
              f"`overcast logs {args.function}` shows the invocation", file=sys.stderr)
        return 0
    tail = response.get("LogResult")
    if tail:
        sys.stderr.write(base64.b64decode(tail).decode("utf-8", "replace"))
        sys.stderr.flush()
    body = response["Payload"].read()
    sys.stdout.write(body.decode("utf-8", "replace") + "\n")
    sys.stdout.flush()
    kind = response.get("FunctionError")
    if kind:
        print(f"overcast: {args.function} failed ({kind}): {_summary(body)}", file=sys.stderr)
        return 1
    return 0


def _summary(body: bytes) -> str:
    """`errorType: errorMessage` of a Lambda error document (the raw body when it is not one)."""
    try:
        document = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")[:200]
    if isinstance(document, dict) and ("errorType" in document or "errorMessage" in document):
        return f"{document.get('errorType', 'Error')}: {document.get('errorMessage', '')}"
    return json.dumps(document)[:200]
