"""Amazon CloudWatch Logs (json 1.1): where Lambda functions' output goes."""

from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.logs.api import LogsApi

    return LogsApi(platform)


SPEC = ServiceSpec(name="logs", api=_api)
