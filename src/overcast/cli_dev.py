"""The developer's loop on the command line (docs/debugging.md):

    overcast debug <function> [--port N] [--wait]    its environments run under a debugger
    overcast debug <function> --off                   back to normal
    overcast debug                                    which functions are being debugged

It talks to a running overcast through `/_overcast/lambda-debug/` (services/lambda_/debug_route.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from overcast import cli_client


def add_debug_command(sub: Any) -> None:
    parser = sub.add_parser("debug", help="run a Lambda function's environments under a debugger "
                                          "(debugpy for Python, the inspector for Node.js)")
    parser.add_argument("function", nargs="?", help="function name or ARN (none: list the functions being debugged)")
    parser.add_argument("--port", type=int, default=None,
                        help="port the debugger listens on (default 5678 for Python, 9229 for Node.js)")
    parser.add_argument("--wait", action="store_true", help="each new environment waits for a debugger to attach "
                                                             "before it loads the handler")
    parser.add_argument("--off", action="store_true", help="stop debugging the function")
    cli_client.add_endpoint_options(parser)
    parser.set_defaults(func=cmd_debug)


class Unreachable(RuntimeError):
    """No overcast answers at the endpoint."""


def _url(args: argparse.Namespace) -> str:
    path = "/_overcast/lambda-debug"
    if args.function:
        path += "/" + urllib.parse.quote(args.function, safe="")
    return f"{cli_client.endpoint(args).rstrip('/')}{path}?region={urllib.parse.quote(cli_client.region(args))}"


def _call(url: str, method: str, body: dict[str, Any] | None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("message") or exc.reason
        except ValueError:
            message = exc.reason
        raise RuntimeError(str(message)) from None
    except (urllib.error.URLError, OSError):
        raise Unreachable(url.split("/_overcast")[0]) from None


def cmd_debug(args: argparse.Namespace) -> int:
    if args.port is not None and not 1 <= args.port <= 65535:
        print(f"overcast: --port must be from 1 to 65535, got {args.port}", file=sys.stderr)
        return 2
    if not args.function and (args.off or args.wait or args.port):
        print("overcast: name the function to debug: overcast debug <function> [--port N] [--wait]", file=sys.stderr)
        return 2
    try:
        if not args.function:
            listed = _call(_url(args), "GET", None)["Functions"]
            for view in listed:
                print(_describe(view))
            if not listed:
                print("no function is being debugged (overcast debug <function> [--port N] [--wait])")
            return 0
        if args.off:
            view = _call(_url(args), "DELETE", None)
        else:
            view = _call(_url(args), "PUT", {"Port": args.port, "Wait": args.wait})
    except Unreachable as exc:
        return cli_client.unreachable(str(exc))
    except RuntimeError as exc:
        print(f"overcast: {exc}", file=sys.stderr)
        return 1
    print(_describe(view))
    return 0


def _describe(view: dict[str, Any]) -> str:
    name = view["FunctionName"]
    if not view.get("Debugging"):
        return f"{name}: not debugged; new environments run normally"
    tool = "the Node.js inspector" if str(view.get("Runtime") or "").startswith("nodejs") else "debugpy"
    waiting = "; each new environment waits for a debugger to attach" if view.get("Wait") else ""
    return (f"{name}: new environments listen for a debugger ({tool}) on 127.0.0.1:{view['Port']}{waiting}; "
            "its timeout is lifted while one is attached")
