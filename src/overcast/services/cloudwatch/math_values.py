"""Values of metric math and how operations combine them (state side).

Arithmetic, comparisons and logic apply point by point; two time series combine at the timestamps
both have; a number applies to every point; an array applies the operation to each of its series.
A point whose result is not a finite number (division by zero) is left out.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

from overcast.services.cloudwatch.series import Series, Value

OPS: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "^": operator.pow,
    "==": lambda a, b: float(a == b), "!=": lambda a, b: float(a != b), "<": lambda a, b: float(a < b),
    "<=": lambda a, b: float(a <= b), ">": lambda a, b: float(a > b), ">=": lambda a, b: float(a >= b),
    "AND": lambda a, b: float(bool(a) and bool(b)), "OR": lambda a, b: float(bool(a) or bool(b)),
}


class MathError(Exception):
    """An expression that cannot be evaluated (reported as AWS's ValidationError)."""


def safe(fn: Callable[..., float], *args: float) -> float | None:
    """fn(*args), or None when the result is not a finite number."""
    try:
        value = float(fn(*args))
    except (ZeroDivisionError, OverflowError, ValueError):
        return None
    return value if math.isfinite(value) else None


def pointwise(value: Value, fn: Callable[[float], float]) -> Value:
    """Apply `fn` to a number, to each point of a series, or to each series of an array."""
    if isinstance(value, list):
        return [pointwise(s, fn) for s in value]  # type: ignore[misc]
    if isinstance(value, Series):
        points = {t: r for t, v in value.points.items() if (r := safe(fn, v)) is not None}
        return value.derived(points)
    result = safe(fn, value)
    if result is None:
        raise MathError("The result is not a number")
    return result


def combine(a: Value, b: Value, fn: Callable[[float, float], float]) -> Value:
    """A binary operation between numbers, series and arrays, as metric math applies it."""
    if isinstance(a, list) and isinstance(b, list):
        raise MathError("Operations between two arrays of time series are not supported")
    if isinstance(a, list):
        return [combine(s, b, fn) for s in a]  # type: ignore[misc]
    if isinstance(b, list):
        return [combine(a, s, fn) for s in b]  # type: ignore[misc]
    if isinstance(a, Series) and isinstance(b, Series):
        points = {t: r for t, v in a.points.items() if t in b.points and (r := safe(fn, v, b.points[t])) is not None}
        return a.derived(points)
    if isinstance(a, Series):
        return pointwise(a, lambda v: fn(v, b))  # type: ignore[arg-type]
    if isinstance(b, Series):
        return pointwise(b, lambda v: fn(a, v))  # type: ignore[arg-type]
    return pointwise(a, lambda v: fn(v, b))  # type: ignore[arg-type]
