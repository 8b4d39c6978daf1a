"""Asynchronous invocation (Event): the event is committed to Lambda's internal queue before 202
is answered; a dispatcher runs due events on warm environments; retry, age, dead-letter and
destination policies decide what follows an attempt (docs/aws-behaviour.md#asynchronous-invocation)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
import time
from typing import Any

from overcast import arns, delivery, tracing
from overcast.delivery import DeliveryError, Uniform
from overcast.invocation import lambda_metrics
from overcast.invocation.policies import (
    AsyncLimits,
    GiveUp,
    Outcome,
    Retry,
    after_function_error,
    after_throttle,
    reserved_zero,
)
from overcast.invocation.sync import InvokeOutcome, Invoker
from overcast.platform import Platform
from overcast.services.lambda_.errors import LambdaError, TooManyRequests
from overcast.services.lambda_.models import LATEST, FunctionStore, Resolved
from overcast.services.lambda_.names import FunctionRef, parse_function
from overcast.storage.full import FullLog, is_storage_full

log = logging.getLogger("overcast.async")
_full_log = FullLog(log)

SIGNAL = "lambda:async"
EVENT_INVOKE = "event-invoke"
BATCH = 256
MAX_IN_FLIGHT = 256
MAX_PER_FUNCTION = 16
IDLE_WAIT = 5.0


def enqueue(platform: Platform, resolved: Resolved, payload: bytes, *, request_id: str,
            trace: str | None = None) -> None:
    """Accept an Event invocation: committed before the caller hears 202. The caller's trace
    header is kept beside it (recursive loop detection follows it). A durable function's event
    starts its durable execution at once (invocation/durable.py)."""
    if resolved.config.get("DurableConfig"):
        from overcast.invocation.durable import DurableRunner

        platform.component(DurableRunner).start(resolved, payload, trace=trace)
        return
    ref = resolved.ref
    now = platform.clock.now()
    with platform.db.tx():
        platform.db.execute(
            "INSERT INTO lambda_async(request_id, account, region, function, qualifier, payload, created, "
            "available_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (request_id, ref.account, ref.region, ref.name, ref.qualifier, payload, now, now),
        )
        if trace:
            platform.db.execute("INSERT OR REPLACE INTO lambda_async_trace(request_id, trace, created) VALUES (?, ?, ?)",
                                (request_id, trace, now))
    lambda_metrics.record(platform.metrics, resolved, [("AsyncEventsReceived", 1.0, "Count")])
    platform.signals.notify(SIGNAL)


def _trace_of(platform: Platform, request_id: str) -> str | None:
    row = platform.db.query_one("SELECT trace FROM lambda_async_trace WHERE request_id = ?", (request_id,))
    return row["trace"] if row else None


def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any]) -> None:
    """The outbox's deliverer for Lambda targets: an asynchronous invocation of the function."""
    import uuid

    from overcast.invocation.sync import ASYNC_PAYLOAD_LIMIT, check_payload

    parsed = arns.parse(target_arn)
    ref = parse_function(target_arn, parsed.account, parsed.region)
    try:
        resolved = platform.component(FunctionStore).resolve(ref)
        body = check_payload(payload, ASYNC_PAYLOAD_LIMIT, "Event")
    except LambdaError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from None
    enqueue(platform, resolved, body, request_id=options.get("request_id") or str(uuid.uuid4()),
            trace=_delivery_trace(options))


def _delivery_trace(options: dict[str, Any]) -> str | None:
    """The trace a delivered event's invocation continues: the delivering hop's (SNS, EventBridge,
    S3), whose segment is then the invocation's parent. A hop whose caller sent no header has a
    trace of its own; the function cannot tell it from one Lambda started, so it is continued too."""
    hop = tracing.current.get()
    return hop[0] if hop is not None else options.get("trace")


def limits_for(config: dict[str, Any] | None) -> AsyncLimits:
    if not config:
        return AsyncLimits()
    return AsyncLimits(
        maximum_retry_attempts=config.get("MaximumRetryAttempts", AsyncLimits.maximum_retry_attempts),
        maximum_event_age=config.get("MaximumEventAgeInSeconds", AsyncLimits.maximum_event_age),
    )


