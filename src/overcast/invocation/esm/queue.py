"""The SQS poller (docs/aws-behaviour.md#sqs-sources): long-poll the queue, batch, invoke, delete on success; on failure
leave the messages to reappear after the visibility timeout (so the queue's redrive policy can move
them to its dead-letter queue); with ReportBatchItemFailures only the listed messages stay."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from overcast.delivery.sources import QueueMessage, QueueSource
from overcast.errors import ServiceError
from overcast.invocation.esm.batching import cut
from overcast.invocation.esm.filters import Filters, compile_filters
from overcast.invocation.esm.invoke import MappingInvoker
from overcast.invocation.esm.responses import reported_failures
from overcast.platform import Platform

log = logging.getLogger("overcast.esm.sqs")

RECEIVE_MAX = 10          # one ReceiveMessage call
LONG_POLL = 20.0          # AWS seconds
INITIAL_POLLERS = 5       # Lambda starts with five concurrent batches
THROTTLE_BACKOFF = 1.0


class QueuePoller:
    def __init__(self, platform: Platform, config: dict[str, Any], source: QueueSource) -> None:
        self.platform = platform
        self.config = config
        self.source = source
        self.invoker = MappingInvoker(platform, config["UUID"])
        self.filters: Filters = compile_filters("sqs", config.get("FilterCriteria"))
        self.batch_size = int(config.get("BatchSize", 10))
        self.window = float(config.get("MaximumBatchingWindowInSeconds", 0))
        self.report_failures = "ReportBatchItemFailures" in (config.get("FunctionResponseTypes") or [])
        # If window + function timeout exceed the queue's visibility timeout, Lambda keeps the messages
        # invisible for window + function timeout + 30 s instead.
        self.function_timeout = 3
        cap = (config.get("ScalingConfig") or {}).get("MaximumConcurrency")
        self.pollers = min(INITIAL_POLLERS, int(cap)) if cap else INITIAL_POLLERS

    async def run(self) -> None:
        """Run the mapping's pollers until cancelled."""
        try:
            resolved = self.invoker.functions.resolve(self.invoker.ref())
            self.function_timeout = int(resolved.config.get("Timeout", 3))
        except Exception:  # the function is gone: the invocations will say so
            pass
        async with asyncio.TaskGroup() as group:
            for _ in range(self.pollers):
                group.create_task(self._worker())

    async def _worker(self) -> None:
        while True:
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
            except Exception:
                log.exception("SQS poller of %s failed", self.config["UUID"])
                await self.platform.clock.sleep(THROTTLE_BACKOFF)

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
        while len(messages) < self.batch_size and clock.now() < deadline:
            more = self._receive(min(RECEIVE_MAX, self.batch_size - len(messages)))
            if more:
                messages.extend(more)
                continue
            await self._wait(min(LONG_POLL, (deadline - clock.now()) / clock.scale))
        return messages

    def _visibility(self) -> int | None:
        effective = int(self.window) + self.function_timeout + 30
        return effective if effective > self.source.visibility_timeout else None

    def _receive(self, count: int) -> list[QueueMessage]:
        received = self.source.receive(count, self._visibility())
        if not self.filters or not received:
            return received
        kept: list[QueueMessage] = []
        dropped: list[QueueMessage] = []
        for message in received:
            (kept if self.filters.matches(message.record.get("_filter", message.record)) else dropped).append(message)
        if dropped:  # filtered-out messages are deleted from the queue
            self.source.delete([m.receipt_handle for m in dropped])
        return kept

    async def _process(self, messages: list[QueueMessage]) -> None:
        count = cut(messages, [m.size for m in messages], self.batch_size)
        batch, overflow = messages[:count], messages[count:]
        if overflow:
            self.source.release([m.receipt_handle for m in overflow])
        records = [{k: v for k, v in m.record.items() if not k.startswith("_")} for m in batch]
        # the batch's X-Ray trace header (SQS's AWSTraceHeader) carries the recursion lineage on
        traces = [r["attributes"]["AWSTraceHeader"] for r in records if "AWSTraceHeader" in r.get("attributes", {})]
        event = {"Records": records}
        result = await (self.invoker.invoke(event, trace=traces[0]) if traces else self.invoker.invoke(event))
        if not result.ok:
            if result.status != "function-error":
                await self.platform.clock.sleep(THROTTLE_BACKOFF)
            return  # nothing deleted: the messages reappear after the visibility timeout
        keep: set[str] = set()
        if self.report_failures:
            failed = reported_failures(result.payload, [m.message_id for m in batch])
            if failed is None:
                return  # a malformed response fails the whole batch
            keep = failed
        done = [m.receipt_handle for m in batch if m.message_id not in keep]
        if done:
            self.source.delete(done)
