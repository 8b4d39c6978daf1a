"""SES's admin routes. Nothing leaves or arrives from outside the machine, so:

- `GET /_overcast/ses/messages[?email=<address>][&direction=sent|received]`: the messages sent
  (and received), oldest first, as `{"messages": [...]}` (the JSON is described in docs/ses.md);
- `POST /_overcast/ses/inbound[?account=&region=&recipient=...&sender=]`: deliver a message to
  overcast's receiving: the body is the raw MIME message, or JSON `{"raw": "...", "recipients": [...],
  "sender": ..., "account": ..., "region": ...}`; the answer says which rules and actions ran.
"""

from __future__ import annotations

import json
from typing import Any

from overcast.edge.messages import Request, Response
from overcast.platform import Platform
from overcast.protocol.values import format_timestamp
from overcast.services.ses.store import SesStore


def _json(status: int, value: Any) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(value).encode())


async def messages(platform: Platform, req: Request) -> Response:
    found = platform.component(SesStore).messages(email=req.query_get("email"), direction=req.query_get("direction"))
    for message in found:
        message["Timestamp"] = format_timestamp(message["Timestamp"], "iso8601")
    return _json(200, {"messages": found})


async def inbound(platform: Platform, req: Request) -> Response:
    from overcast.errors import ServiceError
    from overcast.services.ses.receiving import Receiver

    body = req.body if isinstance(req.body, bytes | bytearray) else b""
    options: dict[str, Any] = {}
    if (req.headers.get("content-type") or "").startswith("application/json"):
        try:
            options = json.loads(body)
            raw = str(options["raw"]).encode()
        except (ValueError, KeyError, TypeError):
            return _json(400, {"message": 'The body must be JSON {"raw": "<MIME message>", "recipients": [...]}.'})
    else:
        raw = bytes(body)
        options = {"recipients": [v for k, v in req.query if k == "recipient"], "sender": req.query_get("sender")}
    if not raw.strip():
        return _json(400, {"message": "The message is empty."})
    account = options.get("account") or req.query_get("account") or platform.config.default_account
    region = options.get("region") or req.query_get("region") or platform.config.default_region
    try:
        result = await Receiver(platform, account, region).receive(raw, options.get("recipients") or None,
                                                                   options.get("sender"))
    except ServiceError as error:
        return _json(400, {"message": error.message, "code": error.code})
    return _json(200, result)
