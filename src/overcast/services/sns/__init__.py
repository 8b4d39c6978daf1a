"""Amazon SNS: standard and FIFO topics, subscriptions with filter policies, fan-out to SQS, Lambda
and HTTP/S endpoints on this machine (with the confirmation handshake)."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec
from overcast.services.sns.inbox import deliver, failure_attributes


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.sns.api import SnsApi

    return SnsApi(platform)


def _is_link(req) -> bool:  # type: ignore[no-untyped-def]
    """The SubscribeURL / UnsubscribeURL links SNS hands out: unsigned GETs with an Action."""
    qs = req.query_string
    return req.method == "GET" and ("Action=ConfirmSubscription" in qs or "Action=Unsubscribe" in qs) \
        and "authorization" not in req.headers and "X-Amz-Credential" not in qs


async def _link(platform, req):  # type: ignore[no-untyped-def]
    from overcast.services.sns.links import answer

    return await answer(platform, req)


SPEC = ServiceSpec(
    name="sns",
    api=_api,
    routes=(HttpRoute("sns-links", _is_link, _link),),
    deliver=deliver,
    failure_attributes=failure_attributes,
    options=ProtocolOptions(validation="required", validation_code="InvalidParameter"),
)
