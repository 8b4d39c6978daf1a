"""The stream poller (Kinesis and DynamoDB Streams, docs/aws-behaviour.md#stream-sources): one reader per shard, parents
before children; records in order; a failing batch blocks its shard and is retried until it
succeeds, runs out of retries or grows too old (then the on-failure destination gets a batch-info
record); optional bisection and partial batch responses; checkpoints committed after each batch so
a restart resumes where it stopped."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from typing import Any

from overcast import delivery
from overcast.delivery import GiveUp, RetryPolicy
from overcast.delivery.sources import Shard, StreamRecord, StreamSource
from overcast.invocation import lambda_metrics
from overcast.invocation.esm.batching import cut
from overcast.invocation.esm.filters import Filters, compile_filters
from overcast.invocation.esm.invoke import FUNCTION_ERROR, GONE, THROTTLE, BatchResult, MappingInvoker
from overcast.invocation.esm.poller import Poller
from overcast.invocation.esm.responses import reported_failures
from overcast.platform import Platform
from overcast.services.lambda_.esm import MappingStore
from overcast.storage.full import FullLog, is_storage_full

log = logging.getLogger("overcast.esm.stream")
_full_log = FullLog(log)

IDLE_POLL = 1.0           # AWS seconds between reads of an idle shard (woken early by new records)
RETRY_BACKOFF = 0.1
SHARD_RESCAN = 10.0


def _iso(epoch: float, millis: bool = True) -> str:
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class StreamPoller(Poller):
    def __init__(self, platform: Platform, config: dict[str, Any], source: StreamSource,
                 invoker: MappingInvoker | None = None) -> None:
        """`invoker`: what a batch is handed to (the mapping's function by default; a pipe's chain,
        whose checkpoints are kept under the pipe's ARN as the mapping's UUID)."""
        self.platform = platform
        self.config = config
        self.source = source
        self.uuid = config["UUID"]
        self.store = platform.component(MappingStore)
        self.invoker = invoker or MappingInvoker(platform, self.uuid)
        self.filters: Filters = compile_filters(source.kind, config.get("FilterCriteria"))
        self.batch_size = int(config.get("BatchSize", 100))
        self.window = float(config.get("MaximumBatchingWindowInSeconds", 0))
        max_retries = int(config.get("MaximumRetryAttempts", -1))
        # records that grew too old are dropped before each attempt (`_expired`), not by the policy
        self.retry = RetryPolicy(max_attempts=None if max_retries == -1 else max_retries + 1, max_age=None,
                                 first=RETRY_BACKOFF, cap=RETRY_BACKOFF, factor=1.0,
                                 attempts_condition="RetryAttemptsExhausted")
        self.max_age = float(config.get("MaximumRecordAgeInSeconds", -1))
        self.bisect = bool(config.get("BisectBatchOnFunctionError"))
        self.report_failures = "ReportBatchItemFailures" in (config.get("FunctionResponseTypes") or [])
        self.parallelization = int(config.get("ParallelizationFactor", 1))
        self.tumbling = int(config.get("TumblingWindowInSeconds", 0))
        self.destination = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        self.role = ""
        self.stopped = False
        try:
            self.role = config.get("_role") or self.invoker.functions.resolve(self.invoker.ref()).config.get("Role", "")
        except Exception:  # the function is gone: the invocations will report it
            pass

    # -- shards -------------------------------------------------------------------------------

    async def run(self) -> None:
        """Read every shard (a child only once its parents are done) until stopped or cancelled."""
        running: dict[str, asyncio.Task[None]] = {}
        try:
            while self.live:
                checkpoints = self.store.checkpoints(self.uuid)
                shards = self.source.shards()
                known = {s.id for s in shards}
                for shard in shards:
                    if shard.id in running or checkpoints.get(shard.id, {}).get("finished"):
                        continue
                    parents_done = all(checkpoints.get(p, {}).get("finished") or p not in known for p in shard.parents)
                    if parents_done:
                        running[shard.id] = asyncio.ensure_future(self._shard(shard, checkpoints.get(shard.id)))
                for shard_id, task in list(running.items()):
                    if task.done():
                        running.pop(shard_id)
                        failure = None if task.cancelled() else task.exception()
                        if failure is not None and is_storage_full(failure):
                            # its checkpoint could not be saved: read again from the saved one (at least once)
                            _full_log.warn(f"shard {shard_id} of mapping {self.uuid} restarts", failure)
                        elif failure is not None:
                            log.error("shard %s of mapping %s failed: %r", shard_id, self.uuid, failure)
                await self.platform.signals.wait(self.source.wake_key, self.platform.clock.scaled(SHARD_RESCAN))
        finally:
            for task in running.values():
                task.cancel()

    def _initial_position(self, shard: Shard) -> str:
        """Where a shard without a checkpoint starts; shards born of a split or merge after the
        mapping started are read from their beginning."""
        position = self.config.get("StartingPosition", "TRIM_HORIZON")
        if shard.parents and position == "LATEST":
            position = "TRIM_HORIZON"
        timestamp = self.config.get("StartingPositionTimestamp")
        return self.source.initial(shard.id, position, float(timestamp) if timestamp is not None else None)

    async def _shard(self, shard: Shard, checkpoint: dict[str, Any] | None) -> None:
        if checkpoint is None:
            after = self._initial_position(shard)
            self.store.checkpoint(self.uuid, shard.id, after)
            window_state = None
        else:
            after, window_state = checkpoint["sequence"], checkpoint.get("state")
        clock = self.platform.clock
        while self.live:
            denied = self._denied()
            if denied:  # the execution role may not read the stream: reported, tried again later
                self.store.set_result(self.uuid, f"PROBLEM: {denied}")
                await self.platform.signals.wait(self.source.wake_key, clock.scaled(IDLE_POLL))
                continue
            read = self.source.read(shard.id, after, self.batch_size)
            records = read.records
            if records and self.window and len(records) < self.batch_size and not read.ended:
                deadline = clock.later(self.window)
                while len(records) < self.batch_size and clock.now() < deadline:
                    await self.platform.signals.wait(self.source.wake_key, max(0.0005, deadline - clock.now()))
                    more = self.source.read(shard.id, read.after, self.batch_size - len(records))
                    records, read = records + more.records, more if more.records else read
            if not records:
                if read.ended:
                    self.store.checkpoint(self.uuid, shard.id, read.after, finished=True)
                    self.platform.signals.notify(self.source.wake_key)
                    return
                after = read.after
                await self.platform.signals.wait(self.source.wake_key, clock.scaled(IDLE_POLL))
                continue
            after, window_state = await self._handle(shard.id, records, window_state)
            if not self.live:  # stopped mid-batch: the batch is read again by the next poller
                return
            if after == records[-1].sequence and read.after != after and len(records) == len(read.records):
                after = read.after
            self.store.checkpoint(self.uuid, shard.id, after, state=window_state)

    def _denied(self) -> str | None:
        """AWS's message when the function's execution role may not call GetRecords on the stream
        (`--iam enforce`, docs/iam.md); None otherwise."""
        if self.platform.config.iam == "off" or not self.role or not self.config.get("FunctionArn"):
            return None
        from overcast.services.iam.deliveries import authorize_poll, poll_action

        return authorize_poll(self.platform, self.role, self.role.rsplit("/", 1)[-1], poll_action(self.source.arn),
                              self.source.arn)

    # -- batches ------------------------------------------------------------------------------

    async def _handle(self, shard: str, records: list[StreamRecord], state: Any) -> tuple[str, Any]:
        """Process records read from a shard; returns the new checkpoint and window state."""
        kept = [r for r in records if self.filters.matches(r.filter_document)] if self.filters else records
        if not kept:
            return records[-1].sequence, state
        count = cut(kept, [r.size for r in kept], self.batch_size)
        batch = kept[:count]
        last = batch[-1].sequence if count < len(kept) else records[-1].sequence
        if self.tumbling:
            state = await self._tumbling(shard, batch, state)
            return last, state
        if self.parallelization > 1:
            lanes: dict[int, list[StreamRecord]] = {}
            for record in batch:
                lanes.setdefault(hash(record.partition_key) % self.parallelization, []).append(record)
            await asyncio.gather(*(self._deliver(shard, lane) for lane in lanes.values()))
        else:
            await self._deliver(shard, batch)
        return last, state

    async def _deliver(self, shard: str, batch: list[StreamRecord]) -> None:
        """Invoke until the batch is done: success, or discarded after retries/age (bisecting first)."""
        pending = [batch]
        running = 0.0   # real seconds this batch spent in invocations (see `_expired`)
        while pending:
            part = pending.pop(0)
            attempts = 0
            while part:
                too_old = self._expired(part, running)
                if too_old:
                    self._discard(shard, too_old, "RecordAgeExceeded", attempts, None)
                    part = [r for r in part if r not in too_old]
                    if not part:
                        break
                started = time.monotonic()
                self._iterator_age(part)
                result = await self.invoker.invoke(self._event(shard, part))
                running += time.monotonic() - started
                if result.status == GONE:
                    self.stop()
                if not self.live:
                    return
                if result.status in ("throttled", "system-error"):
                    await self.platform.clock.sleep(THROTTLE.delay(1))  # not a retry attempt
                    continue
                failed_from = self._failed_from(result, part)
                if failed_from is None:
                    break
                if self.bisect and len(failed_from) > 1:
                    half = len(failed_from) // 2   # splitting does not consume retry attempts
                    pending[:0] = [failed_from[:half], failed_from[half:]]
                    break
                attempts += 1
                outcome = self.retry.after(attempts)
                if isinstance(outcome, GiveUp):
                    self._discard(shard, failed_from, outcome.condition, attempts, result)
                    break
                part = failed_from
                await self.platform.clock.sleep(outcome.delay)

    def _iterator_age(self, part: list[StreamRecord]) -> None:
        """Lambda's IteratorAge: the age of the batch's last record as the function is invoked."""
        if self.platform.metrics.enabled and part and not self.config.get("_pipe"):  # a pipe is no function
            try:
                ref = self.invoker.ref()
            except Exception:  # the mapping is gone (LambdaError): the invocation says so; metrics never stop a poller
                return
            lambda_metrics.iterator_age(self.platform.metrics, ref,
                                        (self.platform.clock.now() - part[-1].arrival) * 1000)

    def _failed_from(self, result: BatchResult, part: list[StreamRecord]) -> list[StreamRecord] | None:
        """None when the batch succeeded, else the records to retry (from the lowest reported one)."""
        if result.status == FUNCTION_ERROR:
            return part
        if not self.report_failures:
            return None
        failed = reported_failures(result.payload, [r.sequence for r in part])
        if failed is None:
            return part
        if not failed:
            return None
        lowest = min(int(s) for s in failed)
        return [r for r in part if r.order >= lowest]

    def _expired(self, part: list[StreamRecord], running: float = 0.0) -> list[StreamRecord]:
        """Records older than MaximumRecordAgeInSeconds. Functions run in real time while AWS's
        timers are scaled, so the `running` real seconds the batch spent in invocations count one
        for one (on AWS they are seconds like any other): at a small time scale a slow function
        does not age its records by a thousandfold."""
        if self.max_age == -1:
            return []
        clock = self.platform.clock
        in_invocations = clock.aws_elapsed(clock.now() - running) - running
        return [r for r in part if clock.aws_elapsed(r.arrival) - in_invocations > self.max_age]

    def _event(self, shard: str, part: list[StreamRecord], **extra: Any) -> dict[str, Any]:
        records = [r.record for r in part]
        if self.source.kind == "kinesis":  # the function's execution role reads the stream
            records = [{**r, "invokeIdentityArn": self.role} for r in records]
        return {"Records": records, **extra}

    # -- failures -----------------------------------------------------------------------------

    def _discard(self, shard: str, part: list[StreamRecord], condition: str, attempts: int,
                 result: BatchResult | None) -> None:
        """Give up on `part`: the on-failure destination gets the batch-info record."""
        if not self.destination:
            log.warning("mapping %s discarded %d records of %s (%s)", self.uuid, len(part), shard, condition)
            return
        clock = self.platform.clock
        millis = self.source.kind == "kinesis"
        record: dict[str, Any] = {
            "requestContext": {"requestId": result.request_id if result else "", "functionArn":
                               self.config.get("FunctionArn", ""), "condition": condition,
                               "approximateInvokeCount": attempts},
        }
        if result is not None:  # a batch dropped for its age before another attempt has no response
            # functionError: "Unhandled" when the function threw, null when it returned (batchItemFailures)
            record["responseContext"] = {"statusCode": 200, "executedVersion": result.executed_version,
                                         "functionError": result.function_error or None}
        record.update({
            "version": "1.0",
            "timestamp": _iso(clock.now()),
            self.source.batch_info_key: {
                "shardId": shard,
                "startSequenceNumber": part[0].sequence,
                "endSequenceNumber": part[-1].sequence,
                "approximateArrivalOfFirstRecord": _iso(part[0].arrival, millis),
                "approximateArrivalOfLastRecord": _iso(part[-1].arrival, millis),
                "batchSize": len(part),
                "streamArn": self.source.arn,
            },
        })
        options: dict[str, Any] = {}
        if self.destination.startswith("arn:aws:s3:"):
            record["payload"] = self._event(shard, part)
            moment = dt.datetime.fromtimestamp(clock.now(), dt.UTC)
            import uuid as uuidlib

            options["key"] = (f"aws/lambda/{self.uuid}/{shard}/{moment:%Y/%m/%d}/"
                              f"{moment:%Y-%m-%dT%H.%M.%S}-{uuidlib.uuid4()}")
        # sent with the mapping's role (the function's execution role, a pipe's RoleArn; docs/iam.md)
        owner = str(self.config.get("FunctionArn") or "")
        session = owner.rsplit("/", 1)[-1] if "/" in owner else owner.split(":function:")[-1].split(":")[0]
        on_behalf = delivery.as_role(self.role, session) if self.role and self.platform.config.iam != "off" else None
        delivery.record(self.platform, self.destination, json.dumps(record), options=options, on_behalf=on_behalf)

    # -- tumbling windows ---------------------------------------------------------------------

    async def _tumbling(self, shard: str, batch: list[StreamRecord], state: Any) -> Any:
        """Windows aligned on arrival time; `state` is carried from one invocation to the next and
        dropped after the window's final invocation."""
        width = self.tumbling
        current = (state or {}).get("window")
        carried = (state or {}).get("state") or {}
        groups: dict[int, list[StreamRecord]] = {}
        for record in batch:
            groups.setdefault(int(record.arrival // width) * width, []).append(record)
        for start in sorted(groups):
            if current is not None and start != current:
                await self._window_invoke(shard, [], current, carried, final=True)
                carried = {}
            current = start
            carried = await self._window_invoke(shard, groups[start], start, carried, final=False)
        return {"window": current, "state": carried}

    async def _window_invoke(self, shard: str, part: list[StreamRecord], start: int, carried: Any,
                             final: bool) -> Any:
        attempts = 0
        while self.live:
            event = self._event(shard, part, window={"start": _iso(start, False), "end": _iso(start + self.tumbling, False)},
                                state=carried, shardId=shard, eventSourceARN=self.source.arn,
                                isFinalInvokeForWindow=final, isWindowTerminatedEarly=False)
            result = await self.invoker.invoke(event)
            if result.status == GONE:
                self.stop()
            if result.ok:
                try:
                    body = json.loads(result.payload) if result.payload.strip() else None
                except ValueError:
                    body = None
                if isinstance(body, dict) and "state" in body:
                    return body["state"] or {}
            # a failed call, or a response without `state`, is retried (it counts as failed), after
            # the mapping's retry policy's wait
            attempts += 1
            await self.platform.clock.sleep(self.retry.delay(attempts))
        return carried
