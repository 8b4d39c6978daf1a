"""The embedded metric format: a function's log line that carries `_aws.CloudWatchMetrics` becomes
metrics, as CloudWatch does for Lambda's logs; the line also stays in the log.

Spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
A valid line is a JSON object whose `_aws` member holds `Timestamp` (epoch milliseconds) and
`CloudWatchMetrics`, a list of directives: `Namespace`, `Dimensions` (a list of dimension sets, each a
list of up to 30 member names whose values are strings) and `Metrics` (up to 100 of `Name`, optional
`Unit` and `StorageResolution` 1 or 60). Each metric's value is the root member of its name: a number
or a list of up to 100 numbers. Every dimension set of a directive gets every metric of it. A line
that breaks the spec is only a log line (CloudWatch Logs reports it and extracts nothing).

Powertools' Metrics (Python) prints the object as the whole line; Node.js runtimes print
`time\\trequest id\\tLEVEL\\t{...}` through console.log, so the JSON may follow such a prefix.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from overcast.metrics import MetricsRecorder

MARK = '"_aws"'
MAX_DIMENSIONS = 30
MAX_METRICS = 100
MAX_VALUES = 100
UNITS = frozenset((
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
    "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
    "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
    "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None"))


class Invalid(ValueError):
    """The line is not valid embedded metric format."""


def extract(metrics: MetricsRecorder, account: str, region: str, lines: Iterable[tuple[int, str]]) -> int:
    """Record the metrics of the EMF lines among `lines` ((ms, text) pairs); how many lines were EMF."""
    if not metrics.enabled:
        return 0
    found = 0
    for _, text in lines:
        if MARK not in text:
            continue
        document = _document(text)
        if document is None:
            continue
        try:
            record(metrics, account, region, document)
        except Invalid:
            continue
        found += 1
    return found


def _document(text: str) -> dict[str, Any] | None:
    start = text.find("{")
    if start < 0:
        return None
    try:
        document = json.loads(text[start:])
    except ValueError:
        return None
    return document if isinstance(document, dict) and isinstance(document.get("_aws"), dict) else None


def record(metrics: MetricsRecorder, account: str, region: str, document: dict[str, Any]) -> None:
    """Record one EMF document's metrics (Invalid when it breaks the spec: nothing is recorded)."""
    meta = document["_aws"]
    timestamp = meta.get("Timestamp")
    directives = meta.get("CloudWatchMetrics")
    if not isinstance(timestamp, int | float) or isinstance(timestamp, bool) or not isinstance(directives, list):
        raise Invalid("_aws needs Timestamp and CloudWatchMetrics")
    points = [_directive(document, d) for d in directives]
    for namespace, dim_sets, entries in points:
        for dims in dim_sets:
            for name, values, unit, resolution in entries:
                counts: dict[float, int] = {}
                for value in values:
                    counts[value] = counts.get(value, 0) + 1
                metrics.record_at(account, region, namespace, name, dims, counts, unit, timestamp / 1000.0,
                                  resolution)


def _directive(document: dict[str, Any], directive: Any) -> tuple[str, list[tuple[tuple[str, str], ...]], list[Any]]:
    if not isinstance(directive, dict):
        raise Invalid("a directive is an object")
    namespace = directive.get("Namespace")
    if not isinstance(namespace, str) or not 1 <= len(namespace) <= 255:
        raise Invalid("Namespace")
    raw_sets = directive.get("Dimensions", [])
    if not isinstance(raw_sets, list):
        raise Invalid("Dimensions")
    dim_sets = []
    for keys in raw_sets or [[]]:
        if not isinstance(keys, list) or len(keys) > MAX_DIMENSIONS:
            raise Invalid("a dimension set")
        pairs = []
        for key in keys:
            value = document.get(key) if isinstance(key, str) else None
            if not isinstance(value, str):
                raise Invalid(f"dimension {key} has no string value")
            pairs.append((key, value))
        dim_sets.append(tuple(sorted(pairs)))
    definitions = directive.get("Metrics")
    if not isinstance(definitions, list) or len(definitions) > MAX_METRICS:
        raise Invalid("Metrics")
    entries = []
    for definition in definitions:
        if not isinstance(definition, dict) or not isinstance(definition.get("Name"), str):
            raise Invalid("a metric needs a Name")
        name = definition["Name"]
        unit = definition.get("Unit") or "None"
        resolution = definition.get("StorageResolution", 60)
        if unit not in UNITS or resolution not in (1, 60):
            raise Invalid(f"metric {name}")
        entries.append((name, _values(document.get(name)), unit, int(resolution)))
    return namespace, dim_sets, entries


def _values(raw: Any) -> list[float]:
    values = raw if isinstance(raw, list) else [raw]
    if not values or len(values) > MAX_VALUES:
        raise Invalid("a metric needs 1 to 100 values")
    out = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise Invalid("metric values are numbers")
        out.append(float(value))
    return out
