"""Runs one poller per enabled event source mapping and completes the mappings' state
transitions: Creating/Enabling/Updating → Enabled (or Disabled), Disabling → Disabled,
Deleting → gone (docs/aws-behaviour.md#the-mapping-api-and-its-states)."""

from __future__ import annotations

import logging
from typing import Any

from overcast.delivery import Registry
from overcast.platform import Platform
from overcast.services.lambda_.esm import (
    CHANGED,
    CREATING,
    DELETING,
    DISABLED,
    DISABLING,
    ENABLED,
    ENABLING,
    UPDATING,
    MappingStore,
)

log = logging.getLogger("overcast.esm")

RECONCILE_EVERY = 30.0  # real seconds; changes wake the manager at once
RETRY_START = 1.0       # AWS seconds before trying again to open a source that was not ready


class MappingManager:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(MappingStore)
        self._running: dict[str, str] = {}   # uuid → configuration it runs with (LastModified)
        self._pollers: dict[str, Any] = {}   # uuid → its poller (told to stop as well as cancelled)
        self._retry_soon = False
        platform.on_reset(self._stop_all)

    def _stop_all(self) -> None:
        for uuid in list(self._running):
            self._stop(uuid)

    def _loop_name(self, uuid: str) -> str:
        return f"esm:{uuid}"

    def _start(self, config: dict[str, Any]) -> None:
        registry = self.platform.component(Registry)
        kind = registry.kind_of(config["EventSourceArn"])
        try:
            source = registry.open_source(self.platform, kind, config["EventSourceArn"])
        except Exception as exc:  # not ready yet, or gone: try again soon
            log.info("mapping %s cannot open %s yet: %s", config["UUID"], config["EventSourceArn"], exc)
            self._retry_soon = True
            return
        if registry.is_queue(kind):
            from overcast.invocation.esm.queue import QueuePoller

            poller: Any = QueuePoller(self.platform, config, source)
        else:
            from overcast.invocation.esm.stream import StreamPoller

            poller = StreamPoller(self.platform, config, source)
        uuid = config["UUID"]

        async def run() -> None:
            await poller.run()
            if poller.stopped and self._pollers.get(uuid) is poller:
                self._stop(uuid)  # it stopped itself (its mapping is gone): the loop ends here

        self.platform.engine.add_loop(self._loop_name(uuid), run)
        self._running[config["UUID"]] = str(config.get("LastModified"))
        self._pollers[config["UUID"]] = poller

    def _stop(self, uuid: str) -> None:
        poller = self._pollers.pop(uuid, None)
        if poller is not None:
            poller.stop()
        if self._running.pop(uuid, None) is not None:
            self.platform.engine.stop_loop(self._loop_name(uuid))

    def reconcile(self) -> None:
        self._retry_soon = False
        seen = set()
        for config in self.store.all():
            uuid, state = config["UUID"], config["State"]
            seen.add(uuid)
            enabled = config.get("_enabled", True)
            if state == DELETING:
                self._stop(uuid)
                self.store.remove(uuid)
            elif state in (CREATING, ENABLING, UPDATING):
                self._stop(uuid)
                if enabled:
                    self._start(config)
                self.store.set_state(uuid, ENABLED if enabled else DISABLED)
            elif state == DISABLING:
                self._stop(uuid)
                self.store.set_state(uuid, DISABLED)
            elif state == ENABLED and uuid not in self._running:
                self._start(config)
            elif state == DISABLED:
                self._stop(uuid)
        for uuid in list(self._running):
            if uuid not in seen:
                self._stop(uuid)

    async def round(self) -> None:
        if self.platform.engine is None:
            return
        self.reconcile()
        wait = self.platform.clock.scaled(RETRY_START) if self._retry_soon else RECONCILE_EVERY
        await self.platform.signals.wait(CHANGED, wait)


def esm_loops(platform: Platform) -> list[Any]:
    async def manage() -> None:
        await platform.component(MappingManager).round()

    return [manage]
