"""What every event source mapping poller shares: how it is stopped."""

from __future__ import annotations

from typing import Any

from overcast.platform import Platform


class Poller:
    """A poller runs until `stop()`; its loops check `live` besides being cancelled."""

    platform: Platform
    source: Any
    stopped: bool = False

    def stop(self) -> None:
        """Stop at the next check: the mapping was disabled, changed or deleted."""
        self.stopped = True
        self.platform.signals.notify(self.source.wake_key)  # waiting loops check at once

    @property
    def live(self) -> bool:
        """Loops check this besides being cancelled: a cancellation can be lost inside awaited
        library code, and a poller that missed its stop must not run on (or hold up shutdown)."""
        engine = self.platform.engine
        return not self.stopped and not (engine is not None and engine.stopping)
