"""Amazon EventBridge: event buses, rules with the full event pattern language, targets with input
shaping, retries and dead-letter queues, scheduled rules, archives and replays."""

from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.events.api import EventsApi

    return EventsApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.events import models  # noqa: F401  registers the dead-letter attributes of "events"
    from overcast.services.events.replay import replay_loop
    from overcast.services.events.scheduler import schedule_loop

    return [lambda: schedule_loop(platform), lambda: replay_loop(platform)]


SPEC = ServiceSpec(name="events", api=_api, loops=_loops)
