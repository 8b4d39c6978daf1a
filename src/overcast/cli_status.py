"""`overcast status [--json]`: what a running overcast has deployed and running, read from its
`GET /_overcast/resources` admin route and printed as one table per kind of resource."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from typing import Any

from overcast import cli_client

#: (title, key in the view, columns: (heading, how to read a row))
_SECTIONS: list[tuple[str, str, list[tuple[str, Any]]]] = [
    ("STACKS", "stacks", [("NAME", "name"), ("STATUS", "status"), ("REGION", "region")]),
    ("FUNCTIONS", "functions", [
        ("NAME", "name"), ("RUNTIME", "runtime"), ("MEMORY", "memory"), ("STATE", "state"),
        ("WARM", lambda row: row["environments"]["warm"]), ("BUSY", lambda row: row["environments"]["busy"]),
        ("REGION", "region")]),
    ("QUEUES", "queues", [("NAME", "name"), ("VISIBLE", "visible"), ("IN FLIGHT", "in_flight"),
                          ("DELAYED", "delayed"), ("REGION", "region")]),
    ("TABLES", "tables", [("NAME", "name"), ("ITEMS", "items"), ("STATUS", "status"), ("REGION", "region")]),
    ("APIS", "apis", [("NAME", "name"), ("TYPE", "type"), ("URL", lambda row: " ".join(row["urls"]) or "-"),
                      ("REGION", "region")]),
    ("EVENT SOURCE MAPPINGS", "mappings", [
        ("FUNCTION", "function"), ("SOURCE", lambda row: (row["source"] or "").split(":", 5)[-1]),
        ("STATE", "state"), ("LAST RESULT", "last_result"), ("REGION", "region")]),
    ("STATE MACHINES", "state_machines", [("NAME", "name"), ("TYPE", "type"), ("RUNNING", "running"),
                                          ("REGION", "region")]),
    ("PIPES", "pipes", [("NAME", "name"), ("STATE", "state"), ("SOURCE", lambda row: _short(row["source"])),
                        ("TARGET", lambda row: _short(row["target"])), ("REGION", "region")]),
    ("SCHEDULES", "schedules", [("NAME", "name"), ("GROUP", "group"), ("STATE", "state"),
                                ("TARGET", lambda row: _short(row["target"])), ("REGION", "region")]),
]


def _short(arn: str | None) -> str:
    """An ARN without its partition, service, region and account (`stateMachine:orders`)."""
    return (arn or "").split(":", 5)[-1]


def add_status_command(sub: Any) -> None:
    parser = sub.add_parser("status", help="what is deployed and running: stacks, functions, queues, tables, "
                                           "APIs, mappings, state machines, pipes, schedules")
    parser.add_argument("--json", action="store_true", help="print the JSON of GET /_overcast/resources")
    parser.add_argument("--endpoint-url", default=None,
                        help="overcast's URL (default http://localhost:$OVERCAST_PORT, port 4566)")
    parser.set_defaults(func=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    url = cli_client.endpoint(args).rstrip("/")
    try:
        with urllib.request.urlopen(f"{url}/_overcast/resources", timeout=60) as response:
            view = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        print(f"overcast: {url} answered {exc.code} to /_overcast/resources (is it an overcast?)", file=sys.stderr)
        return 1
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return cli_client.unreachable(url)
    if args.json:
        print(json.dumps(view, indent=2))
        return 0
    print(render(view, url))
    return 0


def render(view: dict[str, list[dict[str, Any]]], url: str) -> str:
    """The readable tables of a resources view (sections with nothing in them are one line)."""
    blocks = []
    for title, key, columns in _SECTIONS:
        rows = view.get(key, [])
        if not rows:
            blocks.append(f"{title}: none")
            continue
        cells = [[_cell(row, how) for _, how in columns] for row in rows]
        headings = [heading for heading, _ in columns]
        widths = [max(len(line[i]) for line in [headings, *cells]) for i in range(len(columns))]
        lines = [f"{title} ({len(rows)})"]
        for line in [headings, *cells]:
            lines.append("  " + "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip())
        blocks.append("\n".join(lines))
    return f"overcast at {url}\n\n" + "\n\n".join(blocks)


def _cell(row: dict[str, Any], how: Any) -> str:
    value = how(row) if callable(how) else row.get(how)
    return "-" if value is None or value == "" else str(value)
