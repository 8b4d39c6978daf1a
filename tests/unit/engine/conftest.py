from collections.abc import Iterator
from typing import Any

import pytest

from overcast.config import Config
from overcast.platform import Platform
from overcast.testing import FakeClock


@pytest.fixture
def platform() -> Iterator[Platform]:
    """An in-memory platform on a fake clock the test advances."""
    platform = Platform(Config(in_memory=True), clock=FakeClock())
    yield platform
    platform.close()


class DelivererSpec:
    """The part of a ServiceSpec the delivery registry reads: a service that only takes deliveries."""

    def __init__(self, name: str, deliver: Any = None) -> None:
        self.name, self.deliver, self.failure_attributes, self.event_source = name, deliver, None, None
        self.deliver_for: tuple[str, ...] = ()
