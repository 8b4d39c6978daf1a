"""Messages as rows: send, receive, delete, change visibility, purge, dead-letter redrive.

A message's `available_at` is when it can next be received: the send time plus DelaySeconds, then
the end of each visibility timeout. A message is *delayed* while never received and not yet
available, *in flight* while received and not yet available again. Every write commits before
the operation answers. Whenever a message becomes receivable the signal `sqs:<queue arn>` fires
(at once for writes; the timer loop fires it when a delay or visibility timeout runs out).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

from overcast.platform import Platform
from overcast.services.sqs import metrics
from overcast.services.sqs.digest import md5_of_attributes
from overcast.services.sqs.errors import InvalidParameterValue, ReceiptHandleIsInvalid
from overcast.services.sqs.fifo import SEQUENCE_BASE, group_by_group, sequence_number, sequence_part
from overcast.services.sqs.queues import Queue, QueueStore

MAX_VISIBILITY = 43_200          # AWS: a message can stay in flight at most 12 hours
DEDUP_WINDOW = 300               # AWS: FIFO deduplication interval, 5 minutes
RECEIVE_ATTEMPT_WINDOW = 300     # AWS: ReceiveRequestAttemptId is remembered 5 minutes
TIMERS = "sqs:timers"


def signal_key(queue_arn: str) -> str:
    """The signal notified whenever a message of the queue becomes receivable."""
    return f"sqs:{queue_arn}"


@dataclass(frozen=True)
class Outgoing:
    """A validated message, ready to store."""

    body: str
    attributes: dict[str, dict[str, Any]]
    system: dict[str, dict[str, Any]]
    delay: int | None  # None: the queue's DelaySeconds
    group_id: str | None = None
    dedup_id: str | None = None

    @property
    def md5_body(self) -> str:
        return hashlib.md5(self.body.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Sent:
    message_id: str
    md5_body: str
    md5_attributes: str | None
    md5_system: str | None
    sequence_number: str | None


@dataclass(frozen=True)
class Received:
    """One received message: the stored row and the receipt handle of this receive."""

    row: Any
    receipt_handle: str


def _encode_attrs(attributes: dict[str, dict[str, Any]]) -> str | None:
    if not attributes:
        return None
    out = {}
    for name, attr in attributes.items():
        value = attr.get("BinaryValue")
        if value is not None:
            out[name] = {"DataType": attr["DataType"], "BinaryValue": base64.b64encode(value).decode()}
        else:
            out[name] = attr
    return json.dumps(out)


def decode_attrs(raw: str | None) -> dict[str, dict[str, Any]]:
    if not raw:
        return {}
    attrs = json.loads(raw)
    for attr in attrs.values():
        if "BinaryValue" in attr:
            attr["BinaryValue"] = base64.b64decode(attr["BinaryValue"])
    return attrs


def receipt_handle(queue_arn: str, seq: int, token: str) -> str:
    return base64.b64encode(f"{token} {seq} {queue_arn}".encode()).decode()


def parse_handle(queue: Queue, handle: str) -> tuple[int, str]:
    """(row seq, receive token) of a receipt handle for `queue`."""
    try:
        token, seq, arn = base64.b64decode(handle, validate=True).decode().split(" ", 2)
        if arn != queue.arn:
            raise ValueError
        return int(seq), token
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.') from None


class Messages:
    """Message rows of every queue on one platform."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.clock = platform.clock
        self.signals = platform.signals
        self.queues = platform.component(QueueStore)
        self.next_due = math.inf
        self._last_round = self.clock.now()
        self._next_expiry = 0.0
        self._served: dict[str, dict[str, int]] = {}  # FIFO: queue → group → when last served
        self._serve_count = 0

    # -- timers -------------------------------------------------------------------------------

    def _schedule(self, at: float) -> None:
        if at < self.next_due:
            self.next_due = at
            self.signals.notify(TIMERS)

    def _available(self, queue_arn: str, at: float, now: float) -> None:
        if at <= now:
            self.signals.notify(signal_key(queue_arn))
        else:
            self._schedule(at)

    async def timer_round(self, idle: float = 5.0) -> None:
        """Fire the signal of every queue whose messages came due, drop expired messages, then
        wait for the next due time (or an earlier timer)."""
        now = self.clock.now()
        due = self.db.query(
            "SELECT DISTINCT queue_arn FROM sqs_messages WHERE available_at > ? AND available_at <= ?",
            (self._last_round, now),
        )
        for row in due:
            self.signals.notify(signal_key(row["queue_arn"]))
        self._last_round = now
        if now >= self._next_expiry:
            self.expire(now)
            self._next_expiry = now + max(1.0, self.clock.scaled(60))
        nxt = self.db.scalar("SELECT MIN(available_at) FROM sqs_messages WHERE available_at > ?", (now,))
        self.next_due = nxt if nxt is not None else math.inf
        timeout = min(idle, self._next_expiry - now, (nxt - now) if nxt is not None else idle)
        await self.signals.wait(TIMERS, max(timeout, 0.0005))

    def expire(self, now: float) -> None:
        """Retention: messages older than MessageRetentionPeriod are deleted."""
        with self.db.tx():
            self.db.execute("DELETE FROM sqs_messages WHERE expires_at <= ?", (now,))
            self.db.execute("DELETE FROM sqs_dedup WHERE expires_at <= ?", (now,))
            self.db.execute("DELETE FROM sqs_receive_attempts WHERE expires_at <= ?", (now,))

    # -- send ---------------------------------------------------------------------------------

    def send(self, queue: Queue, out: Outgoing, sender_id: str, *, message_id: str | None = None,
             source_arn: str | None = None) -> Sent:
        """Store one message (FIFO: deduplicated). Call inside a transaction for batches."""
        now = self.clock.now()
        md5_attrs = md5_of_attributes(out.attributes)
        md5_system = md5_of_attributes(out.system)
        with self.db.tx():
            if queue.fifo:
                duplicate = self._duplicate(queue, out, now)
                if duplicate is not None:
                    msg_id, part = duplicate
                    return Sent(msg_id, out.md5_body, md5_attrs, md5_system, str(SEQUENCE_BASE + part))
            msg_id = message_id or str(uuid.uuid4())
            delay = out.delay if out.delay is not None else queue.number("DelaySeconds")
            available = now + self.clock.scaled(delay) if delay else now
            cursor = self.db.execute(
                "INSERT INTO sqs_messages(queue_arn, message_id, body, md5_body, attributes, md5_attributes, system,"
                " md5_system, sender_id, sent_at, available_at, expires_at, group_id, dedup_id, source_arn)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (queue.arn, msg_id, out.body, out.md5_body, _encode_attrs(out.attributes), md5_attrs,
                 _encode_attrs(out.system), md5_system, sender_id, now, available,
                 now + self.clock.scaled(queue.number("MessageRetentionPeriod")), out.group_id, out.dedup_id,
                 source_arn),
            )
            seq = int(cursor.lastrowid or 0)
            if queue.fifo:
                self.db.execute(
                    "INSERT OR REPLACE INTO sqs_dedup(queue_arn, dedup_key, message_id, seq, expires_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (queue.arn, self._dedup_key(queue, out), msg_id, sequence_part(seq, now),
                     now + self.clock.scaled(DEDUP_WINDOW)),
                )
        self._available(queue.arn, available, now)
        if self.platform.metrics.enabled:
            metrics.count(self.platform, queue.account, queue.region, queue.name, "NumberOfMessagesSent", 1.0)
            metrics.count(self.platform, queue.account, queue.region, queue.name, "SentMessageSize",
                          float(len(out.body.encode())), "Bytes")
        return Sent(msg_id, out.md5_body, md5_attrs, md5_system, sequence_number(seq, now) if queue.fifo else None)

    def _dedup_key(self, queue: Queue, out: Outgoing) -> str:
        key = out.dedup_id or hashlib.sha256(out.body.encode()).hexdigest()
        return f"{out.group_id}\x00{key}" if queue.dedup_per_group else key

    def _duplicate(self, queue: Queue, out: Outgoing, now: float) -> tuple[str, int] | None:
        row = self.db.query_one(
            "SELECT message_id, seq FROM sqs_dedup WHERE queue_arn = ? AND dedup_key = ? AND expires_at > ?",
            (queue.arn, self._dedup_key(queue, out), now),
        )
        return (row["message_id"], row["seq"]) if row is not None else None

    # -- receive ------------------------------------------------------------------------------

    def receive(self, queue: Queue, max_messages: int, visibility: int | None = None,
                attempt_id: str | None = None) -> list[Received]:
        """Take up to `max_messages` receivable messages and make them invisible (no waiting)."""
        now = self.clock.now()
        if queue.fifo and attempt_id:
            again = self._attempt(queue, attempt_id, now)
            if again is not None:
                return again
        timeout = queue.number("VisibilityTimeout") if visibility is None else visibility
        redrive = queue.redrive
        taken: list[Received] = []
        with self.db.tx():
            while len(taken) < max_messages:
                rows = self._candidates(queue, max_messages - len(taken), now)
                if not rows:
                    break
                moved = False
                for row in rows:
                    if redrive and row["receive_count"] >= redrive["maxReceiveCount"] and self._redrive(queue, row, redrive):
                        moved = True
                        continue
                    taken.append(self._take(queue, row, timeout, now))
                if not moved:
                    break
            if queue.fifo and attempt_id:
                self.db.execute(
                    "INSERT OR REPLACE INTO sqs_receive_attempts(queue_arn, attempt_id, result, expires_at)"
                    " VALUES (?, ?, ?, ?)",
                    (queue.arn, attempt_id, json.dumps([[r.row["seq"], r.receipt_handle] for r in taken]),
                     now + self.clock.scaled(RECEIVE_ATTEMPT_WINDOW)),
                )
        if taken and timeout:
            self._schedule(now + self.clock.scaled(timeout))
        if taken and self.platform.metrics.enabled:
            metrics.count(self.platform, queue.account, queue.region, queue.name, "NumberOfMessagesReceived",
                          float(len(taken)))
        if queue.fifo:
            self._mark_served(queue.arn, taken)
        return taken

    def _candidates(self, queue: Queue, limit: int, now: float) -> list[Any]:
        if not queue.fifo:
            return self.db.query(
                "SELECT * FROM sqs_messages WHERE queue_arn = ? AND available_at <= ? AND expires_at > ?"
                " ORDER BY seq LIMIT ?", (queue.arn, now, now, limit),
            )
        # FIFO: a message group is blocked from its first in-flight message on (AWS: "messages that
        # belong to the same message group are processed one by one, in a strict order"); visible
        # messages before it stay receivable.
        rows = self.db.query(
            "SELECT * FROM sqs_messages AS m WHERE queue_arn = ? AND available_at <= ? AND expires_at > ?"
            " AND NOT EXISTS (SELECT 1 FROM sqs_messages AS f WHERE f.queue_arn = m.queue_arn"
            " AND f.group_id = m.group_id AND f.available_at > ? AND f.receive_count > 0 AND f.seq < m.seq)"
            " ORDER BY seq LIMIT 1000", (queue.arn, now, now, now),
        )
        return group_by_group(rows, self._served.get(queue.arn, {}), limit)

    def _mark_served(self, queue_arn: str, taken: list[Received]) -> None:
        served = self._served.setdefault(queue_arn, {})
        for received in taken:
            self._serve_count += 1
            served[received.row["group_id"]] = self._serve_count

    def _take(self, queue: Queue, row: Any, timeout: int, now: float) -> Received:
        token = uuid.uuid4().hex
        first = row["first_receive_at"] or now
        self.db.execute(
            "UPDATE sqs_messages SET receive_count = receive_count + 1, receipt = ?, available_at = ?,"
            " first_receive_at = ?, visible_limit = ? WHERE seq = ?",
            (token, now + self.clock.scaled(timeout), first, first + self.clock.scaled(MAX_VISIBILITY), row["seq"]),
        )
        fresh = dict(row)
        fresh.update(receive_count=row["receive_count"] + 1, first_receive_at=first)
        return Received(fresh, receipt_handle(queue.arn, row["seq"], token))

    def _attempt(self, queue: Queue, attempt_id: str, now: float) -> list[Received] | None:
        stored = self.db.query_one(
            "SELECT result FROM sqs_receive_attempts WHERE queue_arn = ? AND attempt_id = ? AND expires_at > ?",
            (queue.arn, attempt_id, now),
        )
        if stored is None:
            return None
        again = []
        for seq, handle in json.loads(stored["result"]):
            row = self.db.query_one("SELECT * FROM sqs_messages WHERE seq = ?", (seq,))
            if row is None or row["available_at"] <= now or parse_handle(queue, handle)[1] != row["receipt"]:
                return None
            again.append(Received(dict(row), handle))
        return again

    def _redrive(self, queue: Queue, row: Any, redrive: dict[str, Any]) -> bool:
        """Move a message received maxReceiveCount times to the dead-letter queue (AWS moves it
        instead of returning it once its receive count exceeds maxReceiveCount)."""
        dlq = self.queues.find(redrive["deadLetterTargetArn"])
        if dlq is None:
            return False
        self.move(row, dlq, source_arn=queue.arn)
        return True

    def move(self, row: Any, target: Queue, source_arn: str | None) -> None:
        """Move one message row to `target` (dead-letter redrive, message move tasks). A dead-lettered
        message keeps its receive count, as on AWS; a move task's message starts afresh."""
        now = self.clock.now()
        count = row["receive_count"] if source_arn is not None else 0
        retention = self.clock.scaled(target.number("MessageRetentionPeriod"))
        # Standard queues keep the original enqueue time for retention; FIFO queues restart it.
        expires = now + retention if target.fifo else row["sent_at"] + retention
        self.db.execute("DELETE FROM sqs_messages WHERE seq = ?", (row["seq"],))
        self.db.execute(
            "INSERT INTO sqs_messages(queue_arn, message_id, body, md5_body, attributes, md5_attributes, system,"
            " md5_system, sender_id, sent_at, available_at, expires_at, group_id, dedup_id, source_arn,"
            " receive_count, first_receive_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (target.arn, row["message_id"], row["body"], row["md5_body"], row["attributes"], row["md5_attributes"],
             row["system"], row["md5_system"], row["sender_id"], row["sent_at"], now, expires, row["group_id"],
             row["dedup_id"], source_arn, count, row["first_receive_at"] if count else None),
        )
        self.signals.notify(signal_key(target.arn))

    # -- delete / visibility --------------------------------------------------------------------

    def delete(self, queue: Queue, handle: str) -> None:
        seq, token = parse_handle(queue, handle)
        row = self.db.query_one("SELECT receipt, available_at FROM sqs_messages WHERE seq = ?", (seq,))
        if row is None:
            return  # AWS: deleting a message that is already gone succeeds
        now = self.clock.now()
        current = row["receipt"] == token
        if queue.fifo and not (current and row["available_at"] > now):
            raise InvalidParameterValue(
                f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
            )
        if not current and row["available_at"] > now:
            return  # a stale handle of a message someone else now holds: succeeds, deletes nothing
        self.db.execute("DELETE FROM sqs_messages WHERE seq = ?", (seq,))
        if self.platform.metrics.enabled:
            metrics.count(self.platform, queue.account, queue.region, queue.name, "NumberOfMessagesDeleted", 1.0)
        if queue.fifo:
            self.signals.notify(signal_key(queue.arn))  # the message group is unlocked

    def change_visibility(self, queue: Queue, handle: str, timeout: float) -> None:
        seq, token = parse_handle(queue, handle)
        now = self.clock.now()
        row = self.db.query_one("SELECT receipt, available_at, visible_limit FROM sqs_messages WHERE seq = ?", (seq,))
        # Standard queues accept any handle of a message that still exists (an expired one, or an
        # older one after a re-receive); FIFO queues only the current handle of an in-flight message.
        stale = queue.fifo and (row is None or row["receipt"] != token or row["available_at"] <= now)
        if row is None or stale:
            raise InvalidParameterValue(
                f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is "
                "not available for visibility timeout change."
            )
        limit = row["visible_limit"] if row["visible_limit"] is not None else math.inf
        if not 0 <= timeout <= MAX_VISIBILITY or now + self.clock.scaled(timeout) > limit + 1e-6:
            raise InvalidParameterValue(
                f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for "
                f"the message is beyond the limit [{MAX_VISIBILITY} seconds]."
            )
        at = now + self.clock.scaled(timeout)
        self.db.execute("UPDATE sqs_messages SET available_at = ? WHERE seq = ?", (at, seq))
        self._available(queue.arn, at, now)

    # -- queue-wide ---------------------------------------------------------------------------

    def counts(self, queue: Queue) -> tuple[int, int, int]:
        """(visible, in flight, delayed) — AWS's ApproximateNumberOfMessages[NotVisible|Delayed]."""
        now = self.clock.now()
        row = self.db.query_one(
            "SELECT COALESCE(SUM(available_at <= ?), 0) AS v,"
            " COALESCE(SUM(available_at > ? AND receive_count > 0), 0) AS f,"
            " COALESCE(SUM(available_at > ? AND receive_count = 0), 0) AS d"
            " FROM sqs_messages WHERE queue_arn = ? AND expires_at > ?",
            (now, now, now, queue.arn, now),
        )
        assert row is not None  # an aggregate always has a row
        return int(row["v"]), int(row["f"]), int(row["d"])

    def purge(self, queue: Queue) -> None:
        """Delete the queue's messages and (FIFO) its deduplication cache, as AWS's PurgeQueue does."""
        with self.db.tx():
            self.db.execute("DELETE FROM sqs_messages WHERE queue_arn = ? AND sent_at <= ?",
                            (queue.arn, self.clock.now()))
            self.db.execute("DELETE FROM sqs_dedup WHERE queue_arn = ?", (queue.arn,))

    def visible_rows(self, queue_arn: str, limit: int) -> list[Any]:
        now = self.clock.now()
        return self.db.query(
            "SELECT * FROM sqs_messages WHERE queue_arn = ? AND available_at <= ? AND expires_at > ?"
            " ORDER BY seq LIMIT ?", (queue_arn, now, now, limit),
        )
