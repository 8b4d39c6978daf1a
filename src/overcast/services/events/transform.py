"""What a target receives: the event, a constant `Input`, an `InputPath` selection or an
`InputTransformer` rendering (AWS's rules, docs/aws-behaviour.md#target-input):

* JSONPath (`$.detail.instance-id`, `$.resources[0]`, `$['detail']['a b']`, `$.detail.items[*]`)
  selects from the event; a path that leads nowhere creates no variable;
* in the template, a placeholder outside a JSON string becomes the value as JSON (a string gets
  its quotes), inside a string the raw text of the value (not escaped, as AWS does);
* placeholders for undefined variables stay as written; a defined variable whose path led nowhere
  becomes nothing inside a string and `null` outside one;
* predefined variables: `aws.events.rule-arn`, `aws.events.rule-name`,
  `aws.events.event.ingestion-time`, `aws.events.event` (the event without `detail`) and
  `aws.events.event.json` (the whole event);
* JSON output is minified.
"""

from __future__ import annotations

import json
import re
from typing import Any

MISSING = object()
RESERVED = ("aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time",
            "aws.events.event", "aws.events.event.json")

_SEGMENT = re.compile(r"""\.(\*|[^.\[\]]+)|\[\s*(\*|-?\d+|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*\]""")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


def parse_path(path: str) -> list[str | int] | None:
    """The steps of a JSONPath (`*` for a wildcard), None when it is not one."""
    text = path.strip()
    if not text.startswith("$"):
        return None
    steps: list[str | int] = []
    pos = 1
    while pos < len(text):
        match = _SEGMENT.match(text, pos)
        if match is None:
            return None
        name, index = match.group(1), match.group(2)
        if name is not None:
            steps.append(name)
        elif index == "*":
            steps.append("*")
        elif index[0] in "'\"":
            steps.append(re.sub(r"\\(.)", r"\1", index[1:-1]))
        else:
            steps.append(int(index))
        pos = match.end()
    return steps


def select(document: Any, path: str) -> Any:
    """The value at `path` (a list when the path has a wildcard), MISSING when there is none."""
    steps = parse_path(path)
    if steps is None:
        return MISSING
    values = [document]
    for step in steps:
        values = [found for value in values for found in _step(value, step)]
        if not values:
            return MISSING
    return values if "*" in steps else values[0]


def _step(value: Any, step: str | int) -> list[Any]:
    if step == "*":
        if isinstance(value, dict):
            return list(value.values())
        return list(value) if isinstance(value, list) else []
    if isinstance(step, int):
        if isinstance(value, list) and -len(value) <= step < len(value):
            return [value[step]]
        return []
    if isinstance(value, dict) and step in value:
        return [value[step]]
    return []


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def render_template(template: str, variables: dict[str, Any]) -> str:
    """Fill `<name>` placeholders of an InputTemplate (AWS's quoting rules, module docstring)."""
    out: list[str] = []
    in_string = False
    pos = 0
    while pos < len(template):
        ch = template[pos]
        if ch == "\\" and in_string:
            out.append(template[pos:pos + 2])
            pos += 2
            continue
        if ch == '"':
            in_string = not in_string
        elif ch == "<":
            match = _PLACEHOLDER.match(template, pos)
            if match and match.group(1) in variables:
                out.append(_placeholder(variables[match.group(1)], in_string))
                pos = match.end()
                continue
        out.append(ch)
        pos += 1
    rendered = "".join(out)
    try:
        return compact(json.loads(rendered))
    except ValueError:
        return rendered


def _placeholder(value: Any, in_string: bool) -> str:
    if value is MISSING:
        return "" if in_string else "null"
    if in_string and isinstance(value, str):
        return value
    return compact(value)


def target_input(target: dict[str, Any], event: dict[str, Any], event_json: str, *, rule_arn: str,
                 rule_name: str, ingestion_time: str) -> str:
    """The payload `target` receives for `event`."""
    if "Input" in target:
        return str(target["Input"])
    if "InputPath" in target:
        value = select(event, target["InputPath"])
        return "null" if value is MISSING else compact(value)
    transformer = target.get("InputTransformer")
    if not transformer:
        return event_json
    variables: dict[str, Any] = {
        "aws.events.rule-arn": rule_arn,
        "aws.events.rule-name": rule_name,
        "aws.events.event.ingestion-time": ingestion_time,
        "aws.events.event": {k: v for k, v in event.items() if k != "detail"},
        "aws.events.event.json": event,
    }
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        variables[name] = select(event, path)
    return render_template(transformer["InputTemplate"], variables)
