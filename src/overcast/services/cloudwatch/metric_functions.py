"""Metric math functions (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#metric-math-syntax-functions-list).

Aggregates (SUM, AVG, MIN, MAX, STDDEV) of an array give a time series over the timestamps its
series have (each point from the series that have it); of a single time series, a number. STDDEV is
the population standard deviation. METRICS() is every MetricStat query of the request, METRICS("s")
those whose Id contains "s". FILL fills the periods of the time range a series lacks with a number,
another series, REPEAT (the last value before; the first value for leading gaps) or LINEAR (linear
interpolation between the neighbouring values). RATE is the change per second between successive
points, DIFF the change, DIFF_TIME the seconds between them. IF(condition, a[, b]) picks point by
point (a point is dropped where the condition is false and there is no `b`).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from overcast.services.cloudwatch.math_values import MathError, pointwise
from overcast.services.cloudwatch.points import LIST_WINDOW
from overcast.services.cloudwatch.search import MAX_RESULTS, label_of, parse_search
from overcast.services.cloudwatch.series import Series, Value
from overcast.services.cloudwatch.stats import valid_statistic

if TYPE_CHECKING:
    from overcast.services.cloudwatch.metric_math import Interpreter

_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "SUM": sum, "AVG": lambda v: sum(v) / len(v), "MIN": min, "MAX": max,
    "STDDEV": lambda v: statistics.pstdev(v) if len(v) > 1 else 0.0,
}
_POINTWISE: dict[str, Callable[[float], float]] = {
    "ABS": abs, "CEIL": math.ceil, "FLOOR": math.floor, "LOG": math.log, "LOG10": math.log10,
}
_CLOCK: dict[str, Callable[[datetime], float]] = {
    "MINUTE": lambda d: d.minute, "HOUR": lambda d: d.hour, "DAY": lambda d: d.isoweekday(),
    "DATE": lambda d: d.day, "MONTH": lambda d: d.month, "YEAR": lambda d: d.year,
}


def call(interp: Interpreter, name: str, arg_nodes: list[Any]) -> Any:
    """Evaluate function `name` over its argument expressions."""
    if name == "FILL":
        return _fill(interp, arg_nodes)
    if name == "METRICS":
        return _metrics(interp, [interp.eval(a) for a in arg_nodes])
    args = [interp.eval(a) for a in arg_nodes]
    if name in _AGGREGATES:
        return _aggregate(_AGGREGATES[name], _one(name, args))
    if name in _POINTWISE:
        return pointwise(_one(name, args), _POINTWISE[name])
    if name in _CLOCK:
        return _each(_one(name, args), lambda s: s.derived(
            {t: float(_CLOCK[name](datetime.fromtimestamp(t, UTC))) for t in s.points}))
    handler = _HANDLERS.get(name)
    if handler is None:
        raise MathError(f"Unknown function {name}")
    return handler(interp, args)


def _one(name: str, args: list[Any]) -> Any:
    if len(args) != 1:
        raise MathError(f"{name} takes exactly one argument")
    return args[0]


def _each(value: Value, fn: Callable[[Series], Series]) -> Value:
    if isinstance(value, list):
        return [fn(s) for s in value]
    if isinstance(value, Series):
        return fn(value)
    raise MathError("The function needs a time series")


def _aggregate(fn: Callable[[list[float]], float], value: Value) -> Value:
    if isinstance(value, list):
        if not value:
            raise MathError("The array is empty")
        stamps = sorted({t for s in value for t in s.points})
        points = {t: fn([s.points[t] for s in value if t in s.points]) for t in stamps}
        return Series("", points, period=value[0].period)
    if isinstance(value, Series):
        values = list(value.points.values())
        if not values:
            return value.derived({})
        return float(fn(values))
    return float(value)


def _metrics(interp: Interpreter, args: list[Any]) -> list[Series]:
    text = args[0] if args else ""
    if not isinstance(text, str):
        raise MathError("METRICS takes a string")
    e = interp.evaluation
    out = []
    for query_id in e.order:
        if e.queries[query_id].get("MetricStat") and text in query_id:
            value = e.value(query_id)
            if isinstance(value, Series):
                out.append(value)
    return out


def _fill(interp: Interpreter, arg_nodes: list[Any]) -> Value:
    if len(arg_nodes) != 2:
        raise MathError("FILL takes two arguments")
    target = interp.eval(arg_nodes[0])
    second = arg_nodes[1]
    mode: Any
    if getattr(second, "data", None) == "ref" and str(second.children[0]) in ("REPEAT", "LINEAR"):
        mode = str(second.children[0])
    else:
        mode = interp.eval(second)
    timeline = interp.timeline(interp.period(target))
    return _each(target, lambda s: s.derived(_filled(s.points, timeline, mode)))


def _filled(points: dict[float, float], timeline: list[float], mode: Any) -> dict[float, float]:
    out = dict(points)
    known = sorted(points)
    for t in timeline:
        if t in out:
            continue
        if isinstance(mode, Series):
            if t in mode.points:
                out[t] = mode.points[t]
        elif mode == "REPEAT":
            before = [k for k in known if k < t]
            if before or known:
                out[t] = points[before[-1]] if before else points[known[0]]
        elif mode == "LINEAR":
            before = [k for k in known if k < t]
            after = [k for k in known if k > t]
            if before and after:
                t0, t1 = before[-1], after[0]
                out[t] = points[t0] + (points[t1] - points[t0]) * (t - t0) / (t1 - t0)
        else:
            out[t] = float(mode)
    return dict(sorted(out.items()))


def _successive(value: Value, fn: Callable[[float, float, float, float], float]) -> Value:
    def one(s: Series) -> Series:
        stamps = sorted(s.points)
        return s.derived({t1: fn(t0, s.points[t0], t1, s.points[t1]) for t0, t1 in itertools.pairwise(stamps)})

    return _each(value, one)


def _if(interp: Interpreter, args: list[Any]) -> Value:
    if len(args) not in (2, 3):
        raise MathError("IF takes two or three arguments")
    cond, a = args[0], args[1]
    b = args[2] if len(args) == 3 else None
    if not isinstance(cond, Series):
        if isinstance(cond, list):
            raise MathError("IF does not take an array as its condition")
        return a if cond else (b if b is not None else Series("", {}))
    points: dict[float, float] = {}
    for t, c in sorted(cond.points.items()):
        pick = a if c else b
        value = pick.points.get(t) if isinstance(pick, Series) else pick
        if value is not None and not isinstance(value, list):
            points[t] = float(value)
    return cond.derived(points)


def _running_sum(s: Series) -> Series:
    total, points = 0.0, {}
    for t in sorted(s.points):
        total += s.points[t]
        points[t] = total
    return s.derived(points)


def _time_series(interp: Interpreter, args: list[Any]) -> Value:
    value = _one("TIME_SERIES", args)
    if not isinstance(value, float | int):
        raise MathError("TIME_SERIES takes a number")
    period = interp.period()
    return Series("", {t: float(value) for t in interp.timeline(period)}, period=period)


def _search(interp: Interpreter, args: list[Any]) -> list[Series]:
    if len(args) not in (2, 3) or not isinstance(args[0], str) or not isinstance(args[1], str):
        raise MathError("SEARCH takes a search expression, a statistic and optionally a period")
    if not valid_statistic(args[1]):
        raise MathError(f"Invalid statistic {args[1]} in SEARCH")
    period = int(args[2]) if len(args) == 3 else interp.period()
    search = parse_search(args[0])
    e = interp.evaluation
    found = [key for _, key in e.store.metrics(e.account, e.region, namespace=search.namespace,
                                                since=(e.now or e.end) - LIST_WINDOW) if search(key)]
    found = found[:MAX_RESULTS]
    several = len({key.name for key in found}) > 1
    out = []
    for key in found:
        series = e.metric_stat({"Metric": key.as_metric(), "Period": period, "Stat": args[1]}, interp.query["Id"])
        series.label = label_of(key, several)
        out.append(series)
    return out


_HANDLERS: dict[str, Callable[[Interpreter, list[Any]], Any]] = {
    "SEARCH": _search,
    "RATE": lambda i, a: _successive(_one("RATE", a), lambda t0, v0, t1, v1: (v1 - v0) / (t1 - t0)),
    "DIFF": lambda i, a: _successive(_one("DIFF", a), lambda t0, v0, t1, v1: v1 - v0),
    "DIFF_TIME": lambda i, a: _successive(_one("DIFF_TIME", a), lambda t0, v0, t1, v1: t1 - t0),
    "IF": _if,
    "RUNNING_SUM": lambda i, a: _each(_one("RUNNING_SUM", a), _running_sum),
    "PERIOD": lambda i, a: float(i.period(_one("PERIOD", a))),
    "DATAPOINT_COUNT": lambda i, a: _aggregate(lambda v: float(len(v)), _one("DATAPOINT_COUNT", a)),
    "METRIC_COUNT": lambda i, a: float(len(v) if isinstance(v := _one("METRIC_COUNT", a), list) else 1),
    "REMOVE_EMPTY": lambda i, a: [s for s in _one("REMOVE_EMPTY", a) if s.points],
    "FIRST": lambda i, a: _one("FIRST", a)[0],
    "LAST": lambda i, a: _one("LAST", a)[-1],
    "EPOCH": lambda i, a: _each(_one("EPOCH", a), lambda s: s.derived({t: t for t in s.points})),
    "TIME_SERIES": _time_series,
}
