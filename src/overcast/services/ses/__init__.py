"""Amazon SES v1 (the `email` query API): identities, sending, templates, configuration sets with event
destinations, and receiving through receipt rule sets. SES v2 (`services/sesv2`) shares its state.

Both APIs sign with `ses`; the gateway tells them apart by protocol: v1 is a query `Action=` form,
v2 a rest-json path under `/v2/email/`.
"""

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.ses.api import SesApi

    return SesApi(platform)


def _is_messages(req) -> bool:  # type: ignore[no-untyped-def]
    return req.method == "GET" and req.raw_path.split("?", 1)[0] == "/_overcast/ses/messages"


def _is_inbound(req) -> bool:  # type: ignore[no-untyped-def]
    return req.method == "POST" and req.raw_path.split("?", 1)[0] == "/_overcast/ses/inbound"


async def _messages(platform, req):  # type: ignore[no-untyped-def]
    from overcast.services.ses.admin import messages

    return await messages(platform, req)


async def _inbound(platform, req):  # type: ignore[no-untyped-def]
    from overcast.services.ses.admin import inbound

    return await inbound(platform, req)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.ses.smtp import smtp_loops

    return smtp_loops(platform)


SPEC = ServiceSpec(
    name="ses",
    api=_api,
    loops=_loops,
    routes=(HttpRoute("ses-messages", _is_messages, _messages), HttpRoute("ses-inbound", _is_inbound, _inbound)),
    # model-constraint errors are ValidationError; enum values are worded in SES's (sorted) order
    # SES writes text as it is: a `\r\n` in a template comes back as `\n` through an XML parser
    # BehaviorOnMXFailure is checked by SetIdentityMailFromDomain, in SES's own wording
    options=ProtocolOptions(validation="full", validation_code="ValidationError", query_raw_cr=True,
                            raw_shapes=frozenset({"BehaviorOnMXFailure"}),
                            validation_enum_order={
        "IdentityType": ("Domain", "EmailAddress"), "BehaviorOnMXFailure": ("RejectMessage", "UseDefaultValue")}),
)
