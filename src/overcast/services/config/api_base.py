"""What Config's operation mixins share: the platform and its Config store."""

from __future__ import annotations

from overcast.platform import Platform
from overcast.services.config.models import ConfigStore


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(ConfigStore)

    def wake_recorder(self) -> None:
        from overcast.services.config.recorder import SIGNAL

        self.platform.signals.notify(SIGNAL)
