"""Metrics Insights queries in GetMetricData's Expression (state side).

https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html:

    SELECT FUNCTION(metricName) FROM namespace | SCHEMA(namespace[, labelKey...])
    [WHERE labelKey = 'value' [AND|OR ...]] [GROUP BY labelKey[, ...]]
    [ORDER BY FUNCTION() [ASC|DESC]] [LIMIT n]

FUNCTION is AVG, COUNT, MAX, MIN or SUM, computed per period over the data points of every metric
that matches (not over each metric's own statistic); `SCHEMA` keeps the metrics whose dimension
names are exactly those listed. WHERE compares dimensions with `=`, `!=` and `LIKE` (`%` any text),
combined with AND, OR, NOT and parentheses. GROUP BY gives one time series per combination of the
dimensions' values (labelled by them, space-separated), ORDER BY ranks the series by the function
over the whole range, LIMIT keeps the first n (at most 500). As on AWS, only the last three hours
are queried.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from lark import Lark, Token, Tree
from lark.exceptions import LarkError

from overcast.services.cloudwatch.math_values import MathError
from overcast.services.cloudwatch.points import MetricKey
from overcast.services.cloudwatch.series import Series
from overcast.services.cloudwatch.stats import Aggregate
from overcast.services.cloudwatch.timeline import align_start

if TYPE_CHECKING:
    from overcast.services.cloudwatch.metric_data import Evaluation

WINDOW = 3 * 3600
MAX_SERIES = 500
STATS = {"AVG": "Average", "COUNT": "SampleCount", "MAX": "Maximum", "MIN": "Minimum", "SUM": "Sum"}

_GRAMMAR = r"""
start: "SELECT"i FUNC "(" name ")" "FROM"i source where? group? order? limit?
source: name                                   -> namespace
      | "SCHEMA"i "(" name ("," name)* ")"     -> schema
where: "WHERE"i cond
group: "GROUP"i "BY"i name ("," name)*
order: "ORDER"i "BY"i FUNC "(" ")" DIR?
limit: "LIMIT"i INT
?cond: conj | cond "OR"i conj                  -> or_
?conj: neg | conj "AND"i neg                   -> and_
?neg: "NOT"i neg                               -> not_
    | "(" cond ")"
    | name OP STRING                           -> compare
name: NAME | QUOTED
FUNC.2: /(AVG|COUNT|MAX|MIN|SUM)/i
DIR.2: /(ASC|DESC)/i
OP: "!=" | "=" | /LIKE/i
NAME: /[A-Za-z_][A-Za-z0-9_.\/:-]*/
QUOTED: /"(\\.|[^"\\])*"/
STRING: /'(\\.|[^'\\])*'/
INT: /\d+/
%import common.WS
%ignore WS
"""


def is_insights(expression: str) -> bool:
    """Whether an Expression is a Metrics Insights query rather than metric math."""
    return expression.lstrip()[:7].upper() == "SELECT "


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr")


def _text(node: Tree[Any] | Token) -> str:
    token = node.children[0] if isinstance(node, Tree) else node
    value = str(token)
    if value[:1] in ("'", '"'):
        return value[1:-1].replace("\\" + value[0], value[0])
    return value


Match = Callable[[dict[str, str]], bool]


def _condition(node: Tree[Any]) -> Match:
    if node.data == "compare":
        key, op, value = _text(node.children[0]), str(node.children[1]).upper(), _text(node.children[2])
        if op == "LIKE":
            pattern = re.compile("^" + ".*".join(re.escape(p) for p in value.split("%")) + "$", re.DOTALL)
            return lambda dims: key in dims and pattern.match(dims[key]) is not None
        if op == "!=":
            return lambda dims: dims.get(key) != value
        return lambda dims: dims.get(key) == value
    parts = [_condition(child) for child in node.children]
    if node.data == "not_":
        return lambda dims: not parts[0](dims)
    if node.data == "and_":
        return lambda dims: all(p(dims) for p in parts)
    return lambda dims: any(p(dims) for p in parts)


class Query:
    """A parsed Metrics Insights query."""

    def __init__(self, text: str) -> None:
        try:
            tree = _parser().parse(text)
        except LarkError as exc:
            raise MathError(f"Metrics Insights syntax error: {str(exc).splitlines()[0]}") from None
        self.stat = STATS[str(tree.children[0]).upper()]
        self.metric = _text(tree.children[1])
        self.namespace = ""
        self.schema: frozenset[str] | None = None
        self.match: Match = lambda dims: True
        self.group: list[str] = []
        self.order: tuple[str, bool] | None = None
        self.limit = MAX_SERIES
        for part in tree.children[2:]:
            if isinstance(part, Tree):
                self._clause(part)

    def _clause(self, part: Tree[Any]) -> None:
        if part.data == "namespace":
            self.namespace = _text(part.children[0])
        elif part.data == "schema":
            names = [_text(c) for c in part.children]
            self.namespace, self.schema = names[0], frozenset(names[1:])
        elif part.data == "where":
            self.match = _condition(part.children[0])
        elif part.data == "group":
            self.group = [_text(c) for c in part.children]
        elif part.data == "order":
            descending = len(part.children) < 2 or str(part.children[1]).upper() == "DESC"
            self.order = (STATS[str(part.children[0]).upper()], descending)
        elif part.data == "limit":
            self.limit = min(int(str(part.children[0])), MAX_SERIES)

    def wants(self, key: MetricKey) -> bool:
        """Whether a metric is one the query reads (name, schema, WHERE)."""
        dims = dict(key.dimensions)
        if key.name != self.metric or (self.schema is not None and frozenset(dims) != self.schema):
            return False
        return self.match(dims)


def evaluate(text: str, evaluation: Evaluation, query_id: str, period: int) -> list[Series] | Series:
    """The query's time series: one, or one per group."""
    q = Query(text)
    e = evaluation
    now = e.now if e.now is not None else e.end
    start = max(e.start, now - WINDOW)
    first = align_start(start, period, e.now)
    groups: dict[tuple[str, ...], dict[float, Aggregate]] = {}
    for metric_id, key in e.store.metrics(e.account, e.region, namespace=q.namespace, name=q.metric,
                                          since=now - WINDOW):
        if not q.wants(key):
            continue
        dims = dict(key.dimensions)
        if q.group and not all(g in dims for g in q.group):
            continue
        buckets = groups.setdefault(tuple(dims[g] for g in q.group), {})
        for (ts, _), agg in e.store.aggregate(metric_id, first, e.end, period, values=False).items():
            merged = buckets.setdefault(ts, Aggregate(dist=None))
            merged.add(agg.n, agg.total, agg.lo, agg.hi, None)
    series = [_series(query_id, values, buckets, q.stat, period) for values, buckets in groups.items()]
    if q.order is not None:
        stat, descending = q.order
        series.sort(key=lambda s: _rank(groups[tuple(s.extra["group"])], stat), reverse=descending)
    series = series[:q.limit]
    if not q.group:
        return series[0] if series else Series(query_id, {}, period=period)
    return series


def _series(query_id: str, values: tuple[str, ...], buckets: dict[float, Aggregate], stat: str,
            period: int) -> Series:
    points = {ts: v for ts, agg in sorted(buckets.items()) if (v := agg.value(stat)) is not None}
    return Series(query_id, points, period=period, label=" ".join(values) or None, extra={"group": list(values)})


def _rank(buckets: dict[float, Aggregate], stat: str) -> float:
    total = Aggregate(dist=None)
    for agg in buckets.values():
        total.add(agg.n, agg.total, agg.lo, agg.hi, None)
    value = total.value(stat)
    return value if value is not None else float("-inf")
