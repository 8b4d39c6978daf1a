"""The SQS poller (docs/aws-behaviour.md#sqs-sources): long-poll the queue, batch, invoke, delete on success; on failure
leave the messages to reappear after the queue's visibility timeout (so the queue's redrive policy can
move them to its dead-letter queue); with ReportBatchItemFailures only the listed messages stay.

AWS refuses a mapping whose function timeout exceeds the queue's visibility timeout, so on AWS a
message never becomes visible again while the invocation that holds it runs. overcast keeps that
invariant whatever the time scale (a scaled visibility timeout can be far shorter than a function's
real run time): a batch is received with a hold covering the batching window and the invocation's
real time bound, and once the invocation settles each failed message becomes visible when the
queue's visibility timeout, counted from its receipt, runs out (at once if that has passed)."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

from overcast.delivery.sources import QueueMessage, QueueSource
from overcast.errors import ServiceError
from overcast.invocation.esm.batching import cut
from overcast.invocation.esm.filters import Filters, compile_filters
from overcast.invocation.esm.invoke import GONE, THROTTLE, MappingInvoker
from overcast.invocation.esm.poller import Poller
from overcast.invocation.esm.responses import reported_failures
from overcast.platform import Platform
from overcast.storage.full import FULL_DISK_PAUSE, FullLog, is_storage_full

log = logging.getLogger("overcast.esm.sqs")
_full_log = FullLog(log)

RECEIVE_MAX = 10          # one ReceiveMessage call
LONG_POLL = 20.0          # AWS seconds
INITIAL_POLLERS = 5       # Lambda starts with five concurrent batches
MAX_VISIBILITY = 43_200   # SQS's limit on a message's total visibility timeout (AWS seconds)
INIT_ALLOWANCE = 10.0     # real seconds an environment may take to start (Lambda's init phase limit)


class QueuePoller(Poller):
    def __init__(self, platform: Platform, config: dict[str, Any], source: QueueSource,
                 invoker: MappingInvoker | None = None) -> None:
        """`invoker`: what a batch is handed to (the mapping's function by default; a pipe's chain)."""
        self.platform = platform
        self.config = config
        self.source = source
        self.invoker = invoker or MappingInvoker(platform, config["UUID"])
        self.filters: Filters = compile_filters("sqs", config.get("FilterCriteria"))
        self.batch_size = int(config.get("BatchSize", 10))
        self.window = float(config.get("MaximumBatchingWindowInSeconds", 0))
        self.report_failures = "ReportBatchItemFailures" in (config.get("FunctionResponseTypes") or [])
        self.function_timeout = 3.0
        cap = (config.get("ScalingConfig") or {}).get("MaximumConcurrency")
        self.pollers = min(INITIAL_POLLERS, int(cap)) if cap else INITIAL_POLLERS
        self.stopped = False
        self._received: dict[str, float] = {}   # receipt handle → when it was received (epoch)
        self._timeout_read = float("-inf")
        #: AWS's message while the execution role may not receive from the queue (--iam enforce)
        self._denied: str | None = None

    def _refresh_timeout(self) -> None:
        """The function's current timeout (UpdateFunctionConfiguration may change it), read at most
        once a real second."""
        now = time.monotonic()
        if now - self._timeout_read < 1.0:
            return
        self._timeout_read = now
        # a pipe reads with its own role (`_role`); a mapping with its function's execution role
        role, session = self.config.get("_role") or "", str(self.config.get("FunctionArn", "")).rsplit("/", 1)[-1]
        try:
            resolved = self.invoker.functions.resolve(self.invoker.ref())
            self.function_timeout = float(resolved.config.get("Timeout", 3))
            if not role:
                role, session = resolved.config.get("Role") or "", resolved.ref.name
        except Exception:  # the function (or the mapping) is gone: the invocations will say so
            if not role:
                return
        self._denied = None
        if self.platform.config.iam != "off" and role and self.config.get("FunctionArn"):
            from overcast.services.iam.deliveries import authorize_poll  # IAM: docs/iam.md

            self._denied = authorize_poll(self.platform, role, session, "sqs:ReceiveMessage", self.source.arn)

    async def run(self) -> None:
        """Run the mapping's pollers until stopped or cancelled."""
        self._refresh_timeout()
        async with asyncio.TaskGroup() as group:
            for _ in range(self.pollers):
                group.create_task(self._worker())

    async def _worker(self) -> None:
        while self.live:
            try:
                batch = await self._gather()
                if batch:
                    await self._process(batch)
            except asyncio.CancelledError:
                raise
            except ServiceError as error:  # the queue is gone (or unusable): report it and keep trying
                log.info("SQS poller of %s: %s %s", self.config["UUID"], error.code, error.message)
                self.invoker.store.set_result(self.config["UUID"], f"PROBLEM: {error.message}")
                await self.platform.clock.sleep(LONG_POLL)
            except Exception as exc:
                if is_storage_full(exc):  # a receive or delete not saved: messages stay (or come back) visible
                    _full_log.warn(f"SQS poller of {self.config['UUID']} paused", exc)
                    await asyncio.sleep(FULL_DISK_PAUSE)  # real time: the disk does not empty faster when scaled
                    continue
                log.exception("SQS poller of %s failed", self.config["UUID"])
                await self.platform.clock.sleep(THROTTLE.delay(1))

    async def _wait(self, aws_seconds: float) -> None:
        clock = self.platform.clock
        timeout = clock.scaled(aws_seconds)
        visible = self.source.next_visible_at()
        if visible is not None:
            timeout = min(timeout, max(0.0, visible - clock.now()))
        await self.platform.signals.wait(self.source.wake_key, max(timeout, 0.0005))

    async def _gather(self) -> list[QueueMessage]:
        """Receive up to BatchSize messages, waiting at most the batching window to fill the batch."""
        clock = self.platform.clock
        messages = self._receive(min(RECEIVE_MAX, self.batch_size))
        if not messages:
            await self._wait(LONG_POLL)
            return []
        deadline = clock.later(self.window)
        while len(messages) < self.batch_size and clock.now() < deadline and self.live:
            more = self._receive(min(RECEIVE_MAX, self.batch_size - len(messages)))
            if more:
                messages.extend(more)
                continue
            await self._wait(min(LONG_POLL, (deadline - clock.now()) / clock.scale))
        return messages

    def _hold(self) -> int:
        """AWS seconds a received message stays invisible while its batch is gathered and invoked:
        the queue's visibility timeout, or longer when the batching window plus the invocation's
        real time bound (init and function timeout, real seconds) is longer at this time scale."""
        self._refresh_timeout()
        real_bound = self.function_timeout + INIT_ALLOWANCE
        needed = math.ceil(self.window + real_bound / self.platform.clock.scale)
        return min(MAX_VISIBILITY, max(self.source.visibility_timeout, needed))

    def _receive(self, count: int) -> list[QueueMessage]:
        self._refresh_timeout()
        if self._denied:  # the execution role may not receive (IAM's report lists it): messages wait
            self._timeout_read = float("-inf")  # checked again at the next attempt
            raise ServiceError(self._denied, code="AccessDenied")
        now = self.platform.clock.now()
        received = self.source.receive(count, self._hold())
        for message in received:
            self._received[message.receipt_handle] = now
        if not self.filters or not received:
            return received
        kept: list[QueueMessage] = []
        dropped: list[QueueMessage] = []
        for message in received:
            (kept if self.filters.matches(message.record.get("_filter", message.record)) else dropped).append(message)
        if dropped:  # filtered-out messages are deleted from the queue
            self._delete(dropped)
        return kept

    def _delete(self, messages: list[QueueMessage]) -> None:
        for message in messages:
            self._received.pop(message.receipt_handle, None)
        if messages:
            self.source.delete([m.receipt_handle for m in messages])

    def _return(self, messages: list[QueueMessage]) -> None:
        """Failed messages reappear when the queue's visibility timeout since their receipt ends
        (never while the invocation that held them ran: it has settled by now)."""
        clock = self.platform.clock
        visibility = self.source.visibility_timeout
        for message in messages:
            received = self._received.pop(message.receipt_handle, clock.now())
            remaining = max(0.0, visibility - clock.aws_elapsed(received))
            try:
                self.source.set_visibility(message.receipt_handle, remaining)
            except ServiceError:  # deleted or received again meanwhile: nothing to return
                pass

    async def _process(self, messages: list[QueueMessage]) -> None:
        try:
            await self._invoke_batch(messages)
        finally:  # a batch that ended in an error keeps no bookkeeping (its messages return after the hold)
            for message in messages:
                self._received.pop(message.receipt_handle, None)

    async def _invoke_batch(self, messages: list[QueueMessage]) -> None:
        count = cut(messages, [m.size for m in messages], self.batch_size)
        batch, overflow = messages[:count], messages[count:]
        if overflow:
            for message in overflow:
                self._received.pop(message.receipt_handle, None)
            self.source.release([m.receipt_handle for m in overflow])
        records = [{k: v for k, v in m.record.items() if not k.startswith("_")} for m in batch]
        # the batch's X-Ray trace header (SQS's AWSTraceHeader) carries the recursion lineage on
        traces = [r["attributes"]["AWSTraceHeader"] for r in records if "AWSTraceHeader" in r.get("attributes", {})]
        event = {"Records": records}
        result = await (self.invoker.invoke(event, trace=traces[0]) if traces else self.invoker.invoke(event))
        if result.status == GONE:
            self.stop()
        if not result.ok:
            self._return(batch)  # nothing deleted: the messages reappear after the visibility timeout
            if result.status not in ("function-error", GONE):
                await self.platform.clock.sleep(THROTTLE.delay(1))
            return
        failed: set[str] = set()
        if self.report_failures:
            reported = reported_failures(result.payload, [m.message_id for m in batch])
            failed = {m.message_id for m in batch} if reported is None else reported  # malformed: all failed
        self._delete([m for m in batch if m.message_id not in failed])
        self._return([m for m in batch if m.message_id in failed])
