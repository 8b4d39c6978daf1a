"""SEARCH expressions of metric math (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html).

`SEARCH('{Namespace,Dim1,Dim2} MetricName="Errors" prod', 'Sum', 300)`: an optional schema (the
namespace, then the exact set of dimension names a metric must have), then search terms joined by
implicit AND, `AND`, `OR`, `NOT` and parentheses. `Name=value` (value quoted or not) matches a
property exactly: `MetricName`, `Namespace` or a dimension's name; a bare term or quoted phrase
matches any of the metric's namespace, name, dimension names and values, ignoring case, where AWS
matches whole tokens (so overcast finds a superset for partial words). At most 500 metrics that
received data in the last two weeks are returned, each a time series labelled by its dimension
values (and its name when the results have several names).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from overcast.services.cloudwatch.math_values import MathError
from overcast.services.cloudwatch.points import MetricKey

MAX_RESULTS = 500
_TOKEN = re.compile(r'\s*(\(|\)|"(?:\\.|[^"\\])*"|[^\s()"=]+="(?:\\.|[^"\\])*"|[^\s()]+)')

Matcher = Callable[[MetricKey], bool]


@dataclass(frozen=True)
class Search:
    """A parsed search expression: schema and terms; call it on a metric to match it."""

    namespace: str | None
    dimension_names: frozenset[str] | None
    matches: Matcher

    def __call__(self, key: MetricKey) -> bool:
        if self.namespace is not None and key.namespace != self.namespace:
            return False
        if self.dimension_names is not None and frozenset(k for k, _ in key.dimensions) != self.dimension_names:
            return False
        return self.matches(key)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('\\"', '"')
    return text


def parse_search(text: str) -> Search:
    """A search expression's filter."""
    namespace: str | None = None
    names: frozenset[str] | None = None
    text = text.strip()
    if text.startswith("{"):
        end = text.find("}")
        if end < 0:
            raise MathError("Unbalanced braces in the SEARCH schema")
        parts = [_unquote(p) for p in text[1:end].split(",") if p.strip()]
        if not parts:
            raise MathError("The SEARCH schema needs a namespace")
        namespace, names = parts[0], frozenset(parts[1:])
        text = text[end + 1:]
    tokens = [t for t in _TOKEN.findall(text) if t]
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def or_expr() -> Matcher:
        parts = [and_expr()]
        while peek() == "OR":
            take()
            parts.append(and_expr())
        return lambda key: any(p(key) for p in parts)

    def and_expr() -> Matcher:
        parts: list[Matcher] = []
        while peek() not in (None, ")", "OR"):
            if peek() == "AND":
                take()
                continue
            parts.append(unary())
        return lambda key: all(p(key) for p in parts)

    def unary() -> Matcher:
        token = take()
        if token == "NOT":
            inner = unary()
            return lambda key: not inner(key)
        if token == "(":
            inner = or_expr()
            if peek() != ")":
                raise MathError("Unbalanced parentheses in SEARCH")
            take()
            return inner
        return _term(token)

    matcher = or_expr()
    if position != len(tokens):
        raise MathError("Unexpected ) in SEARCH")
    return Search(namespace, names, matcher)


def _term(token: str) -> Matcher:
    if "=" in token and not token.startswith('"'):
        name, _, value = token.partition("=")
        value = _unquote(value)
        if name == "MetricName":
            return lambda key: key.name == value
        if name == "Namespace":
            return lambda key: key.namespace == value
        return lambda key: dict(key.dimensions).get(name) == value
    needle = _unquote(token).lower()

    def anywhere(key: MetricKey) -> bool:
        fields = [key.namespace, key.name, *(k for k, _ in key.dimensions), *(v for _, v in key.dimensions)]
        return any(needle in f.lower() for f in fields)

    return anywhere


def label_of(key: MetricKey, several_names: bool) -> str:
    """AWS labels SEARCH results by their dimension values (and metric name when names differ)."""
    values = " ".join(v for _, v in key.dimensions)
    if several_names or not values:
        return f"{values} {key.name}".strip()
    return values
