"""Pipes' input transformation: `InputTemplate` with `<$.path>` placeholders and reserved variables
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html).

A placeholder inside quotes inserts the value as text (escaped for the string it is in); one outside
quotes inserts the value as JSON. A result that is valid JSON becomes that JSON value; any other
result is free text. Encoded fields (SQS `body`, Kinesis `data`) are parsed when they hold JSON,
so paths reach inside them (AWS's implicit body data parsing)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from typing import Any

PLACEHOLDER = re.compile(r"<(\$(?:\.[A-Za-z0-9_\-/*]+|\[\d+\])*|aws\.pipes\.[a-z.\-]+)>")
_STEP = re.compile(r"\.([A-Za-z0-9_\-/*]+)|\[(\d+)\]")
MISSING = object()


def decoded(event: Any) -> Any:
    """The event with its encoded field parsed when it holds JSON (SQS `body`, Kinesis `data`)."""
    if not isinstance(event, dict):
        return event
    out = dict(event)
    if isinstance(out.get("body"), str):
        out["body"] = _json_or(out["body"])
    if isinstance(out.get("data"), str) and out.get("eventSource") == "aws:kinesis":
        try:
            out["data"] = _json_or(base64.b64decode(out["data"], validate=True).decode())
        except (binascii.Error, UnicodeDecodeError):
            pass
    return out


def _json_or(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, dict | list) else text


def path(event: Any, expression: str) -> Any:
    """The value at `$.a.b[0]` in `event` (MISSING when there is none)."""
    value = decoded(event)
    for name, index in _STEP.findall(expression[1:]):
        if name:
            value = value.get(name, MISSING) if isinstance(value, dict) else MISSING
        else:
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else MISSING
        if value is MISSING:
            return MISSING
    return value


def dynamic(value: Any, event: Any) -> Any:
    """A target parameter that may be a dynamic path (`$.body.orderId`): its value in the event."""
    if isinstance(value, str) and value.startswith("$."):
        found = path(event, value)
        return None if found is MISSING else (found if isinstance(found, str) else json.dumps(found))
    return value


def render(template: str, event: Any, pipe: dict[str, Any], ingestion: float) -> Any:
    """The event as `template` shapes it: a JSON value, or text. A template that is one placeholder
    is that value; one that is not JSON-shaped (free text) takes text values as they are."""
    whole = PLACEHOLDER.fullmatch(template.strip())
    if whole:
        value = _value(whole.group(1), event, pipe, ingestion)
        return None if value is MISSING else value
    free_text = not template.lstrip().startswith(("{", "[", '"'))
    out: list[str] = []
    last = 0
    for match in PLACEHOLDER.finditer(template):
        out.append(template[last:match.start()])
        last = match.end()
        value = _value(match.group(1), event, pipe, ingestion)
        if free_text:
            out.append(value if isinstance(value, str) else ("" if value is MISSING else json.dumps(value)))
        elif _in_string(template, match.start()):
            text = value if isinstance(value, str) else ("" if value is MISSING else json.dumps(value))
            out.append(json.dumps(text)[1:-1])
        else:
            out.append("null" if value is MISSING else json.dumps(value))
    out.append(template[last:])
    result = "".join(out)
    if free_text:
        return result
    try:
        return json.loads(result)
    except ValueError:
        return result


def _in_string(template: str, position: int) -> bool:
    """Whether `position` lies inside a JSON string literal of the template."""
    inside, escaped = False, False
    for char in template[:position]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            inside = not inside
    return inside


def _value(name: str, event: Any, pipe: dict[str, Any], ingestion: float) -> Any:
    if name.startswith("$"):
        return path(event, name)
    reserved = {
        "aws.pipes.pipe-arn": pipe.get("Arn"),
        "aws.pipes.pipe-name": pipe.get("Name"),
        "aws.pipes.source-arn": pipe.get("Source"),
        "aws.pipes.enrichment-arn": pipe.get("Enrichment") or "",
        "aws.pipes.target-arn": pipe.get("Target"),
        "aws.pipes.event.ingestion-time": dt.datetime.fromtimestamp(ingestion, dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.") + f"{int(ingestion * 1000) % 1000:03d}Z",
        "aws.pipes.event": event,
        "aws.pipes.event.json": decoded(event),
    }
    return reserved.get(name, MISSING)
