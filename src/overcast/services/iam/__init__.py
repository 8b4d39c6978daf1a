"""IAM users, roles and policies, stored and answered like AWS, and evaluated for every call and
delivery when `--iam report|enforce` is on (docs/iam.md)."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.iam.api import IamApi

    return IamApi(platform)


def _is_report(req):  # type: ignore[no-untyped-def]
    return req.path.rstrip("/") == "/_overcast/iam/report"


async def _report(platform, req):  # type: ignore[no-untyped-def]
    from overcast.services.iam.report import answer

    return answer(platform, req)


SPEC = ServiceSpec(name="iam", api=_api, options=ProtocolOptions(validation="enums", validation_code="ValidationError"),
                   routes=(HttpRoute("iam-report", _is_report, _report),))
