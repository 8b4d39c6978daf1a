"""Amazon CloudWatch Logs (json 1.1): where Lambda functions' output goes."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.logs.api import LogsApi

    return LogsApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.logs.retention import expire_events

    return [lambda: expire_events(platform)]


def _deliver(platform, target_arn, payload, options):  # type: ignore[no-untyped-def]
    from overcast.services.logs.inbox import deliver

    return deliver(platform, target_arn, payload, options)


# AWS answers constraint violations in CloudWatch Logs with InvalidParameterException.
SPEC = ServiceSpec(name="logs", api=_api, loops=_loops, deliver=_deliver,
                   options=ProtocolOptions(validation_code="InvalidParameterException"))
