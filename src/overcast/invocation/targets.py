"""Cross-service delivery through one facade (docs/delivery.md).

A write path never calls another service inline: it *records* what must be delivered
(`record(...)`, an outbox row committed in the caller's own transaction) and the outbox loop
delivers it with `deliver(...)`, which dispatches on the target ARN's service. A failed delivery is
retried by its `RetryPolicy`; when retries run out the payload goes to the recorded failure target
(a dead-letter queue) with error attributes, or is logged as dropped — never silently lost.

Each receiving service provides a deliverer in its `models.py` (or the engine, for Lambda):
``deliver(platform, target_arn, payload: bytes, options: dict) -> None | Awaitable[None]``
raising `DeliveryError` (or a `ServiceError`) when the target cannot take it.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from overcast import arns
from overcast.errors import ServiceError
from overcast.platform import Platform

log = logging.getLogger("overcast.targets")

OUTBOX_SIGNAL = "outbox"

#: service of the target ARN → "module:function" of its deliverer (imported on first use)
DELIVERERS: dict[str, str] = {
    "sqs": "overcast.services.sqs.models:deliver",
    "sns": "overcast.services.sns.models:deliver",
    "events": "overcast.services.events.models:deliver",
    "lambda": "overcast.invocation.async_:deliver",
    "kinesis": "overcast.services.kinesis.models:deliver",
    "s3": "overcast.services.s3.models:deliver",
    "logs": "overcast.services.logs.models:deliver",
}

#: name of a failure style → function(error, attempts, options) giving the DLQ message attributes
FAILURE_ATTRIBUTES: dict[str, Callable[[ServiceError, int, dict[str, Any]], dict[str, Any]]] = {}


class DeliveryError(ServiceError):
    """A target refused or could not take a delivery. `retryable=False` skips further retries."""

    code = "DeliveryFailed"
    status = 500

    def __init__(self, message: str, *, code: str = "DeliveryFailed", retryable: bool = True) -> None:
        super().__init__(message, code=code)
        self.retryable = retryable


@dataclass(frozen=True)
class RetryPolicy:
    """How long an outbox row keeps trying: `max_attempts` deliveries within `max_age` AWS seconds,
    waiting `base * 2**n` (capped at `cap`) between them."""

    max_attempts: int = 3
    max_age: float = 86_400.0
    base: float = 1.0
    cap: float = 60.0

    def delay(self, attempts: int) -> float:
        return min(self.cap, self.base * (2 ** max(0, attempts - 1)))

    def to_dict(self) -> dict[str, float]:
        return {"max_attempts": self.max_attempts, "max_age": self.max_age, "base": self.base, "cap": self.cap}


_resolved: dict[str, Callable[..., Any]] = {}


def deliverer(service: str) -> Callable[..., Any]:
    func = _resolved.get(service)
    if func is None:
        path = DELIVERERS.get(service)
        if path is None:
            raise DeliveryError(f"overcast cannot deliver to {service} targets", code="UnsupportedTarget",
                                retryable=False)
        module_name, _, name = path.partition(":")
        try:
            func = getattr(importlib.import_module(module_name), name)
        except (ImportError, AttributeError):
            raise DeliveryError(f"overcast cannot deliver to {service} targets yet", code="UnsupportedTarget",
                                retryable=False) from None
        _resolved[service] = func
    return func


async def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any] | None = None) -> None:
    """Deliver now (from a loop). Raises `DeliveryError`/`ServiceError` when the target refuses."""
    try:
        service = arns.parse(target_arn).service
    except ValueError:
        raise DeliveryError(f"invalid target ARN {target_arn}", code="InvalidArn", retryable=False) from None
    result = deliverer(service)(platform, target_arn, payload, options or {})
    if inspect.isawaitable(result):
        await result


def record(platform: Platform, target_arn: str, payload: bytes | str, *, options: dict[str, Any] | None = None,
           retry: RetryPolicy | None = None, failure_arn: str | None = None, failure_style: str | None = None,
           delay: float = 0.0) -> None:
    """Record a delivery in the outbox (inside the caller's transaction, if any)."""
    body = payload.encode() if isinstance(payload, str) else payload
    meta = {
        "options": options or {},
        "retry": (retry or RetryPolicy()).to_dict(),
        "failure_arn": failure_arn,
        "failure_style": failure_style,
    }
    now = platform.clock.now()
    platform.db.execute(
        "INSERT INTO outbox(target_arn, payload, options, created_at, available_at) VALUES (?, ?, ?, ?, ?)",
        (target_arn, body, json.dumps(meta), now, now + platform.clock.scaled(delay)),
    )
    platform.signals.notify(OUTBOX_SIGNAL)


BATCH = 200
IDLE_WAIT = 5.0


async def outbox_loop(platform: Platform) -> None:
    """One round: deliver what is due, then wait for new rows or the next due time."""
    clock = platform.clock
    now = clock.now()
    rows = platform.db.query(
        "SELECT * FROM outbox WHERE available_at <= ? ORDER BY available_at, id LIMIT ?", (now, BATCH)
    )
    for row in rows:
        await _attempt(platform, row)
    if len(rows) == BATCH:
        return
    nxt = platform.db.scalar("SELECT MIN(available_at) FROM outbox")
    timeout = IDLE_WAIT if nxt is None else max(0.0, min(IDLE_WAIT, nxt - clock.now()))
    if timeout > 0:
        await platform.signals.wait(OUTBOX_SIGNAL, timeout)


async def _attempt(platform: Platform, row: Any) -> None:
    meta = json.loads(row["options"])
    try:
        await deliver(platform, row["target_arn"], row["payload"], meta["options"])
    except ServiceError as error:
        _failed(platform, row, meta, error)
        return
    except Exception as exc:  # a deliverer bug must not stop the loop or lose the row
        log.exception("delivery to %s crashed", row["target_arn"])
        _failed(platform, row, meta, DeliveryError(str(exc), code="InternalFailure"))
        return
    platform.db.execute("DELETE FROM outbox WHERE id = ?", (row["id"],))


def _failed(platform: Platform, row: Any, meta: dict[str, Any], error: ServiceError) -> None:
    retry = RetryPolicy(**meta["retry"])
    attempts = row["attempts"] + 1
    clock = platform.clock
    age = clock.aws_elapsed(row["created_at"])
    retryable = getattr(error, "retryable", True)
    if retryable and attempts < retry.max_attempts and age + retry.delay(attempts) < retry.max_age:
        platform.db.execute(
            "UPDATE outbox SET attempts = ?, available_at = ? WHERE id = ?",
            (attempts, clock.later(retry.delay(attempts)), row["id"]),
        )
        return
    condition = "MaximumRetryAttempts" if attempts >= retry.max_attempts else "MaximumEventAgeInSeconds"
    with platform.db.tx():
        platform.db.execute("DELETE FROM outbox WHERE id = ?", (row["id"],))
        failure_arn = meta.get("failure_arn")
        if failure_arn:
            style = FAILURE_ATTRIBUTES.get(meta.get("failure_style") or "")
            attributes = style(error, attempts, {**meta["options"], "condition": condition}) if style else {}
            record(platform, failure_arn, row["payload"], options={"MessageAttributes": attributes},
                   retry=RetryPolicy(max_attempts=3, max_age=3600))
        else:
            log.warning("dropped delivery to %s after %d attempts: %s %s", row["target_arn"], attempts,
                        error.code, error.message)
