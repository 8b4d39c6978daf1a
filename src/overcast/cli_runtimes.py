"""`overcast runtimes`: what each Lambda runtime family needs on this machine, and
`overcast runtimes install node` to pre-install the AWS SDK for JavaScript (CI images)."""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import Any

from overcast.execution import node_sdk, runtimes


def cmd_runtimes(args: argparse.Namespace) -> int:
    if args.action == "install":
        return _install(args.family)
    return _status()


def _install(family: str) -> int:
    if family != "node":
        print(f"overcast: nothing to install for {family}", file=sys.stderr)
        return 2
    try:
        node, major = runtimes.node_binary()
    except runtimes.RuntimeUnavailable as exc:
        print(f"overcast: {exc}", file=sys.stderr)
        return 1
    print(f"installing the AWS SDK for JavaScript v3 into {node_sdk.cache_root()} (node {major} at {node})...",
          flush=True)
    try:
        where = node_sdk.install()
    except (node_sdk.SdkUnavailable, OSError) as exc:
        print(f"overcast: the AWS SDK for JavaScript could not be installed: {exc}", file=sys.stderr)
        return 1
    print(f"installed: {where}")
    return 0


def _status() -> int:
    print("python: runs on this interpreter (" + sys.version.split()[0] + ")")
    try:
        node, major = runtimes.node_binary()
        sdk = "installed" if node_sdk.installed() else "not installed yet (overcast runtimes install node)"
        print(f"node: {node} (version {major}); AWS SDK for JavaScript v3: {sdk}")
    except runtimes.RuntimeUnavailable as exc:
        print(f"node: unavailable: {exc}")
    print(f"provided: the function's bootstrap (curl for shell bootstraps: {shutil.which('curl') or 'missing'})")
    return 0


def add_runtimes_command(sub: Any) -> None:
    parser = sub.add_parser("runtimes", help="Lambda runtimes on this machine; pre-install what they need")
    parser.add_argument("action", nargs="?", choices=("status", "install"), default="status")
    parser.add_argument("family", nargs="?", default="node", help="the runtime family to install for (node)")
    parser.set_defaults(func=cmd_runtimes)
