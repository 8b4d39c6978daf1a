"""CloudWatch's statistics over aggregated data points, percentiles included.

A period's data is an `Aggregate`: sample count, sum, minimum, maximum and, when known, the
distribution of the values (value → count). AWS needs the raw values for percentiles: data
published as a statistic set gives them only when all its values are equal (SampleCount 1, or
Minimum = Maximum and Sum = Minimum × SampleCount), and percentiles are unavailable when any value
is negative (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Percentiles).

To keep distributions bounded after roll-up, a distribution with more than `MAX_DISTINCT` values
is quantized: each value becomes the nearest power of `BUCKET_BASE` (so within 0.5% of itself).
Percentiles of such periods are approximations, as AWS's own are.

Extended statistics (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html):
`pNN` percentiles, `tmNN`/`TM(a:b)` trimmed mean, `wmNN`/`WM(a:b)` winsorized mean, `tcNN`/`TC(a:b)`
trimmed count, `tsNN`/`TS(a:b)` trimmed sum, `PR(a:b)` percentile rank, `IQM`. Bounds are
percentages (`10%`) or absolute values (`150`); `tm90` is `TM(:90%)`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

MAX_DISTINCT = 256
BUCKET_BASE = 1.01

BASIC = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


@dataclass
class Aggregate:
    """One period's data. `dist` is None when the values themselves are unknown."""

    n: float = 0.0
    total: float = 0.0
    lo: float = math.inf
    hi: float = -math.inf
    dist: dict[float, float] | None = field(default_factory=dict)

    def add(self, n: float, total: float, lo: float, hi: float, dist: dict[float, float] | None) -> None:
        """Merge another aggregate's numbers into this one."""
        self.n += n
        self.total += total
        self.lo = min(self.lo, lo)
        self.hi = max(self.hi, hi)
        if self.dist is None or dist is None:
            self.dist = None
            return
        for value, count in dist.items():
            self.dist[value] = self.dist.get(value, 0.0) + count
        if len(self.dist) > MAX_DISTINCT:
            self.dist = quantize(self.dist)

    def value(self, stat: str) -> float | None:
        """The statistic's value, or None when it cannot be computed (AWS leaves the point out)."""
        if self.n <= 0:
            return None
        if stat == "SampleCount":
            return self.n
        if stat == "Sum":
            return self.total
        if stat == "Average":
            return self.total / self.n
        if stat == "Minimum":
            return self.lo
        if stat == "Maximum":
            return self.hi
        spec = parse_extended(stat)
        if spec is None or self.dist is None or self.lo < 0:
            return None
        return spec.compute(sorted(self.dist.items()))


def point_dist(n: float, total: float, lo: float, hi: float, dist: dict[float, float] | None
               ) -> dict[float, float] | None:
    """A stored row's distribution: the stored one, or {value: n} when all its values are equal."""
    if dist is not None:
        return dist
    if lo == hi:
        return {lo: n}
    return None


def quantize(dist: dict[float, float]) -> dict[float, float]:
    """Bucket values to the nearest power of BUCKET_BASE (sign kept, zero exact)."""
    out: dict[float, float] = {}
    log_base = math.log(BUCKET_BASE)
    for value, count in dist.items():
        if value == 0:
            key = 0.0
        else:
            key = math.copysign(BUCKET_BASE ** round(math.log(abs(value)) / log_base), value)
        out[key] = out.get(key, 0.0) + count
    return out


# -- extended statistics ---------------------------------------------------------------------

_SHORT = re.compile(r"^(p|tm|wm|tc|ts)(\d{1,2}(?:\.\d{1,10})?|100)$")
_RANGE = re.compile(r"^(TM|WM|TC|TS|PR)\((.*):(.*)\)$", re.IGNORECASE)
_BOUND = re.compile(r"^\s*(-?\d+(?:\.\d+)?)(%?)\s*$")


@dataclass(frozen=True)
class Bound:
    """One bound of an extended statistic: a percentage or an absolute value."""

    value: float
    percent: bool


@dataclass(frozen=True)
class Extended:
    """A parsed extended statistic: its kind and its lower and upper bounds."""

    kind: str                      # p, tm, wm, tc, ts, pr
    lower: Bound | None
    upper: Bound | None

    def compute(self, items: list[tuple[float, float]]) -> float | None:
        """The statistic over a sorted (value, count) distribution."""
        if self.kind == "p":
            assert self.upper is not None
            return percentile(items, self.upper.value)
        total = sum(c for _, c in items)
        lo = self._limit(items, total, self.lower, -math.inf)
        hi = self._limit(items, total, self.upper, math.inf)
        kept = [(v, c) for v, c in items if lo < v <= hi] if self._open_lower() else \
            [(v, c) for v, c in items if lo <= v <= hi]
        if self.kind == "pr":
            return 100.0 * sum(c for _, c in kept) / total
        if self.kind == "wm":
            clamped = [(min(max(v, lo), hi), c) for v, c in items]
            return sum(v * c for v, c in clamped) / total
        count = sum(c for _, c in kept)
        if self.kind == "tc":
            return count
        summed = sum(v * c for v, c in kept)
        if self.kind == "ts":
            return summed
        return summed / count if count else None

    def _open_lower(self) -> bool:
        # AWS: TM(150:1000) averages the values greater than 150 and at most 1000; percentage lower
        # bounds keep the value at the boundary percentile out as well.
        return self.lower is not None

    @staticmethod
    def _limit(items: list[tuple[float, float]], total: float, bound: Bound | None, default: float) -> float:
        if bound is None:
            return default
        if not bound.percent:
            return bound.value
        return percentile(items, bound.value, total) if bound.value > 0 else -math.inf


def percentile(items: list[tuple[float, float]], p: float, total: float | None = None) -> float:
    """The nearest-rank percentile of a sorted (value, count) list."""
    total = sum(c for _, c in items) if total is None else total
    rank = max(p / 100.0 * total, 0.0)
    seen = 0.0
    for value, count in items:
        seen += count
        if seen >= rank - 1e-9:
            return value
    return items[-1][0]


def parse_extended(stat: str) -> Extended | None:
    """Parse an extended statistic's name; None when it is not one."""
    match = _SHORT.match(stat)
    if match:
        kind, number = match.group(1), float(match.group(2))
        if kind == "p":
            return Extended("p", None, Bound(number, True))
        return Extended(kind, None, Bound(number, True))
    if stat.upper() == "IQM":
        return Extended("tm", Bound(25, True), Bound(75, True))
    match = _RANGE.match(stat)
    if not match:
        return None
    bounds: list[Bound | None] = []
    for text in (match.group(2), match.group(3)):
        if text.strip() == "":
            bounds.append(None)
            continue
        bound = _BOUND.match(text)
        if not bound:
            return None
        bounds.append(Bound(float(bound.group(1)), bound.group(2) == "%"))
    if bounds[0] is None and bounds[1] is None:
        return None
    return Extended(match.group(1).lower(), bounds[0], bounds[1])


def valid_statistic(stat: str) -> bool:
    """A name GetMetricData's `Stat` accepts: a basic statistic or an extended one."""
    return stat in BASIC or parse_extended(stat) is not None
