"""Topics and subscriptions as rows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from overcast.errors import client_error
from overcast.platform import Platform


def not_found(what: str = "Topic") -> Exception:
    return client_error("NotFound", f"{what} does not exist", status=404)


def invalid(message: str) -> Exception:
    return client_error("InvalidParameter", f"Invalid parameter: {message}")


@dataclass(frozen=True)
class Topic:
    arn: str
    account: str
    region: str
    name: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def content_dedup(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"


@dataclass(frozen=True)
class Subscription:
    arn: str
    topic_arn: str
    owner: str
    protocol: str
    endpoint: str
    attributes: dict[str, str]
    confirmed: bool
    token: str | None = None
    created_at: float = 0.0
    principal: str | None = None

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery") == "true"

    @property
    def dead_letter_arn(self) -> str | None:
        raw = self.attributes.get("RedrivePolicy")
        return json.loads(raw).get("deadLetterTargetArn") if raw else None

    def with_(self, **changes: Any) -> Subscription:
        return replace(self, **changes)


class SnsStore:
    def __init__(self, platform: Platform) -> None:
        self.db = platform.db

    # topics
    def find_topic(self, arn: str) -> Topic | None:
        row = self.db.query_one("SELECT * FROM sns_topics WHERE arn = ?", (arn,))
        if row is None:
            return None
        return Topic(row["arn"], row["account"], row["region"], row["name"], bool(row["fifo"]),
                     json.loads(row["attributes"]), json.loads(row["tags"]))

    def topic(self, arn: str) -> Topic:
        topic = self.find_topic(arn)
        if topic is None:
            raise not_found()
        return topic

    def put_topic(self, topic: Topic) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sns_topics(arn, account, region, name, fifo, attributes, tags) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (topic.arn, topic.account, topic.region, topic.name, int(topic.fifo), json.dumps(topic.attributes),
             json.dumps(topic.tags)),
        )

    def delete_topic(self, arn: str) -> None:
        with self.db.tx():
            self.db.execute("DELETE FROM sns_topics WHERE arn = ?", (arn,))
            self.db.execute("DELETE FROM sns_subscriptions WHERE topic_arn = ?", (arn,))
            self.db.execute("DELETE FROM sns_dedup WHERE topic_arn = ?", (arn,))

    def topics(self, account: str, region: str) -> list[str]:
        rows = self.db.query("SELECT arn FROM sns_topics WHERE account = ? AND region = ? ORDER BY arn", (account, region))
        return [r["arn"] for r in rows]

    # subscriptions
    def subscription(self, arn: str) -> Subscription | None:
        row = self.db.query_one("SELECT * FROM sns_subscriptions WHERE arn = ?", (arn,))
        return _sub(row) if row is not None else None

    def by_token(self, token: str) -> Subscription | None:
        row = self.db.query_one("SELECT * FROM sns_subscriptions WHERE token = ?", (token,))
        return _sub(row) if row is not None else None

    def subscriptions(self, topic_arn: str | None = None, account: str | None = None) -> list[Subscription]:
        if topic_arn is not None:
            rows = self.db.query("SELECT * FROM sns_subscriptions WHERE topic_arn = ? ORDER BY created_at, arn", (topic_arn,))
        else:
            rows = self.db.query("SELECT * FROM sns_subscriptions WHERE owner = ? ORDER BY created_at, arn", (account,))
        return [_sub(r) for r in rows]

    def put_subscription(self, sub: Subscription) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sns_subscriptions(arn, topic_arn, owner, protocol, endpoint, attributes, confirmed,"
            " token, created_at, principal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (sub.arn, sub.topic_arn, sub.owner, sub.protocol, sub.endpoint, json.dumps(sub.attributes),
             int(sub.confirmed), sub.token, sub.created_at, sub.principal),
        )

    def delete_subscription(self, arn: str) -> None:
        self.db.execute("DELETE FROM sns_subscriptions WHERE arn = ?", (arn,))


def _sub(row: Any) -> Subscription:
    return Subscription(row["arn"], row["topic_arn"], row["owner"], row["protocol"], row["endpoint"],
                        json.loads(row["attributes"]), bool(row["confirmed"]), row["token"], row["created_at"],
                        row["principal"])
