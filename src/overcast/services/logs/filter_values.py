"""Values and selectors of filter patterns: what a comparison compares, and how `$.a.b[0]` finds it."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lark import Token

MISSING = object()
ORDERED = {"<", "<=", ">", ">="}


class FilterPatternError(ValueError):
    """The pattern is not valid filter-pattern syntax."""


# -- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """The right-hand side of a comparison: a literal (maybe with `*`), a number, or a regex."""

    text: str
    number: float | None = None
    glob: re.Pattern[str] | None = None
    regex: re.Pattern[str] | None = None

    def equals(self, actual: Any) -> bool:
        if self.regex is not None:
            return self.regex.search(text_of(actual)) is not None
        if self.number is not None:
            number = number_of(actual)
            if number is not None:
                return number == self.number
        if self.glob is not None:
            return self.glob.fullmatch(text_of(actual)) is not None
        return text_of(actual) == self.text

    def order(self, op: str, actual: Any) -> bool:
        number = number_of(actual)
        if number is None or self.number is None:
            return False
        return {"<": number < self.number, "<=": number <= self.number,
                ">": number > self.number, ">=": number >= self.number}[op]


def text_of(actual: Any) -> str:
    if isinstance(actual, str):
        return actual
    if isinstance(actual, bool) or actual is None:
        return json.dumps(actual)
    if isinstance(actual, float) and actual.is_integer():
        return str(int(actual))
    return str(actual)


def number_of(actual: Any) -> float | None:
    if isinstance(actual, bool) or actual is None:
        return None
    if isinstance(actual, int | float):
        return float(actual)
    try:
        value = float(actual)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def glob(text: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in text.split("*")), re.DOTALL)


def compile_regex(token: str) -> re.Pattern[str]:
    body = token[1:-1]
    if "(" in body or ")" in body:  # AWS: "The ( and ) operators are not supported."
        raise FilterPatternError(f"Invalid regex in filter pattern: {token}")
    try:
        return re.compile(body)
    except re.error:
        raise FilterPatternError(f"Invalid regex in filter pattern: {token}") from None


def value_of(token: Token) -> Value:
    if token.type == "REGEX":
        return Value(token.value, regex=compile_regex(token.value))
    if token.type == "ESCAPED_STRING":
        text = json.loads(token.value)
        return Value(text, glob=glob(text) if "*" in text else None)
    text = token.value
    number = number_of(text) if "*" not in text else None
    return Value(text, number=number, glob=glob(text) if "*" in text else None)


def comparison(op: str, value: Value) -> Callable[[Any], bool]:
    if op in ORDERED:
        if value.number is None:
            raise FilterPatternError(f"Invalid filter pattern: {op} needs a number, got {value.text}")
        return lambda actual: value.order(op, actual)
    if op == "=":
        return value.equals
    return lambda actual: not value.equals(actual)


# -- JSON selectors ----------------------------------------------------------------------------

_STEP = re.compile(r"\.([A-Za-z0-9_\-@]+)|\[(\d+)\]")


def path_of(selector: str) -> tuple[str | int, ...]:
    return tuple(name if name else int(index) for name, index in _STEP.findall(selector[1:]))


def resolve(document: Any, path: tuple[str | int, ...]) -> Any:
    node = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return MISSING
            node = node[step]
        else:
            if not isinstance(node, dict) or step not in node:
                return MISSING
            node = node[step]
    return node


def is_scalar(value: Any) -> bool:
    return value is not MISSING and not isinstance(value, dict | list)
