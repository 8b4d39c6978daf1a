"""What SNS sends to phones (SMS) and mobile endpoints: nothing leaves one machine, so each message is
kept in `sns_sent` and readable through the admin routes `/_overcast/sns/sms-messages` and
`/_overcast/sns/push-messages` (optionally `?target=<phone number or endpoint ARN>`)."""

from __future__ import annotations

import base64
import json
from typing import Any

from overcast.edge.messages import Request, Response
from overcast.platform import Platform
from overcast.protocol.values import format_timestamp

ROUTES = {"/_overcast/sns/sms-messages": "sms", "/_overcast/sns/push-messages": "push"}


def record_sent(platform: Platform, kind: str, account: str, region: str, target: str, message_id: str,
                message: str, subject: str | None, attributes: dict[str, Any] | None) -> None:
    """Keep one sent message (committed before the publish answers)."""
    platform.db.execute(
        "INSERT INTO sns_sent(kind, account, region, target, message_id, message, subject, attributes, sent_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, account, region, target, message_id, message, subject, json.dumps(_plain(attributes or {})),
         platform.clock.now()),
    )


def _plain(attributes: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, attr in attributes.items():
        value = attr.get("BinaryValue")
        out[name] = ({"DataType": attr.get("DataType"), "BinaryValue": base64.b64encode(value).decode()}
                     if isinstance(value, bytes) else dict(attr))
    return out


def is_route(req: Request) -> bool:
    return req.method == "GET" and req.raw_path.split("?", 1)[0] in ROUTES


async def answer(platform: Platform, req: Request) -> Response:
    kind = ROUTES[req.raw_path.split("?", 1)[0]]
    target = req.query_get("target")
    sql = "SELECT * FROM sns_sent WHERE kind = ?"
    args: list[Any] = [kind]
    if target:
        sql += " AND target = ?"
        args.append(target)
    rows = platform.db.query(sql + " ORDER BY id", tuple(args))
    key = "PhoneNumber" if kind == "sms" else "EndpointArn"
    messages = [{
        "MessageId": r["message_id"], key: r["target"], "Message": r["message"], "Subject": r["subject"],
        "MessageAttributes": json.loads(r["attributes"]), "Region": r["region"], "AccountId": r["account"],
        "Timestamp": format_timestamp(r["sent_at"], "iso8601"),
    } for r in rows]
    body = json.dumps({"messages": messages}).encode()
    return Response(200, [("Content-Type", "application/json")], body)
