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


class PollerManager:
    """One poller per running item of a store, and the items' state transitions completed: a pending
    state → `ON` (or `OFF` when the item is not wanted running), `TURNING_OFF` → `OFF`, `DELETING` →
    gone. Subclasses name the item's fields and states and open its poller (`_start`)."""

    KEY: str            # the item's identifier field
    STATE: str          # the item's state field
    LOOP: str           # the prefix of its poller's engine loop
    PENDING: tuple[str, ...]
    ON: str
    TURNING_OFF: str
    OFF: str
    DELETING: str
    CHANGED: str        # the store's change signal

    def __init__(self, platform: Platform, store: Any) -> None:
        self.platform = platform
        self.store = store
        self._pollers: dict[str, Any] = {}   # key → its poller (told to stop as well as cancelled)
        self._retry_soon = False
        platform.on_reset(self._stop_all)

    def _wanted(self, item: dict[str, Any]) -> bool:
        raise NotImplementedError

    def _start(self, item: dict[str, Any]) -> None:
        raise NotImplementedError

    def _remove(self, key: str) -> None:
        self.store.remove(key)

    def _refused(self, item: dict[str, Any]) -> str | None:
        """Why the item may not start running (its role's permissions), or None."""
        return None

    def _failed(self, item: dict[str, Any], reason: str) -> None:
        """End a pending transition the item may not complete (see `_refused`)."""
        raise NotImplementedError

    def _open(self, key: str, source_arn: str) -> tuple[Any, Any] | None:
        """The source's kind and an open source, or None (and a retry soon) when it cannot open yet."""
        registry = self.platform.component(Registry)
        try:
            kind = registry.kind_of(source_arn)
            return kind, registry.open_source(self.platform, kind, source_arn)
        except Exception as exc:  # not ready yet, or gone: try again soon
            log.info("%s cannot open %s yet: %s", key, source_arn, exc)
            self._retry_soon = True
            return None

    def _launch(self, key: str, poller: Any, run: Any) -> None:
        self.platform.engine.add_loop(f"{self.LOOP}:{key}", run)
        self._pollers[key] = poller

    def _stop_all(self) -> None:
        for key in list(self._pollers):
            self._stop(key)

    def _stop(self, key: str) -> None:
        poller = self._pollers.pop(key, None)
        if poller is not None:
            poller.stop()
            self.platform.engine.stop_loop(f"{self.LOOP}:{key}")

    def reconcile(self) -> None:
        """Complete every pending transition, and run what should run."""
        self._retry_soon = False
        seen = set()
        for item in self.store.all():
            key, state = item[self.KEY], item[self.STATE]
            seen.add(key)
            if state == self.DELETING:
                self._stop(key)
                self._remove(key)
            elif state in self.PENDING:
                self._stop(key)
                wanted = self._wanted(item)
                refused = self._refused(item) if wanted else None
                if refused is not None:
                    self._failed(item, refused)
                    continue
                if wanted:
                    self._start(item)
                self.store.set_state(key, self.ON if wanted else self.OFF)
            elif state == self.TURNING_OFF:
                self._stop(key)
                self.store.set_state(key, self.OFF)
            elif state == self.ON and key not in self._pollers:
                self._start(item)
            elif state == self.OFF:
                self._stop(key)
        for key in list(self._pollers):
            if key not in seen:
                self._stop(key)

    async def round(self) -> None:
        if self.platform.engine is None:
            return
        self.reconcile()
        wait = self.platform.clock.scaled(RETRY_START) if self._retry_soon else RECONCILE_EVERY
        await self.platform.signals.wait(self.CHANGED, wait)


class MappingManager(PollerManager):
    KEY, STATE, LOOP = "UUID", "State", "esm"
    PENDING, ON, TURNING_OFF, OFF = (CREATING, ENABLING, UPDATING), ENABLED, DISABLING, DISABLED
    DELETING, CHANGED = DELETING, CHANGED

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform, platform.component(MappingStore))

    def _wanted(self, config: dict[str, Any]) -> bool:
        return bool(config.get("_enabled", True))

    def _start(self, config: dict[str, Any]) -> None:
        uuid = config["UUID"]
        opened = self._open(f"mapping {uuid}", config["EventSourceArn"])
        if opened is None:
            return
        kind, source = opened
        if self.platform.component(Registry).is_queue(kind):
            from overcast.invocation.esm.queue import QueuePoller

            poller: Any = QueuePoller(self.platform, config, source)
        else:
            from overcast.invocation.esm.stream import StreamPoller

            poller = StreamPoller(self.platform, config, source)

        async def run() -> None:
            await poller.run()
            if poller.stopped and self._pollers.get(uuid) is poller:
                self._stop(uuid)  # it stopped itself (its mapping is gone): the loop ends here

        self._launch(uuid, poller, run)


def esm_loops(platform: Platform) -> list[Any]:
    async def manage() -> None:
        await platform.component(MappingManager).round()

    return [manage]
