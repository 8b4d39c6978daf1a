"""AWS Security Token Service: enough for tools that ask who they are before anything else."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.sts.api import StsApi

    return StsApi(platform)


SPEC = ServiceSpec(name="sts", api=_api, options=ProtocolOptions(validation="required", validation_code="ValidationError"))
