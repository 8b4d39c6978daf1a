"""`overcast events [<source> [<kind>]]`: sample events for Lambda's triggers, like `sam local
generate-event`. The templates are data (`overcast/sample_events/*.json`); this module lists them and
fills their placeholders from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from overcast import sample_events

#: Placeholders with a flag of their own; any other is set with `--set name=value`.
_FLAGS = ("region", "account", "bucket", "key", "body", "queue", "topic", "table", "stream", "function",
          "method", "path", "stage", "source", "detail_type", "log_group", "intent", "delivery_stream",
          "repository", "branch")


def add_events_command(sub: Any) -> None:
    parser = sub.add_parser("events", help="print a sample event for a Lambda trigger (list them with no argument)")
    parser.add_argument("source", nargs="?", help="the trigger: s3, sqs, apigateway... (none: list them)")
    parser.add_argument("kind", nargs="?", help="the kind of event (default: the source's first)")
    parser.add_argument("--list", action="store_true", help="list the source's kinds and placeholders")
    for name in _FLAGS:
        parser.add_argument(f"--{name.replace('_', '-')}", dest=f"ph_{name}", default=None, metavar="VALUE",
                            help=argparse.SUPPRESS if name not in ("region", "account", "bucket", "key", "body")
                            else f"the event's {name}")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="any placeholder (see `overcast events <source> --list`), repeatable")
    parser.add_argument("--compact", action="store_true", help="print the event on one line")
    parser.set_defaults(func=cmd_events)


def cmd_events(args: argparse.Namespace) -> int:
    try:
        if args.source is None:
            _print_sources()
            return 0
        if args.list:
            _print_kinds(args.source)
            return 0
        values = _values(args)
        event = sample_events.render(args.source, args.kind, values)
    except (sample_events.UnknownEvent, ValueError) as exc:
        print(f"overcast: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    print(json.dumps(event, separators=(",", ":")) if args.compact else json.dumps(event, indent=2))
    return 0


def _values(args: argparse.Namespace) -> dict[str, str]:
    known = sample_events.placeholders(args.source)
    values = {name: getattr(args, f"ph_{name}") for name in _FLAGS if getattr(args, f"ph_{name}") is not None}
    for item in args.set:
        name, sep, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name:
            raise ValueError(f"--set takes NAME=VALUE, not {item!r}")
        values[name] = value
    unused = sorted(set(values) - set(known))
    if unused:
        raise ValueError(f"{args.source} events have no placeholder {', '.join(unused)}; "
                         f"they have: {', '.join(sorted(known))}")
    return values


def _print_sources() -> None:
    print("sources and kinds (the first kind is the default):")
    for name, spec in sample_events.sources().items():
        print(f"  {name:<15} {', '.join(spec['kinds'])}")
    print("`overcast events <source> --list` describes a source and its placeholders")


def _print_kinds(name: str) -> None:
    spec = sample_events.source(name)
    print(f"{name}: {spec['description']}")
    print(f"  shapes from {spec['doc']}")
    for kind, entry in spec["kinds"].items():
        print(f"  {kind:<22} {entry['description']}")
    print("placeholders (defaults):")
    for key, value in sample_events.placeholders(name).items():
        flag = f"--{key.replace('_', '-')}" if key in _FLAGS else f"--set {key}=..."
        print(f"  {flag:<24} {value}")
