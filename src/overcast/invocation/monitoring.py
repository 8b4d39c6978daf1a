"""The engine's CloudWatch loops: the platform's own metrics flushed into CloudWatch's store, gauges
sampled, and alarms evaluated, all on the platform clock (`OVERCAST_TIME_SCALE` speeds them up).

Recording a metric on a hot path is a dictionary update (`overcast.metrics`); this loop drains the
recorder into the store in one transaction every few seconds (sooner when AWS's timers are scaled),
samples the gauges AWS reports once a minute (SQS's queue depths) and lets alarms be evaluated.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from overcast.metrics import Aggregate, MetricsRecorder
from overcast.platform import Platform
from overcast.services.cloudwatch.alarm_eval import AlarmEvaluator
from overcast.services.cloudwatch.store import Datum, metric_store
from overcast.services.sqs import metrics as sqs_metrics
from overcast.storage.full import is_storage_full

log = logging.getLogger("overcast.metrics")

#: real seconds between two flushes at time scale 1 (AWS shows a metric about a minute late)
FLUSH_EVERY = 5.0
SIGNAL = "cloudwatch:flush"


class Flusher:
    """Drains the platform's metrics recorder into the store; one per platform."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = metric_store(platform)
        self._sampled_bucket = -1.0
        platform.metrics.add_sampler(lambda: sqs_metrics.sample(platform))
        platform.on_close(self._last_flush)

    def _last_flush(self) -> None:
        """A clean shutdown keeps what was recorded since the last flush (a crash loses those seconds)."""
        batch = self.platform.metrics.drain()
        if batch:
            self.store.put_many(datum(a) for a in batch)

    def flush(self) -> int:
        """Write what was recorded (and the gauges, once per AWS minute); how many series."""
        recorder: MetricsRecorder = self.platform.metrics
        if not recorder.enabled:
            return 0
        # gauges: one reading per bucket (AWS's minute, scaled with its timers), as AWS samples them
        bucket = self.platform.clock.now() // recorder.bucket
        if bucket != self._sampled_bucket:
            self._sampled_bucket = bucket
            recorder.sample()
        batch = recorder.drain()
        if batch:
            try:
                self.store.put_many(datum(a) for a in batch)
            except Exception as exc:
                if is_storage_full(exc):  # kept for the next flush, once the disk has room
                    recorder.restore(batch)
                raise
        return len(batch)


def datum(a: Aggregate) -> Datum:
    """One aggregate as a PutMetricData datum with Values and Counts."""
    values = list(a.values)
    return Datum(a.account, a.region, a.namespace, a.name, dict(a.dims), a.timestamp, values,
                 [float(a.values[v]) for v in values], None, a.unit, a.resolution)


def flush_interval(platform: Platform) -> float:
    """Real seconds between flushes: FLUSH_EVERY, or the recorder's bucket when that is shorter."""
    return max(0.2, min(FLUSH_EVERY, platform.metrics.bucket / 2))


def monitoring_loops(platform: Platform) -> list[Callable[[], Awaitable[None]]]:
    """The flush loop and the alarm evaluation loop."""

    async def flush() -> None:
        try:
            platform.component(Flusher).flush()
        finally:
            await platform.signals.wait(SIGNAL, flush_interval(platform))

    async def alarms() -> None:
        evaluator = platform.component(AlarmEvaluator)
        platform.component(Flusher).flush()  # evaluate what was recorded up to now
        await evaluator.evaluate_due()
        await platform.signals.wait(evaluator.SIGNAL, evaluator.next_wait())

    return [flush, alarms]


def flush_now(platform: Platform) -> Any:
    """Flush at once (admin and tests): the number of series written."""
    return platform.component(Flusher).flush()
