"""AWS X-Ray (rest-json): the segments every hop through overcast records, PutTraceSegments and the
daemon's UDP protocol for functions' own, trace summaries and service graphs, sampling rules and
groups. See docs/xray.md."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.xray.api import XrayApi

    return XrayApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.xray.daemon import daemon_loop
    from overcast.services.xray.models import flush_loop

    return [lambda: flush_loop(platform), daemon_loop(platform)]


# X-Ray answers constraint violations with InvalidRequestException.
SPEC = ServiceSpec(name="xray", api=_api, loops=_loops,
                   options=ProtocolOptions(validation="required", validation_code="InvalidRequestException"))
