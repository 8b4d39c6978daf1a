"""Queues: rows in `sqs_queues`, cached in memory (one process, one event loop), and queue URLs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from overcast import arns
from overcast.platform import Platform
from overcast.services.sqs.errors import QueueDoesNotExist

_ACCOUNT = re.compile(r"^\d{12}$")
_REGION_HOST = re.compile(r"(?:^|\.)sqs\.([a-z0-9-]+)\.|^([a-z0-9-]+)\.queue\.")


@dataclass(frozen=True)
class Queue:
    arn: str
    account: str
    region: str
    name: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    created_at: float = 0.0
    modified_at: float = 0.0
    purged_at: float | None = None

    def url(self, endpoint: str, default_region: str | None = None) -> str:
        """The queue URL under the endpoint the client used: `http://localhost:4566/<account>/<name>`
        in the default region, `.../queue/<region>/<account>/<name>` in the others (AWS's URLs differ
        by region: `https://sqs.<region>.amazonaws.com/<account>/<name>`)."""
        if default_region is not None and self.region != default_region:
            return f"{endpoint}/queue/{self.region}/{self.account}/{self.name}"
        return f"{endpoint}/{self.account}/{self.name}"

    def number(self, name: str) -> int:
        return int(self.attributes[name])

    @property
    def redrive(self) -> dict[str, Any] | None:
        raw = self.attributes.get("RedrivePolicy")
        return json.loads(raw) if raw else None

    @property
    def content_dedup(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"

    @property
    def dedup_per_group(self) -> bool:
        return self.attributes.get("DeduplicationScope") == "messageGroup"


def queue_arn(region: str, account: str, name: str) -> str:
    return arns.build("sqs", region, account, name)


def arn_from_url(url: str, account: str, region: str) -> str:
    """The ARN a queue URL names. Accepts `http://host/<account>/<name>`, AWS's own hosts
    (`https://sqs.<region>.amazonaws.com/<account>/<name>`), `/queue/<region>/<account>/<name>`
    and a bare queue name."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not parts.scheme and len(segments) == 1:
        return queue_arn(region, account, segments[0])
    if len(segments) >= 2 and _ACCOUNT.match(segments[-2]):
        account = segments[-2]
        if len(segments) >= 3 and segments[-3] != "queue":
            region = segments[-3] if re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", segments[-3]) else region
    elif len(segments) != 1:
        raise QueueDoesNotExist()
    match = _REGION_HOST.search(parts.hostname or "")
    if match:
        region = match.group(1) or match.group(2)
    return queue_arn(region, account, segments[-1])


class QueueStore:
    """Queue rows with an in-memory cache of `Queue` objects by ARN."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.clock = platform.clock
        self._cache: dict[str, Queue | None] = {}
        #: ARN → when it was deleted (AWS refuses the name for 60 s; kept in memory only)
        self.deleted: dict[str, float] = {}
        platform.on_reset(self._cache.clear)
        platform.on_reset(self.deleted.clear)

    def find(self, arn: str) -> Queue | None:
        if arn in self._cache:
            return self._cache[arn]
        row = self.db.query_one("SELECT * FROM sqs_queues WHERE arn = ?", (arn,))
        queue = _from_row(row) if row is not None else None
        self._cache[arn] = queue
        return queue

    def get(self, arn: str) -> Queue:
        queue = self.find(arn)
        if queue is None:
            raise QueueDoesNotExist()
        return queue

    def put(self, queue: Queue) -> None:
        redrive = queue.redrive
        self.db.execute(
            "INSERT OR REPLACE INTO sqs_queues(arn, account, region, name, fifo, attributes, tags, created_at,"
            " modified_at, purged_at, dlq_arn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (queue.arn, queue.account, queue.region, queue.name, int(queue.fifo), json.dumps(queue.attributes),
             json.dumps(queue.tags), queue.created_at, queue.modified_at, queue.purged_at,
             redrive["deadLetterTargetArn"] if redrive else None),
        )
        self._cache[queue.arn] = queue

    def delete(self, arn: str) -> None:
        with self.db.tx():
            self.db.execute("DELETE FROM sqs_queues WHERE arn = ?", (arn,))
            self.db.execute("DELETE FROM sqs_messages WHERE queue_arn = ?", (arn,))
            self.db.execute("DELETE FROM sqs_dedup WHERE queue_arn = ?", (arn,))
            self.db.execute("DELETE FROM sqs_receive_attempts WHERE queue_arn = ?", (arn,))
        self._cache.pop(arn, None)

    def names(self, account: str, region: str, prefix: str = "") -> list[Queue]:
        rows = self.db.query(
            "SELECT * FROM sqs_queues WHERE account = ? AND region = ? ORDER BY name", (account, region)
        )
        return [_from_row(r) for r in rows if r["name"].startswith(prefix)]

    def sources_of(self, dlq_arn: str) -> list[Queue]:
        rows = self.db.query("SELECT * FROM sqs_queues WHERE dlq_arn = ? ORDER BY name", (dlq_arn,))
        return [_from_row(r) for r in rows]


def _from_row(row: Any) -> Queue:
    return Queue(
        arn=row["arn"], account=row["account"], region=row["region"], name=row["name"], fifo=bool(row["fifo"]),
        attributes=json.loads(row["attributes"]), tags=json.loads(row["tags"]), created_at=row["created_at"],
        modified_at=row["modified_at"], purged_at=row["purged_at"],
    )
