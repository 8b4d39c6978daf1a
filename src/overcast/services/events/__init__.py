"""Amazon EventBridge: event buses, rules with the full event pattern language, targets with input
shaping, retries and dead-letter queues, scheduled rules, archives and replays."""

from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.events.api import EventsApi

    return EventsApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.events.connections import connection_loop
    from overcast.services.events.replay import replay_loop
    from overcast.services.events.scheduler import schedule_loop

    return [lambda: schedule_loop(platform), lambda: replay_loop(platform), lambda: connection_loop(platform)]


def _deliver(platform, target_arn, payload, options):  # type: ignore[no-untyped-def]
    from overcast.services.events.inbox import deliver

    return deliver(platform, target_arn, payload, options)


def _failure_attributes(error, attempts, options):  # type: ignore[no-untyped-def]
    from overcast.services.events.inbox import failure_attributes

    return failure_attributes(error, attempts, options)


SPEC = ServiceSpec(name="events", api=_api, loops=_loops, deliver=_deliver, deliver_for=("execute-api",),
                   failure_attributes=_failure_attributes)
