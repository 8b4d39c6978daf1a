"""CloudWatch Logs operations (to be completed)."""

from __future__ import annotations

from overcast.platform import Platform
from overcast.services.logs.models import LogStore


class LogsApi:
    def __init__(self, platform: Platform) -> None:
        self.store = platform.component(LogStore)
