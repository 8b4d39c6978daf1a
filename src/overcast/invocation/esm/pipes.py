"""Runs one Lambda event source mapping poller per running pipe, with the pipe's chain in place of
a function, and completes the pipes' state transitions: CREATING/UPDATING/STARTING → RUNNING (or
STOPPED when that is the desired state), STOPPING → STOPPED, DELETING → gone."""

from __future__ import annotations

import logging
from typing import Any

from overcast.delivery import Registry
from overcast.invocation.esm.pipe_chain import PipeChain
from overcast.platform import Platform
from overcast.services.lambda_.esm import MappingStore
from overcast.services.pipes.models import (
    CHANGED,
    CREATING,
    DELETING,
    RUNNING,
    STARTING,
    STOPPED,
    STOPPING,
    UPDATING,
    PipeStore,
)

log = logging.getLogger("overcast.pipes")

RECONCILE_EVERY = 30.0  # real seconds; changes wake the manager at once
RETRY_START = 1.0       # AWS seconds before trying again to open a source that was not ready
#: the source parameters' member for each source service
SOURCE_PARAMETERS = {"sqs": "SqsQueueParameters", "kinesis": "KinesisStreamParameters",
                     "dynamodb": "DynamoDBStreamParameters"}


def mapping_config(pipe: dict[str, Any]) -> dict[str, Any]:
    """The pipe's source parameters as the event source mapping configuration the pollers read.
    Pipes honour partial batch responses (`batchItemFailures`) without being asked."""
    service = pipe["Source"].split(":")[2]
    source = pipe.get("SourceParameters") or {}
    params = dict(source.get(SOURCE_PARAMETERS.get(service, ""), {}) or {})
    config: dict[str, Any] = {"UUID": pipe["Arn"], "FunctionArn": pipe["Arn"], "EventSourceArn": pipe["Source"],
                              "_role": pipe.get("RoleArn", ""), "_pipe": True,
                              "FunctionResponseTypes": ["ReportBatchItemFailures"]}
    if source.get("FilterCriteria"):
        config["FilterCriteria"] = source["FilterCriteria"]
    dead_letter = (params.pop("DeadLetterConfig", None) or {}).get("Arn")
    if dead_letter:
        config["DestinationConfig"] = {"OnFailure": {"Destination": dead_letter}}
    if params.pop("OnPartialBatchItemFailure", None) == "AUTOMATIC_BISECT":
        config["BisectBatchOnFunctionError"] = True
    config.update(params)
    return config


class PipeManager:
    """The pipes' pollers, one per running pipe (`platform.component(PipeManager)`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(PipeStore)
        self._running: dict[str, str] = {}   # pipe ARN → the configuration it runs with (LastModifiedTime)
        self._pollers: dict[str, Any] = {}
        self._retry_soon = False
        platform.on_reset(self._stop_all)

    def _stop_all(self) -> None:
        for arn in list(self._running):
            self._stop(arn)

    def _start(self, pipe: dict[str, Any]) -> None:
        registry = self.platform.component(Registry)
        config = mapping_config(pipe)
        try:
            kind = registry.kind_of(pipe["Source"])
            source = registry.open_source(self.platform, kind, pipe["Source"])
        except Exception as exc:  # not there yet, or gone: try again soon
            log.info("pipe %s cannot open %s yet: %s", pipe["Name"], pipe["Source"], exc)
            self._retry_soon = True
            return
        chain = PipeChain(self.platform, pipe)
        poller: Any
        if registry.is_queue(kind):
            from overcast.invocation.esm.queue import QueuePoller

            poller = QueuePoller(self.platform, config, source, invoker=chain)  # type: ignore[arg-type]
        else:
            from overcast.invocation.esm.stream import StreamPoller

            poller = StreamPoller(self.platform, config, source, invoker=chain)  # type: ignore[arg-type]
        arn = pipe["Arn"]
        self.platform.engine.add_loop(f"pipe:{arn}", poller.run)
        self._running[arn] = str(pipe.get("LastModifiedTime"))
        self._pollers[arn] = poller

    def _stop(self, arn: str) -> None:
        poller = self._pollers.pop(arn, None)
        if poller is not None:
            poller.stop()
        if self._running.pop(arn, None) is not None:
            self.platform.engine.stop_loop(f"pipe:{arn}")

    def reconcile(self) -> None:
        """Complete every pending transition, and run what should run."""
        self._retry_soon = False
        seen = set()
        for pipe in self.store.all():
            arn, state = pipe["Arn"], pipe["CurrentState"]
            seen.add(arn)
            if state == DELETING:
                self._stop(arn)
                self.store.remove(arn)
                self.platform.component(MappingStore).remove(arn)  # the pipe's stream checkpoints
            elif state in (CREATING, UPDATING, STARTING):
                self._stop(arn)
                running = pipe.get("DesiredState", RUNNING) == RUNNING
                if running:
                    self._start(pipe)
                self.store.set_state(arn, RUNNING if running else STOPPED)
            elif state == STOPPING:
                self._stop(arn)
                self.store.set_state(arn, STOPPED)
            elif state == RUNNING and arn not in self._running:
                self._start(pipe)
            elif state == STOPPED:
                self._stop(arn)
        for arn in list(self._running):
            if arn not in seen:
                self._stop(arn)

    async def round(self) -> None:
        if self.platform.engine is None:
            return
        self.reconcile()
        wait = self.platform.clock.scaled(RETRY_START) if self._retry_soon else RECONCILE_EVERY
        await self.platform.signals.wait(CHANGED, wait)


def pipe_loops(platform: Platform) -> list[Any]:
    async def manage() -> None:
        await platform.component(PipeManager).round()

    return [manage]
