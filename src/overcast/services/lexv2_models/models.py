"""Lex V2's state: bots and everything under them, kept as documents in `lexv2_docs`.

Where each kind lives (`parent` scopes a document, ids are unique within it):

    bot       parent ""                                   id botId
    version   parent botId                                id botVersion ("DRAFT" is the bot's own)
    alias     parent botId                                id botAliasId (TSTALIASID: the test alias)
    locale    parent botId/botVersion                     id localeId
    intent    parent botId/botVersion/localeId            id intentId
    slottype  parent botId/botVersion/localeId            id slotTypeId
    slot      parent botId/botVersion/localeId/intentId   id slotId
    session   parent botId/botAliasId/localeId            id sessionId   (the runtime's sessions)
    skill     parent ""                                   id skillId     (local Alexa skills)

Statuses that move on AWS by themselves (a bot Creating → Available, a locale Building → Built) are
kept as the status the resource reaches and the platform-clock time it reaches it (`_ready`): a
read before that time answers the transitional status.
"""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

from overcast.platform import Platform
from overcast.services.lexv2_models.errors import not_found
from overcast.storage.documents import Documents

TABLE = "lexv2_docs"
DRAFT = "DRAFT"
TEST_ALIAS = "TSTALIASID"
TEST_ALIAS_NAME = "TestBotAlias"
#: AWS seconds a bot takes to become Available, a locale to build, a version to be created
CREATE_SECONDS = 2.0
BUILD_SECONDS = 5.0

_ID_CHARS = string.ascii_uppercase + string.digits


def new_id() -> str:
    """A Lex resource id: ten upper-case letters and digits."""
    return "".join(secrets.choice(_ID_CHARS) for _ in range(10))


def parent_of(*parts: str) -> str:
    return "/".join(parts)


class LexStore:
    """Lex V2 documents of one platform (`platform.component(LexStore)`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.docs = Documents(platform.db, TABLE)

    # -- documents ----------------------------------------------------------------------------

    def get(self, account: str, region: str, kind: str, id: str, parent: str = "") -> dict[str, Any] | None:
        doc = self.docs.get(account, region, kind, id, parent)
        return self._settled(doc) if doc is not None else None

    def need(self, account: str, region: str, kind: str, id: str, parent: str = "") -> dict[str, Any]:
        doc = self.get(account, region, kind, id, parent)
        if doc is None:
            raise not_found()
        return doc

    def put(self, account: str, region: str, kind: str, id: str, doc: dict[str, Any], parent: str = "") -> None:
        self.docs.put(account, region, kind, id, doc, parent)

    def delete(self, account: str, region: str, kind: str, id: str, parent: str = "") -> bool:
        return self.docs.delete(account, region, kind, id, parent)

    def children(self, account: str, region: str, kind: str, parent: str = "") -> list[dict[str, Any]]:
        return [self._settled(d) for d in self.docs.list(account, region, kind, parent)]

    def _settled(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The document as it reads now: a transition whose time has come is complete."""
        pending = doc.get("_pending")
        if pending and self.platform.clock.now() >= pending["at"]:
            doc[pending["field"]] = pending["status"]
            doc.pop("_pending")
        return doc

    def later(self, doc: dict[str, Any], field: str, now_status: str, then_status: str, aws_seconds: float) -> None:
        """`doc[field]` reads `now_status` until `aws_seconds` on the platform clock have passed."""
        doc[field] = now_status
        doc["_pending"] = {"field": field, "status": then_status, "at": self.platform.clock.later(aws_seconds)}

    # -- trees --------------------------------------------------------------------------------

    def subtree(self, account: str, region: str, prefix: str) -> list[tuple[str, str, str, dict[str, Any]]]:
        """(kind, parent, id, doc) of every document whose parent is `prefix` or below it."""
        rows = self.platform.db.query(
            f"SELECT kind, parent, id, doc FROM {TABLE} WHERE account=? AND region=? AND (parent=? OR parent LIKE ?) "
            "ORDER BY seq", (account, region, prefix, prefix + "/%"))
        return [(r["kind"], r["parent"], r["id"], json.loads(r["doc"])) for r in rows]

    def delete_subtree(self, account: str, region: str, prefix: str) -> None:
        self.platform.db.execute(f"DELETE FROM {TABLE} WHERE account=? AND region=? AND (parent=? OR parent LIKE ?)",
                                 (account, region, prefix, prefix + "/%"))

    def copy_version(self, account: str, region: str, bot_id: str, source: str, target: str,
                     locales: set[str]) -> None:
        """Snapshot `source`'s locales (and their intents, slots, slot types) as version `target`."""
        for kind, parent, id, doc in self.subtree(account, region, parent_of(bot_id, source)):
            locale = id if kind == "locale" else parent.split("/")[2]
            if locale not in locales:
                continue
            doc = dict(doc, botVersion=target)
            self.put(account, region, kind, id, doc, parent_of(bot_id, target, *parent.split("/")[2:]))

    # -- lookups the runtime uses -------------------------------------------------------------

    def bot(self, account: str, region: str, bot_id: str) -> dict[str, Any]:
        return self.need(account, region, "bot", bot_id)

    def locale(self, account: str, region: str, bot_id: str, version: str, locale_id: str) -> dict[str, Any]:
        return self.need(account, region, "locale", locale_id, parent_of(bot_id, version))

    def intents(self, account: str, region: str, bot_id: str, version: str, locale_id: str) -> list[dict[str, Any]]:
        return self.children(account, region, "intent", parent_of(bot_id, version, locale_id))

    def slots(self, account: str, region: str, bot_id: str, version: str, locale_id: str,
              intent_id: str) -> list[dict[str, Any]]:
        return self.children(account, region, "slot", parent_of(bot_id, version, locale_id, intent_id))

    def slot_types(self, account: str, region: str, bot_id: str, version: str,
                   locale_id: str) -> list[dict[str, Any]]:
        return self.children(account, region, "slottype", parent_of(bot_id, version, locale_id))

    def alias(self, account: str, region: str, bot_id: str, alias_id: str) -> dict[str, Any]:
        return self.need(account, region, "alias", alias_id, bot_id)


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """A document without overcast's own bookkeeping (keys starting with `_`)."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}