class Dispatcher:
    """Runs due events; one per platform."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.functions = platform.component(FunctionStore)
        self.invoker = platform.component(Invoker)
        self._running: dict[tuple[str, str, str], int] = {}
        self._in_flight = 0
        #: events whose attempt failed and could not be made due again yet (a full disk)
        self._unreleased: set[int] = set()
        #: the jitter of throttle backoff (a seeded `random.Random` in tests)
        self.rng: Uniform = random
        # Nothing is running right after a start: what was running when overcast stopped runs again.
        platform.db.execute("UPDATE lambda_async SET running = 0 WHERE running = 1")

    async def round(self) -> None:
        clock = self.platform.clock
        db = self.platform.db
        for row_id in list(self._unreleased):
            self._release(row_id)
        rows = db.query("SELECT id, account, region, function FROM lambda_async WHERE running = 0 "
                        "AND available_at <= ? ORDER BY available_at, id LIMIT ?", (clock.now(), BATCH))
        started = blocked = 0
        for row in rows:
            key = (row["account"], row["region"], row["function"])
            if self._in_flight >= MAX_IN_FLIGHT or self._running.get(key, 0) >= MAX_PER_FUNCTION:
                blocked += 1
                continue
            self._start(row["id"], key)
            started += 1
        if started and not blocked and len(rows) == BATCH:
            return  # the whole window started: more may be due at once
        # Due events held back by the concurrency caps start when a running one ends (`_done`
        # notifies); until then only an event becoming due later needs a wake-up.
        later = " AND available_at > ?" if blocked else ""
        nxt = db.scalar(f"SELECT MIN(available_at) FROM lambda_async WHERE running = 0{later}",
                        (clock.now(),) if blocked else ())
        timeout = IDLE_WAIT if nxt is None else max(0.0, min(IDLE_WAIT, nxt - clock.now()))
        await self.platform.signals.wait(SIGNAL, timeout if timeout > 0 else 0.001)

    def _start(self, row_id: int, key: tuple[str, str, str]) -> None:
        db = self.platform.db
        db.execute("UPDATE lambda_async SET running = 1 WHERE id = ?", (row_id,))
        row = db.query_one("SELECT * FROM lambda_async WHERE id = ?", (row_id,))
        self._running[key] = self._running.get(key, 0) + 1
        self._in_flight += 1
        task = asyncio.ensure_future(self._run(row))
        task.add_done_callback(lambda _t: self._done(key))

    def _done(self, key: tuple[str, str, str]) -> None:
        was_full = self._in_flight >= MAX_IN_FLIGHT
        was_capped = self._running[key] >= MAX_PER_FUNCTION
        self._in_flight -= 1
        self._running[key] -= 1
        if self._running[key] <= 0:
            del self._running[key]
        if was_capped and not was_full and self._refill(key):
            return
        self.platform.signals.notify(SIGNAL)

    def _refill(self, key: tuple[str, str, str]) -> bool:
        """A function held at its concurrency cap freed a slot: start its oldest due event, if it
        has one, without a full round (only its events were waiting on that slot)."""
        row = self.platform.db.query_one(
            "SELECT id FROM lambda_async WHERE running = 0 AND available_at <= ? AND account = ? AND region = ? "
            "AND function = ? ORDER BY available_at, id LIMIT 1", (self.platform.clock.now(), *key))
        if row is None:
            return False
        self._start(row["id"], key)
        return True

    async def _run(self, row: Any) -> None:
        try:
            await self._attempt(row)
        except Exception as exc:
            if is_storage_full(exc):  # the attempt's outcome could not be saved: the event runs again
                _full_log.warn(f"async event {row['request_id']} will run again", exc)
            else:
                log.exception("async event %s failed in the dispatcher", row["request_id"])
            self._release(row["id"])
            self.platform.signals.notify(SIGNAL)

    def _release(self, row_id: int) -> None:
        """Make an event whose attempt failed due again a second later. On a full disk even that
        may fail: the event is remembered and released by a later round (else it would stay
        'running' until a restart)."""
        try:
            self.platform.db.execute("UPDATE lambda_async SET running = 0, available_at = ? WHERE id = ?",
                                     (self.platform.clock.later(1.0), row_id))
            self._unreleased.discard(row_id)
        except Exception as exc:
            if not is_storage_full(exc):
                raise
            self._unreleased.add(row_id)

    async def _attempt(self, row: Any) -> None:
        ref = FunctionRef(row["account"], row["region"], row["function"], row["qualifier"])
        try:
            resolved = self.functions.resolve(ref)
        except LambdaError:
            log.warning("dropped async event %s: function %s no longer exists", row["request_id"], ref.arn)
            self.platform.db.execute("DELETE FROM lambda_async WHERE id = ?", (row["id"],))
            self.platform.db.execute("DELETE FROM lambda_async_trace WHERE request_id = ?", (row["request_id"],))
            return
        limits = limits_for(self._event_config(ref))
        if resolved.reserved == 0:
            lambda_metrics.throttled(self.platform.metrics, resolved)   # every attempt is throttled
            self._settle(row, resolved, reserved_zero(), None, limits)
            return
        started = time.monotonic()
        # AsyncEventAge: from when Lambda queued the event to this attempt (milliseconds)
        lambda_metrics.record(self.platform.metrics, resolved, [
            ("AsyncEventAge", round(max(0.0, self.platform.clock.now() - row["created"]) * 1000), "Milliseconds")])
        try:
            with tracing.triggered("Event", queued=(row["created"], row["attempts"] + 1)):
                outcome = await self.invoker.invoke(ref, row["payload"], request_id=row["request_id"],
                                                    resolved=resolved, trace=_trace_of(self.platform, row["request_id"]))
        except TooManyRequests:
            age, shift = self._aged(row, started)
            self._settle(row, resolved, after_throttle(row["throttles"] + 1, age, limits, self.rng), None, limits,
                         throttled=True, shift=shift)
            return
        except LambdaError as error:
            age, shift = self._aged(row, started)
            # AWS retries system errors (5xx, such as Lambda's KMS errors) for up to the event's age
            if error.sender_fault and error.status < 500:
                log.warning("dropped async event %s: %s", row["request_id"], error.message)
                self._settle(row, resolved, GiveUp("RetriesExhausted"), None, limits)
            else:
                self._settle(row, resolved, after_throttle(row["throttles"] + 1, age, limits, self.rng), None, limits,
                             throttled=True, shift=shift)
            return
        age, shift = self._aged(row, started)
        attempts = row["attempts"] + 1
        if outcome.function_error is None:
            self._succeed(row, resolved, outcome, attempts)
            return
        self._settle(row, resolved, after_function_error(attempts, age, limits), outcome, limits,
                     attempts=attempts, shift=shift)

    def _aged(self, row: Any, started: float) -> tuple[float, float]:
        """The event's age after an attempt (AWS seconds), and how far its `created` moves.

        Functions run in real time while AWS's timers are scaled: the real seconds an attempt ran
        count one for one toward MaximumEventAgeInSeconds (on AWS they are seconds like any other),
        the rest of the event's age is scaled. Moving `created` on by running × (1 − scale) keeps
        that for later attempts; at time scale 1 it does not move."""
        clock = self.platform.clock
        shift = (time.monotonic() - started) * (1.0 - clock.scale)
        return clock.aws_elapsed(row["created"] + shift), shift

    def _event_config(self, ref: FunctionRef) -> dict[str, Any] | None:
        return self.functions.setting(ref, EVENT_INVOKE, ref.qualifier or LATEST)

    def _settle(self, row: Any, resolved: Resolved, outcome: Outcome, result: InvokeOutcome | None,
                limits: AsyncLimits, *, throttled: bool = False, attempts: int | None = None,
                shift: float = 0.0) -> None:
        db = self.platform.db
        attempts = row["attempts"] if attempts is None else attempts
        last = _result_json(result) if result is not None else row["last_result"]
        if isinstance(outcome, Retry):
            db.execute(
                "UPDATE lambda_async SET running = 0, available_at = ?, attempts = ?, throttles = ?, last_result = ?, "
                "created = created + ? WHERE id = ?",
                (self.platform.clock.later(outcome.delay), attempts, row["throttles"] + (1 if throttled else 0),
                 last, shift, row["id"]))
            self.platform.signals.notify(SIGNAL)  # the dispatcher's next wake-up may now be sooner
            return
        with db.tx():
            db.execute("DELETE FROM lambda_async WHERE id = ?", (row["id"],))
            db.execute("DELETE FROM lambda_async_trace WHERE request_id = ?", (row["request_id"],))
            self._route_failure(row, resolved, outcome.condition, attempts, last)

    def _succeed(self, row: Any, resolved: Resolved, outcome: InvokeOutcome, attempts: int) -> None:
        db = self.platform.db
        with db.tx():
            db.execute("DELETE FROM lambda_async WHERE id = ?", (row["id"],))
            db.execute("DELETE FROM lambda_async_trace WHERE request_id = ?", (row["request_id"],))
            config = self._event_config(resolved.ref) or {}
            destination = (config.get("DestinationConfig") or {}).get("OnSuccess", {}).get("Destination")
            if destination:
                record = invocation_record(self.platform, row, resolved, "Success", attempts, _result_json(outcome))
                _send_record(self.platform, resolved, destination, record, success=True)

    def _route_failure(self, row: Any, resolved: Resolved, condition: str, attempts: int,
                       last: str | None) -> None:
        # AsyncEventsDropped: every event Lambda gives up on (it goes to the destination or DLQ first)
        lambda_metrics.record(self.platform.metrics, resolved, [("AsyncEventsDropped", 1.0, "Count")])
        config = self._event_config(resolved.ref) or {}
        destination = (config.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
        if destination:
            record = invocation_record(self.platform, row, resolved, condition, attempts, last)
            _send_record(self.platform, resolved, destination, record, success=False)
        dlq = (resolved.config.get("DeadLetterConfig") or {}).get("TargetArn")
        if dlq:
            delivery.record(self.platform, dlq, row["payload"], options={
                "MessageAttributes": _dlq_attributes(row["request_id"], last)},
                metrics=_function_metric(resolved, "DeadLetterErrors"), on_behalf=_execution_role(resolved))
        if not destination and not dlq:
            log.info("async event %s for %s discarded (%s) with no destination or DLQ", row["request_id"],
                     resolved.invoked_arn, condition)


def _result_json(outcome: InvokeOutcome | None) -> str | None:
    if outcome is None:
        return None
    return json.dumps({"payload": outcome.payload.decode("utf-8", "replace"), "error": outcome.function_error,
                       "version": outcome.executed_version})


def _embed(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, TypeError):
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def invocation_record(platform: Platform, row: Any, resolved: Resolved, condition: str, attempts: int,
                      last: str | None) -> dict[str, Any]:
    """The invocation record destinations receive (docs/aws-behaviour.md#invocation-records-and-destinations)."""
    moment = dt.datetime.fromtimestamp(platform.clock.now(), dt.UTC)
    qualified = resolved.ref.qualified_arn(resolved.ref.qualifier or LATEST)
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
        "requestContext": {"requestId": row["request_id"], "functionArn": qualified, "condition": condition,
                           "approximateInvokeCount": attempts},
        "requestPayload": _embed(row["payload"]),
    }
    if last is not None:
        result = json.loads(last)
        context: dict[str, Any] = {"statusCode": 200, "executedVersion": result["version"]}
        if result["error"]:
            context["functionError"] = result["error"]
        record["responseContext"] = context
        record["responsePayload"] = _embed(result["payload"])
    return record


