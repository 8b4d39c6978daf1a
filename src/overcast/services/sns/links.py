"""The links SNS puts in what it delivers: SubscribeURL (confirms an HTTP/S subscription) and
UnsubscribeURL. On AWS they are plain unsigned GETs against the SNS endpoint; so they are here."""

from __future__ import annotations

from typing import Any

from overcast import arns
from overcast.context import RequestContext
from overcast.edge.messages import Request, Response
from overcast.errors import ServiceError
from overcast.protocol import PROTOCOLS
from overcast.protocol.catalog import service_model


async def answer(platform: Any, req: Request) -> Response:
    action = req.query_get("Action") or ""
    arn = req.query_get("TopicArn") or req.query_get("SubscriptionArn") or ""
    try:
        parsed = arns.parse(arn)
        account, region = parsed.account, parsed.region
    except ValueError:
        account, region = platform.config.default_account, platform.config.default_region
    ctx = RequestContext(account=account, region=region, service="sns", operation=action, request=req,
                         endpoint=f"{req.scheme}://{req.host}")
    model = service_model("sns")
    protocol = PROTOCOLS["query"]
    spec = platform.gateway.specs["sns"]
    api = platform.gateway.api("sns")
    op = model.operation_model(action)
    try:
        if action == "ConfirmSubscription":
            result = api.confirm_subscription(ctx, topic_arn=arn, token=req.query_get("Token") or "")
        else:
            result = api.unsubscribe(ctx, subscription_arn=arn)
    except ServiceError as error:
        return protocol.serialize_error(model, op, error, ctx, spec.options)
    return protocol.serialize(op, result, ctx, spec.options)
