"""Amazon SNS: standard and FIFO topics, subscriptions with filter policies, fan-out to SQS, Lambda
and HTTP/S endpoints on this machine (with the confirmation handshake)."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.sns.api import SnsApi

    return SnsApi(platform)


def _is_link(req) -> bool:  # type: ignore[no-untyped-def]
    """The SubscribeURL / UnsubscribeURL links SNS hands out: unsigned GETs with an Action."""
    qs = req.query_string
    return req.method == "GET" and ("Action=ConfirmSubscription" in qs or "Action=Unsubscribe" in qs) \
        and "authorization" not in req.headers and "X-Amz-Credential" not in qs


def _is_cert(req) -> bool:  # type: ignore[no-untyped-def]
    return req.method == "GET" and req.raw_path.split("?", 1)[0] == "/_overcast/sns/SimpleNotificationService-overcast.pem"


async def _cert(platform, req):  # type: ignore[no-untyped-def]
    """The certificate of the key that signs notifications (their SigningCertURL)."""
    from overcast.edge.messages import Response
    from overcast.services.sns.signing import Signer

    return Response(200, [("Content-Type", "application/x-x509-ca-cert")], platform.component(Signer).certificate())


def _is_sent(req) -> bool:  # type: ignore[no-untyped-def]
    from overcast.services.sns.sent import is_route

    return is_route(req)


async def _sent(platform, req):  # type: ignore[no-untyped-def]
    from overcast.services.sns.sent import answer

    return await answer(platform, req)


def _is_opt_out(req) -> bool:  # type: ignore[no-untyped-def]
    return req.method == "POST" and req.raw_path.split("?", 1)[0] == "/_overcast/sns/opt-out"


async def _opt_out(platform, req):  # type: ignore[no-untyped-def]
    """A phone number replies STOP: `POST /_overcast/sns/opt-out?phoneNumber=+1...[&account=&region=]`."""
    from overcast.edge.messages import Response
    from overcast.services.sns.api_sms import opt_out

    phone = req.query_get("phoneNumber") or ""
    opt_out(platform, req.query_get("account") or platform.config.default_account,
            req.query_get("region") or platform.config.default_region, phone)
    return Response(200, [("Content-Type", "application/json")], b'{"optedOut": true}')


async def _link(platform, req):  # type: ignore[no-untyped-def]
    from overcast.services.sns.links import answer

    return await answer(platform, req)


def _deliver(platform, target_arn, payload, options):  # type: ignore[no-untyped-def]
    from overcast.services.sns.inbox import deliver

    return deliver(platform, target_arn, payload, options)


def _failure_attributes(error, attempts, options):  # type: ignore[no-untyped-def]
    from overcast.services.sns.inbox import failure_attributes

    return failure_attributes(error, attempts, options)


SPEC = ServiceSpec(
    name="sns",
    api=_api,
    routes=(HttpRoute("sns-links", _is_link, _link), HttpRoute("sns-cert", _is_cert, _cert),
            HttpRoute("sns-sent", _is_sent, _sent), HttpRoute("sns-opt-out", _is_opt_out, _opt_out)),
    deliver=_deliver,
    failure_attributes=_failure_attributes,
    options=ProtocolOptions(validation="required", validation_code="InvalidParameter"),
)