def _send_record(platform: Platform, resolved: Resolved, destination: str, record: dict[str, Any],
                 success: bool) -> None:
    service = arns.parse(destination).service
    options: dict[str, Any] = {}
    payload: Any = record
    if service == "events":
        payload = {
            "Source": "lambda",
            "DetailType": f"Lambda Function Invocation Result - {'Success' if success else 'Failure'}",
            "Detail": json.dumps(record),
            "Resources": [resolved.ref.qualified_arn(resolved.ref.qualifier or LATEST), destination],
        }
    elif service == "s3":
        moment = dt.datetime.fromtimestamp(platform.clock.now(), dt.UTC)
        import uuid

        options["key"] = (f"aws/lambda/async/{resolved.ref.name}/{moment:%Y/%m/%d}/"
                          f"{moment:%Y-%m-%dT%H.%M.%S}-{uuid.uuid4()}")
    delivery.record(platform, destination, json.dumps(payload), options=options,
                    metrics=_function_metric(resolved, "DestinationDeliveryFailures"),
                    on_behalf=_execution_role(resolved))


def _execution_role(resolved: Resolved) -> dict[str, str] | None:
    """Destinations and dead-letter queues are sent to with the function's execution role (IAM:
    docs/iam.md)."""
    role = resolved.config.get("Role")
    return delivery.as_role(role, resolved.ref.name) if role else None


def _function_metric(resolved: Resolved, failed: str) -> dict[str, Any]:
    """Lambda's DeadLetterErrors / DestinationDeliveryFailures: counted when the delivery is given up."""
    ref = resolved.ref
    return delivery.delivery_metrics(ref.account, ref.region, lambda_metrics.NAMESPACE,
                                     (("FunctionName", ref.name),), failed=failed)


def _dlq_attributes(request_id: str, last: str | None) -> dict[str, Any]:
    message = ""
    if last is not None:
        body = _embed(json.loads(last)["payload"])
        message = body.get("errorMessage", "") if isinstance(body, dict) else str(body)
    return {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": (message or "Unhandled")[:1024]},
    }


def async_loops(platform: Platform) -> list[Any]:
    async def dispatch() -> None:
        await platform.component(Dispatcher).round()

    return [dispatch]
