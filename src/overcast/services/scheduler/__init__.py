"""Amazon EventBridge Scheduler: one-time and recurring schedules (`at()`, `rate()`, `cron()` in a
time zone, flexible time windows) that invoke templated targets (Lambda, SQS, SNS, Step Functions,
EventBridge, Kinesis) and universal targets (any operation overcast hosts), on the platform clock,
with retries and dead-letter queues. See docs/scheduler.md."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.scheduler.api import SchedulerApi

    return SchedulerApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.scheduler.firing import schedule_loop

    return [lambda: schedule_loop(platform)]


def _deliver(platform, target_arn, payload, options):  # type: ignore[no-untyped-def]
    from overcast.services.scheduler.inbox import deliver

    return deliver(platform, target_arn, payload, options)


def _failure_attributes(error, attempts, options):  # type: ignore[no-untyped-def]
    from overcast.services.scheduler.inbox import failure_attributes

    return failure_attributes(error, attempts, options)


SPEC = ServiceSpec(name="scheduler", api=_api, loops=_loops, deliver=_deliver,
                   failure_attributes=_failure_attributes, options=ProtocolOptions(validation="full"))
