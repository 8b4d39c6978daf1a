"""`overcast console [--open]`: print (and open) the URL of the web console a running overcast serves."""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request
import webbrowser

from overcast.cli_client import add_endpoint_options, endpoint

PATH = "/_overcast/console/"


def add_console_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("console", help="print the web console's URL (--open: open it in a browser)")
    add_endpoint_options(parser)
    parser.add_argument("--open", action="store_true", help="open the console in the default web browser")
    parser.set_defaults(func=cmd_console)


def console_url(args: argparse.Namespace) -> str:
    """The console's address on the overcast named by `--endpoint-url` (a `--region` picks its region)."""
    url = endpoint(args).rstrip("/") + PATH
    return f"{url}?region={args.region}" if getattr(args, "region", None) else url


def cmd_console(args: argparse.Namespace) -> int:
    url = console_url(args)
    print(url, flush=True)
    try:
        with urllib.request.urlopen(endpoint(args).rstrip("/") + "/_overcast/health", timeout=3):
            pass
    except (urllib.error.URLError, OSError):
        print(f"overcast: nothing answers at {endpoint(args)} yet (start it with `overcast up`)", file=sys.stderr)
    if args.open and not webbrowser.open(url):
        print("overcast: no web browser could be opened; open the URL above", file=sys.stderr)
        return 1
    return 0
