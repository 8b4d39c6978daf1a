"""AWS Config: a configuration recorder over overcast's own resources (buckets, functions, queues,
tables, roles), custom rules backed by Lambda functions (invoked asynchronously on configuration
changes and on schedules), evaluations and compliance, and compliance-change events on EventBridge.
See docs/config.md."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.config.api import ConfigApi

    return ConfigApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.config.recorder import recorder_loop

    return [lambda: recorder_loop(platform)]


SPEC = ServiceSpec(name="config", api=_api, loops=_loops, options=ProtocolOptions(validation="full"))
