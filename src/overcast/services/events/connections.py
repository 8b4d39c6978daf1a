"""Connection states on the platform clock, as AWS moves them
([AWS](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-states.html)).

A Basic or API-key connection is AUTHORIZED as soon as it is created or updated. An OAuth client
credentials connection is AUTHORIZING until EventBridge has called its authorization endpoint:
then AUTHORIZED (the token is kept for deliveries) or, when the endpoint gives no access token,
DEAUTHORIZED with a `StateReason`. DeauthorizeConnection answers DEAUTHORIZING, then the
connection is DEAUTHORIZED. An API destination is ACTIVE while its connection is AUTHORIZED and
INACTIVE otherwise; deliveries through a connection that is not AUTHORIZED fail at once.

The transitional states are kept with their due time (`_due`) in the connection's row, and one
loop settles them, so a restart resumes them.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from overcast.delivery import DeliveryError
from overcast.platform import Platform
from overcast.services.events.destinations import deauthorize, fetch_token
from overcast.services.events.store import EventsStore

log = logging.getLogger("overcast.events")

CONNECTIONS = "events_connections"
SIGNAL = "events-connections"
#: AWS seconds a connection stays AUTHORIZING / DEAUTHORIZING before EventBridge settles it
SETTLE_SECONDS = 2.0
IDLE_WAIT = 5.0
TRANSITIONAL = ("AUTHORIZING", "DEAUTHORIZING")


def begin(platform: Platform, doc: dict[str, Any], state: str) -> None:
    """Put a connection document in a transitional state, due to settle after AWS's delay."""
    doc.update(ConnectionState=state, _due=platform.clock.later(SETTLE_SECONDS))
    doc.pop("StateReason", None)


def destination_state(connection: dict[str, Any] | None) -> str:
    """An API destination's state follows its connection's."""
    return "ACTIVE" if connection is not None and connection.get("ConnectionState") == "AUTHORIZED" else "INACTIVE"


async def connection_loop(platform: Platform) -> None:
    """One round: settle the due transitional connections, then wait for the next one or new work."""
    db = platform.db
    rows = db.query("SELECT account, region, name, doc FROM events_connections WHERE "
                    "json_extract(doc, '$.ConnectionState') IN (?, ?)", TRANSITIONAL)
    waits = [IDLE_WAIT]
    for row in rows:
        doc = json.loads(row["doc"])
        left = float(doc.get("_due", 0)) - platform.clock.now()
        if left > 0:
            waits.append(left)
            continue
        try:
            await settle(platform, row["account"], row["region"], doc)
        except Exception:  # one connection's failure must not stop the others
            log.exception("settling connection %s", row["name"])
    await platform.signals.wait(SIGNAL, max(0.05, min(waits)))


async def settle(platform: Platform, account: str, region: str, doc: dict[str, Any]) -> None:
    """Move a due connection out of its transitional state."""
    store = platform.component(EventsStore)
    started = (doc["ConnectionState"], doc.get("_due"))
    now = platform.clock.now()
    if doc["ConnectionState"] == "DEAUTHORIZING":
        doc.update(ConnectionState="DEAUTHORIZED", LastModifiedTime=now, _token=None, _due=None)
    else:
        try:
            doc["_token"] = await fetch_token(platform, doc["_auth"]["OAuthParameters"])
            doc.update(ConnectionState="AUTHORIZED", LastAuthorizedTime=now, LastModifiedTime=now, _due=None)
            doc.pop("StateReason", None)
        except DeliveryError as failed:
            deauthorize(doc, str(failed), now)
    current = store.doc(CONNECTIONS, account, region, doc["Name"])
    if current is None or (current["ConnectionState"], current.get("_due")) != started:
        return  # deleted or changed while the authorization endpoint was called
    store.put_doc(CONNECTIONS, account, region, doc["Name"], doc)
