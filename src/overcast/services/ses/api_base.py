"""What every SES v1 operation mixin shares: the platform and SES's store."""

from __future__ import annotations

from overcast.platform import Platform
from overcast.services.ses.store import SesStore


class ApiBase:
    """The state every SES operation mixin reaches."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(SesStore)
        self.docs = self.store.docs
