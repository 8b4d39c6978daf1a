"""SES's state, shared by the v1 and v2 APIs as on AWS: documents per account and region
(`identity`, `template`, `config-set`, `rule-set`, `filter`, `settings`) and the messages kept."""

from __future__ import annotations

import json
import logging
from typing import Any

from overcast.platform import Platform
from overcast.storage.documents import Documents

#: Each message sent or received is shown in the server log: nothing leaves the machine, so the log
#: (and `/_overcast/ses/messages`) is where a developer sees their mail. INFO lines of this logger
#: show at the default level (WARNING); OVERCAST_LOG_LEVEL=ERROR or higher hides them.
log = logging.getLogger("overcast.ses")


def _show_mail_lines() -> None:
    if not log.level and logging.getLogger().getEffectiveLevel() <= logging.WARNING:
        log.setLevel(logging.INFO)

IDENTITY, TEMPLATE, CONFIG_SET, RULE_SET, FILTER, SETTINGS = (
    "identity", "template", "config-set", "rule-set", "filter", "settings")


class SesStore:
    """Documents and messages of SES for one platform (`platform.component(SesStore)`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.docs = Documents(platform.db, "ses_docs")
        _show_mail_lines()

    # -- identities ----------------------------------------------------------------------------

    def identity(self, account: str, region: str, name: str) -> dict[str, Any] | None:
        return self.docs.get(account, region, IDENTITY, name.lower())

    # -- settings (the active receipt rule set...) --------------------------------------------

    def settings(self, account: str, region: str) -> dict[str, Any]:
        return self.docs.get(account, region, SETTINGS, "account") or {}

    def put_settings(self, account: str, region: str, settings: dict[str, Any]) -> None:
        self.docs.put(account, region, SETTINGS, "account", settings)

    # -- messages ------------------------------------------------------------------------------

    def keep(self, account: str, region: str, message: dict[str, Any]) -> None:
        """Keep a sent or received message (inside the caller's transaction)."""
        self.db.execute(
            "INSERT INTO ses_messages(account, region, message_id, direction, source, destination, subject, body,"
            " raw, template, outcome, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (account, region, message["Id"], message["Direction"], message["Source"],
             json.dumps(message["Destination"]), message.get("Subject"), json.dumps(message["Body"]),
             message["RawData"], json.dumps(message["Template"]) if message.get("Template") else None,
             json.dumps(message.get("Outcome") or {}), message["Timestamp"]))

    def set_outcome(self, message_id: str, outcome: dict[str, Any]) -> None:
        self.db.execute("UPDATE ses_messages SET outcome = ? WHERE message_id = ?", (json.dumps(outcome), message_id))

    def messages(self, *, email: str | None = None, direction: str | None = None) -> list[dict[str, Any]]:
        """Messages in the order they were kept; `email` keeps those from or to that address."""
        sql, args = "SELECT * FROM ses_messages", []
        if direction:
            sql += " WHERE direction = ?"
            args.append(direction)
        out = [_message(row) for row in self.db.query(sql + " ORDER BY seq", tuple(args))]
        if email:
            wanted = email.lower()
            out = [m for m in out if wanted in _addresses(m)]
        return out

    def sent_since(self, account: str, region: str, since: float) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT * FROM ses_messages WHERE account = ? AND region = ? AND direction = 'sent'"
                             " AND sent_at >= ? ORDER BY seq", (account, region, since))
        return [_message(row) for row in rows]


def _message(row: Any) -> dict[str, Any]:
    return {
        "Id": row["message_id"], "Direction": row["direction"], "Region": row["region"], "AccountId": row["account"],
        "Source": row["source"], "Destination": json.loads(row["destination"]), "Subject": row["subject"],
        "Body": json.loads(row["body"]), "RawData": row["raw"],
        "Template": json.loads(row["template"]) if row["template"] else None,
        "Outcome": json.loads(row["outcome"]), "Timestamp": row["sent_at"],
    }


def _addresses(message: dict[str, Any]) -> set[str]:
    from email.utils import getaddresses

    found = [message["Source"], *(a for values in message["Destination"].values() for a in values)]
    return {addr.lower() for _, addr in getaddresses(found)}
