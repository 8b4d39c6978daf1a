"""The platform's own CloudWatch metrics, recorded in memory on the hot paths.

AWS services publish metrics about themselves (Lambda's `Invocations`, SQS's
`NumberOfMessagesSent`...; the list, with dimensions and units, is in docs/cloudwatch-metrics.md).
Recording one here is a dictionary update: values are aggregated per metric, dimensions, unit and
time bucket (one minute, AWS's standard resolution) as a distribution `{value: count}`, which keeps
every statistic exact (SampleCount, Sum, Minimum, Maximum and percentiles). A background loop of the
engine drains the recorder into CloudWatch's store (`invocation/monitoring.py`).

Gauges that AWS samples rather than counts (`ApproximateNumberOfMessagesVisible`...) are read by
*samplers*: functions registered here and called by the flush loop once per (AWS) minute.

`OVERCAST_METRICS=0` turns recording off: `record` then returns at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

#: dimensions as a sorted tuple of (name, value) pairs (a hashable, canonical form)
Dims = tuple[tuple[str, str], ...]
#: (account, region, namespace, metric name, dimensions, unit, bucket start, storage resolution)
Key = tuple[str, str, str, str, Dims, str, float, int]


class _Clock(Protocol):
    scale: float

    def now(self) -> float: ...


@dataclass(frozen=True)
class Sample:
    """One gauge reading a sampler reports."""

    account: str
    region: str
    namespace: str
    name: str
    dims: Dims
    value: float
    unit: str = "Count"


@dataclass(frozen=True)
class Aggregate:
    """What was recorded for one metric in one time bucket: a distribution of values."""

    account: str
    region: str
    namespace: str
    name: str
    dims: Dims
    unit: str
    timestamp: float
    resolution: int
    values: dict[float, int]


Sampler = Callable[[], Iterable[Sample]]


#: periods CloudWatch accepts under a minute (high-resolution data)
SHORT_PERIODS = (1, 5, 10, 20, 30)


def scaled_period(period: int, scale: float) -> int:
    """The period (real seconds) that stands for an AWS period of `period` seconds when AWS's timers
    are scaled by `scale`: a period CloudWatch accepts (1, 5, 10, 20, 30 or a multiple of 60)."""
    scaled = period * scale
    if scaled >= period:
        return period
    if scaled >= 60:
        return int(scaled // 60 * 60)
    return max([p for p in SHORT_PERIODS if p <= scaled] or [1])


def dims(**pairs: str | None) -> Dims:
    """Dimensions from keywords, in a canonical order; pairs whose value is None are left out."""
    return tuple(sorted((k, v) for k, v in pairs.items() if v is not None))


def as_dims(mapping: Mapping[str, str]) -> Dims:
    return tuple(sorted((str(k), str(v)) for k, v in mapping.items()))


class MetricsRecorder:
    """Per-bucket aggregates of the platform's metrics, drained by the engine's flush loop.

    The bucket is AWS's minute; when AWS's timers are scaled (`OVERCAST_TIME_SCALE` < 1) it shrinks
    with them (to no less than a second, stored at high resolution), so that alarms evaluated on
    the scaled clock see periods of data as they would on AWS."""

    def __init__(self, clock: _Clock, enabled: bool = True) -> None:
        self.clock = clock
        self.enabled = enabled
        self._data: dict[Key, dict[float, int]] = {}
        self._samplers: list[Sampler] = []
        #: bucket width in real seconds (the scaled minute), and the storage resolution it is kept at
        self.bucket = float(scaled_period(60, clock.scale))
        self.resolution = 60 if self.bucket >= 60 else 1

    def record(self, account: str, region: str, namespace: str, name: str, dims: Dims, value: float,
               unit: str = "Count", timestamp: float | None = None) -> None:
        """Count one value of a metric (a dictionary update; nothing is written here)."""
        if not self.enabled:
            return
        now = self.clock.now() if timestamp is None else timestamp
        start = now - now % self.bucket
        key = (account, region, namespace, name, dims, unit, start, self.resolution)
        values = self._data.get(key)
        if values is None:
            values = self._data[key] = {}
        values[value] = values.get(value, 0) + 1

    def record_sets(self, account: str, region: str, namespace: str, dim_sets: Iterable[Dims],
                    points: Iterable[tuple[str, float, str]]) -> None:
        """Record each (name, value, unit) of `points` under every dimension set of `dim_sets`."""
        if not self.enabled:
            return
        now = self.clock.now()
        start = now - now % self.bucket
        data, resolution = self._data, self.resolution
        points = list(points)
        for dim_set in dim_sets:
            for name, value, unit in points:
                key = (account, region, namespace, name, dim_set, unit, start, resolution)
                values = data.get(key)
                if values is None:
                    values = data[key] = {}
                values[value] = values.get(value, 0) + 1

    def record_at(self, account: str, region: str, namespace: str, name: str, dims: Dims,
                  values: Mapping[float, int], unit: str, timestamp: float, resolution: int) -> None:
        """Add a distribution published with its own timestamp (embedded metric format)."""
        if not self.enabled:
            return
        width = 1.0 if resolution == 1 else self.bucket
        start = timestamp - timestamp % width
        key = (account, region, namespace, name, dims, unit, start, 1 if width < 60 else 60)
        target = self._data.setdefault(key, {})
        for value, count in values.items():
            target[value] = target.get(value, 0) + count

    def add_sampler(self, sampler: Sampler) -> None:
        """Register a gauge sampler (called by the flush loop once per AWS minute)."""
        if sampler not in self._samplers:
            self._samplers.append(sampler)

    def sample(self) -> None:
        """Read every gauge now and record what the samplers report."""
        if not self.enabled:
            return
        for sampler in list(self._samplers):
            for s in sampler():
                self.record(s.account, s.region, s.namespace, s.name, s.dims, s.value, s.unit)

    def drain(self) -> list[Aggregate]:
        """Everything recorded since the last drain (and forget it)."""
        data, self._data = self._data, {}
        return [Aggregate(a, r, ns, n, d, u, t, res, v) for (a, r, ns, n, d, u, t, res), v in data.items()]

    def restore(self, batch: Iterable[Aggregate]) -> None:
        """Put drained aggregates back, merged with what was recorded since (their write failed:
        a full disk), so the next flush writes them."""
        for a in batch:
            target = self._data.setdefault((a.account, a.region, a.namespace, a.name, a.dims, a.unit, a.timestamp,
                                            a.resolution), {})
            for value, count in a.values.items():
                target[value] = target.get(value, 0) + count

    def pending(self) -> bool:
        return bool(self._data)

    def clear(self) -> None:
        self._data.clear()
