"""Choice rules ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html)):
every comparison operator, its `...Path` variant, And/Or/Not and the type tests."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from overcast.services.stepfunctions.paths import StatesError, present, select


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _string_matches(value: Any, pattern: str) -> bool:
    """AWS: `*` matches any run of characters; `\\*` is a literal star and `\\\\` a backslash."""
    if not isinstance(value, str):
        return False
    regex, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += ".*" if char == "*" else re.escape(char)
        i += 1
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _compare(kind: str, op: str) -> Callable[[Any, Any], bool]:
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "Equals": lambda a, b: a == b, "LessThan": lambda a, b: a < b, "GreaterThan": lambda a, b: a > b,
        "LessThanEquals": lambda a, b: a <= b, "GreaterThanEquals": lambda a, b: a >= b,
    }
    compare = ops[op]

    def check(value: Any, other: Any) -> bool:
        if kind == "String":
            return isinstance(value, str) and isinstance(other, str) and compare(value, other)
        if kind == "Numeric":
            return _number(value) and _number(other) and compare(value, other)
        if kind == "Boolean":
            return isinstance(value, bool) and isinstance(other, bool) and compare(value, other)
        left, right = _timestamp(value), _timestamp(other)
        return left is not None and right is not None and compare(left, right)

    return check


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    f"{kind}{op}": _compare(kind, op)
    for kind in ("String", "Numeric", "Boolean", "Timestamp")
    for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    if not (kind == "Boolean" and op != "Equals")
}


def matches(rule: dict[str, Any], data: Any, context: dict[str, Any]) -> bool:
    """Whether one Choice rule holds for the state's input."""
    if "And" in rule:
        return all(matches(r, data, context) for r in rule["And"])
    if "Or" in rule:
        return any(matches(r, data, context) for r in rule["Or"])
    if "Not" in rule:
        return not matches(rule["Not"], data, context)
    variable = rule["Variable"]
    if "IsPresent" in rule:
        return _present(variable, data, context) == rule["IsPresent"]
    if not _present(variable, data, context):
        return False
    value = select(variable, data, context, field="Variable")
    for key, expected in rule.items():
        if key in ("Variable", "Next", "Assign", "Comment", "Output"):
            continue
        return _test(key, value, expected, data, context)
    return False


def _present(path: str, data: Any, context: dict[str, Any]) -> bool:
    if path.startswith("$$"):
        return present(path[1:], context)
    if path != "$" and not path.startswith(("$.", "$[")):  # a variable (`$name...`)
        try:
            select(path, data, context, field="Variable")
        except StatesError:
            return False
        return True
    return path == "$" or present(path, data)


def _test(key: str, value: Any, expected: Any, data: Any, context: dict[str, Any]) -> bool:
    if key == "IsNull":
        return (value is None) == expected
    if key == "IsBoolean":
        return isinstance(value, bool) == expected
    if key == "IsNumeric":
        return _number(value) == expected
    if key == "IsString":
        return isinstance(value, str) == expected
    if key == "IsTimestamp":
        return (_timestamp(value) is not None) == expected
    if key == "StringMatches":
        return _string_matches(value, expected)
    if key.endswith("Path"):
        key, expected = key[:-4], select(expected, data, context, field=key)
    return _COMPARISONS[key](value, expected)
