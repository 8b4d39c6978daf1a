"""Amazon SES v2 (`sesv2`, rest-json under `/v2/email/`): identities, templates, configuration sets and
sending, over the same state as SES v1 (`services/ses`), as on AWS. Both sign with `ses`; the gateway
picks v2 for a request that matches one of its REST routes."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.sesv2.api import SesV2Api

    return SesV2Api(platform)


SPEC = ServiceSpec(name="sesv2", api=_api,
                   options=ProtocolOptions(validation="required", validation_code="BadRequestException"))
