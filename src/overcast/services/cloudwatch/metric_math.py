"""Metric math: parse an Expression (grammar in `metric_math.lark`) and evaluate it (state side).

Values are time series, numbers, or arrays of time series. As on AWS
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html):
arithmetic (`+ - * / ^`), comparisons (`== != < <= > >=`, 1 or 0) and logic (`AND`/`&&`,
`OR`/`||`) apply point by point; two time series combine at the timestamps both have (FILL
supplies the others); a number applies to every point; an array applies the operation to each
of its series. A point whose result is not a finite number (division by zero) is left out.
Functions are in `metric_functions.py`.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lark import Lark, Token, Tree
from lark.exceptions import LarkError

from overcast.services.cloudwatch.errors import validation
from overcast.services.cloudwatch.math_values import OPS, MathError, combine, pointwise
from overcast.services.cloudwatch.metric_functions import call
from overcast.services.cloudwatch.series import Series, Value

if TYPE_CHECKING:
    from overcast.services.cloudwatch.metric_data import Evaluation

@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(Path(__file__).with_name("metric_math.lark").read_text(), parser="lalr")


@lru_cache(maxsize=512)
def parse(expression: str) -> Tree[Any]:
    """The syntax tree of an expression (MathError when it does not parse)."""
    try:
        return _parser().parse(expression)
    except LarkError as exc:
        raise MathError(f"Syntax error: {str(exc).splitlines()[0]}") from None


class Interpreter:
    """Evaluates one expression of a GetMetricData request."""

    def __init__(self, evaluation: Evaluation, query: Mapping[str, Any]) -> None:
        self.evaluation = evaluation
        self.query = query

    def period(self, value: Value | None = None) -> int:
        """The period of a value's points: its own, the query's, or the request's smallest."""
        series = value[0] if isinstance(value, list) and value else value
        if isinstance(series, Series) and series.period:
            return series.period
        return int(self.query.get("Period") or self.evaluation.default_period())

    def timeline(self, period: int) -> list[float]:
        """Every period start of the request's time range."""
        e = self.evaluation
        return sorted(Series.constant("", 0.0, e.start, e.end, period, e.now).points)

    def eval(self, node: Tree[Any] | Token) -> Any:
        if isinstance(node, Token):
            raise MathError(f"Unexpected {node!s}")
        kind = node.data
        if kind == "number":
            return float(str(node.children[0]))
        if kind == "string":
            text = str(node.children[0])
            return text[1:-1].replace('\\"', '"').replace("\\'", "'")
        if kind == "ref":
            return self.evaluation.value(str(node.children[0]))
        if kind == "neg":
            return pointwise(self.eval(node.children[0]), operator.neg)
        if kind in ("binop", "compare"):
            left, op, right = node.children
            return combine(self.eval(left), self.eval(right), OPS[str(op)])
        if kind == "pow":
            return combine(self.eval(node.children[0]), self.eval(node.children[1]), OPS["^"])
        if kind in ("logic_and", "logic_or"):
            left, _, right = node.children
            return combine(self.eval(left), self.eval(right), OPS["AND" if kind == "logic_and" else "OR"])
        if kind == "array":
            items = self._args(node.children[0])
            out: list[Series] = []
            for item in items:
                value = self.eval(item)
                out.extend(value if isinstance(value, list) else [value])
            return out
        if kind == "call":
            return call(self, str(node.children[0]), self._args(node.children[1]))
        raise MathError(f"Unsupported expression {kind}")

    @staticmethod
    def _args(node: Tree[Any] | None) -> list[Any]:
        return list(node.children) if node is not None else []


def evaluate(expression: str, evaluation: Evaluation, query: Mapping[str, Any]) -> Value:
    """The value of a query's Expression (ValidationError when it is invalid)."""
    try:
        value = Interpreter(evaluation, query).eval(parse(expression))
    except MathError as exc:
        raise validation(f"Error in expression {query['Id']}: {exc}") from None
    if isinstance(value, str):
        raise validation(f"Error in expression {query['Id']}: The expression must return a time series, "
                         "an array of time series or a number")
    if isinstance(value, Series):
        value = Series(query["Id"], value.points, value.metric, value.stat, value.period or evaluation.default_period(),
                       None, dict(value.extra))
    return value
