"""Dynamic labels of GetMetricData results (state side).

AWS replaces `${...}` placeholders in a query's Label by values of its result
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/graph-dynamic-labels.html): statistics of
the returned points (`${AVG}`, `${MAX}`, `${MIN}`, `${SUM}`, `${FIRST}`, `${LAST}`, `${DATAPOINT_COUNT}`),
times (`${FIRST_TIME}`, `${LAST_TIME}`, `${MIN_TIME}`, `${MAX_TIME}`; ISO 8601 in the
LabelOptions.Timezone offset, UTC by default), and properties (`${PROP('MetricName')}`,
`${PROP('Namespace')}`, `${PROP('Period')}`, `${PROP('Stat')}`, `${PROP('Dim.<name>')}`), and `${LABEL}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from overcast.services.cloudwatch.series import Series

_PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)(?:\('([^']*)'\))?\}")
_TZ = re.compile(r"^([+-])(\d{2})(\d{2})$")


def _tz(options: Mapping[str, Any] | None) -> timezone:
    match = _TZ.match((options or {}).get("Timezone") or "+0000")
    if not match:
        return UTC
    sign = -1 if match.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


def _number(value: float) -> str:
    return f"{value:.10g}"


def render_label(label: str, series: Series, options: Mapping[str, Any] | None) -> str:
    """The label with its placeholders replaced (unknown ones are left as written)."""
    if "${" not in label:
        return label
    tz = _tz(options)
    stamps = sorted(series.points)
    values = [series.points[t] for t in stamps]

    def when(ts: float) -> str:
        return datetime.fromtimestamp(ts, tz).isoformat()

    def stat(fn: Callable[[], str]) -> str:
        return fn() if values else ""

    props = {"MetricName": (series.metric or {}).get("MetricName", ""),
             "Namespace": (series.metric or {}).get("Namespace", ""),
             "Period": str(series.period or ""), "Stat": series.stat or ""}
    for dim in (series.metric or {}).get("Dimensions") or []:
        props[f"Dim.{dim['Name']}"] = dim["Value"]
    simple: dict[str, Callable[[], str]] = {
        "AVG": lambda: stat(lambda: _number(sum(values) / len(values))),
        "MAX": lambda: stat(lambda: _number(max(values))),
        "MIN": lambda: stat(lambda: _number(min(values))),
        "SUM": lambda: stat(lambda: _number(sum(values))),
        "FIRST": lambda: stat(lambda: _number(values[0])),
        "LAST": lambda: stat(lambda: _number(values[-1])),
        "DATAPOINT_COUNT": lambda: str(len(values)),
        "FIRST_TIME": lambda: stat(lambda: when(stamps[0])),
        "LAST_TIME": lambda: stat(lambda: when(stamps[-1])),
        "MIN_TIME": lambda: stat(lambda: when(stamps[values.index(min(values))])),
        "MAX_TIME": lambda: stat(lambda: when(stamps[values.index(max(values))])),
        "LABEL": lambda: series.label or props["MetricName"] or series.id,
    }

    def replace(match: re.Match[str]) -> str:
        name, arg = match.group(1), match.group(2)
        if name == "PROP" and arg is not None:
            return str(props.get(arg, match.group(0)))
        fn = simple.get(name)
        return fn() if fn else match.group(0)

    return _PLACEHOLDER.sub(replace, label)
