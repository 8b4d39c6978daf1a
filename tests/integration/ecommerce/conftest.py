"""The e-commerce tests run on a server of their own whose AWS timers are scaled by 0.05, not the
session's 0.01: OrderQueue's 30-second visibility timeout must outlast an invocation of the ordering
function (real time), else a message still being processed is received again and, on its third
receive, moved to the dead-letter queue although its order is stored. At 0.05 it lasts 1.5 s."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from overcast.testing import OvercastServer
from tests.integration.ecommerce.shop import Shop, deploy_shop

TIME_SCALE = 0.05


@pytest.fixture(scope="package")
def shop_server() -> Iterator[OvercastServer]:
    with OvercastServer(time_scale=TIME_SCALE) as server:
        yield server


@pytest.fixture(scope="module")
def shop(shop_server: OvercastServer) -> Shop:
    """The application (OrderQueue variant), deployed once for the module's tests."""
    return deploy_shop(shop_server)
