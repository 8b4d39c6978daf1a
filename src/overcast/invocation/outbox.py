"""The outbox loop: delivers what write paths recorded with `overcast.delivery.record`.

Each row goes to the deliverer its target ARN's service declared on its `ServiceSpec` (found in the
platform's `delivery.Registry`). A failed delivery is retried as the row's `RetryPolicy` says; when
it gives up, the payload goes to the row's failure target with the attributes its failure style
gives, or is logged as dropped: never silently lost.
"""

from __future__ import annotations

import inspect
import json
import logging
from typing import Any

from overcast.delivery import OUTBOX_SIGNAL, DeliveryError, GiveUp, Registry, RetryPolicy, record
from overcast.delivery.status import report
from overcast.delivery.targets import count_delivery
from overcast.errors import ServiceError
from overcast.invocation.traces import DeliveryHop
from overcast.platform import Platform
from overcast.storage.full import is_storage_full

log = logging.getLogger("overcast.outbox")

BATCH = 200
IDLE_WAIT = 5.0
#: how a payload that reached its failure target is retried in turn
FAILURE_RETRY = RetryPolicy(max_attempts=3, max_age=3600)


async def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any] | None = None) -> Any:
    """Deliver now (from a loop); the deliverer's answer (an HTTP deliverer's `(status, body)`).
    Raises `DeliveryError`/`ServiceError` when the target refuses."""
    result = platform.component(Registry).deliverer(target_arn)(platform, target_arn, payload, options or {})
    if inspect.isawaitable(result):
        result = await result
    return result


async def outbox_loop(platform: Platform) -> None:
    """One round: deliver what is due, then wait for new rows or the next due time."""
    clock = platform.clock
    now = clock.now()
    rows = platform.db.query(
        "SELECT * FROM outbox WHERE available_at <= ? ORDER BY available_at, id LIMIT ?", (now, BATCH)
    )
    for row in rows:
        await attempt(platform, row)
    if len(rows) == BATCH:
        return
    nxt = platform.db.scalar("SELECT MIN(available_at) FROM outbox")
    timeout = IDLE_WAIT if nxt is None else max(0.0, min(IDLE_WAIT, nxt - clock.now()))
    if timeout > 0:
        await platform.signals.wait(OUTBOX_SIGNAL, timeout)


async def attempt(platform: Platform, row: Any) -> None:
    """Try one outbox row: delete it when delivered, else retry it or give it up."""
    meta = json.loads(row["options"])
    hop = DeliveryHop(platform, row["target_arn"], meta.get("trace"))
    if meta.get("auth") and platform.config.iam != "off":  # IAM evaluation (docs/iam.md)
        refused = _authorize(platform, row["target_arn"], meta["auth"])
        if refused is not None:
            hop.record(refused.status)
            _failed(platform, row, meta, refused)
            return
    try:
        with hop:
            await _deliver_and_delete(platform, row, meta)
    except ServiceError as error:
        if is_storage_full(error):
            raise  # below
        hop.record(error.status)
        _failed(platform, row, meta, error)
        return
    except Exception as exc:  # a deliverer bug must not stop the loop or lose the row
        if is_storage_full(exc):
            # the target could not commit on a full disk: not the target's refusal, so no attempt is
            # counted against the retry policy (which could give the row up); the round ends here
            # and the engine runs it again after its back-off, with the row untouched
            raise
        log.exception("delivery to %s crashed", row["target_arn"])
        hop.record(500)
        _failed(platform, row, meta, DeliveryError(str(exc), code="InternalFailure"))
        return
    hop.record(200)
    count_delivery(platform, meta.get("metrics"), True)


async def _deliver_and_delete(platform: Platform, row: Any, meta: dict[str, Any]) -> Any:
    """Deliver one row and delete it; the deliverer's answer.

    A deliverer that finishes without awaiting (it writes to overcast's own store: Lambda's
    asynchronous queue, an SQS queue, a stream) does so in the transaction that deletes the row, so
    a SIGKILL between the two can neither lose the payload nor deliver it twice. One that awaits (an
    HTTP endpoint, an invocation) is answered first and the row deleted after it: a kill in between
    delivers it again, the at-least-once AWS documents for its deliveries."""
    deliverer = platform.component(Registry).deliverer(row["target_arn"])
    with platform.db.tx():
        answer = deliverer(platform, row["target_arn"], row["payload"], meta["options"])
        if not inspect.isawaitable(answer):
            _delivered(platform, row, meta, answer)
            return answer
    answer = await answer
    with platform.db.tx():
        _delivered(platform, row, meta, answer)
    return answer


def _delivered(platform: Platform, row: Any, meta: dict[str, Any], answer: Any) -> None:
    platform.db.execute("DELETE FROM outbox WHERE id = ?", (row["id"],))
    _report(platform, row, meta, None, answer)


def _authorize(platform: Platform, target_arn: str, auth: dict[str, str]) -> DeliveryError | None:
    """The refusal of a delivery IAM does not allow, under `--iam enforce` (not retried, as AWS does
    not retry a permission failure: the payload goes to the failure target at once)."""
    from overcast.services.iam.deliveries import authorize_delivery

    message = authorize_delivery(platform, target_arn, auth)
    if message is None:
        return None
    return DeliveryError(message, code="AccessDenied", retryable=False)


def _report(platform: Platform, row: Any, meta: dict[str, Any], error: ServiceError | None,
            answer: Any = None) -> None:
    """A finished delivery's status record, when its recorder asked for one (SNS delivery status)."""
    report(platform, meta["options"], row["attempts"] + 1, platform.clock.aws_elapsed(row["created_at"]), error,
           answer if isinstance(answer, tuple) else None)


def _failed(platform: Platform, row: Any, meta: dict[str, Any], error: ServiceError) -> None:
    retry = RetryPolicy.from_dict(meta["retry"])
    attempts = row["attempts"] + 1
    clock = platform.clock
    retryable = getattr(error, "retryable", True)
    outcome = retry.after(attempts, clock.aws_elapsed(row["created_at"])) if retryable else GiveUp("")
    if not isinstance(outcome, GiveUp):
        platform.db.execute("UPDATE outbox SET attempts = ?, available_at = ? WHERE id = ?",
                            (attempts, clock.later(outcome.delay), row["id"]))
        return
    count_delivery(platform, meta.get("metrics"), False)
    with platform.db.tx():
        platform.db.execute("DELETE FROM outbox WHERE id = ?", (row["id"],))
        _report(platform, row, meta, error)
        failure_arn = meta.get("failure_arn")
        if failure_arn:
            style = platform.component(Registry).failure_styles.get(meta.get("failure_style") or "")
            options = {**meta["options"], "condition": outcome.condition}
            attributes = style(error, attempts, options) if style else {}
            # a recorder may give the failure target its own payload and options (SNS: a Lambda
            # subscription's DLQ gets the SNS envelope; FIFO group and deduplication ids)
            payload = options.get("FailurePayload", row["payload"])
            record(platform, failure_arn, payload,
                   options={"MessageAttributes": attributes, **(options.get("FailureOptions") or {})},
                   retry=FAILURE_RETRY)
        else:
            log.warning("dropped delivery to %s after %d attempts: %s %s", row["target_arn"], attempts,
                        error.code, error.message)
