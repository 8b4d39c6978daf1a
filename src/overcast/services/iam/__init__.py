"""IAM roles and policies, stored and answered like AWS (never enforced): tutorials and test suites
create a role before they create a function."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.iam.api import IamApi

    return IamApi(platform)


SPEC = ServiceSpec(name="iam", api=_api, options=ProtocolOptions(validation="required", validation_code="ValidationError"))
