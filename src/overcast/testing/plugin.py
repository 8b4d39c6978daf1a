"""pytest fixtures, registered automatically when overcast is installed.

- `overcast_server`: one real overcast per test session (time scale from `--overcast-time-scale`
  or `OVERCAST_TIME_SCALE`, default 1).
- `aws`: `aws("sqs")` returns a boto3 client pointed at it.
- `overcast_reset`: drops all state before the test that asks for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from overcast.testing.server import OvercastServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--overcast-time-scale", default=None, help="OVERCAST_TIME_SCALE for the test server")


@pytest.fixture(scope="session")
def overcast_server(request: pytest.FixtureRequest) -> Iterator[OvercastServer]:
    scale = request.config.getoption("--overcast-time-scale") or os.environ.get("OVERCAST_TIME_SCALE")
    with OvercastServer(time_scale=float(scale) if scale else None) as server:
        yield server


@pytest.fixture
def aws(overcast_server: OvercastServer) -> Callable[..., Any]:
    return overcast_server.client


@pytest.fixture
def overcast_reset(overcast_server: OvercastServer) -> OvercastServer:
    overcast_server.reset()
    return overcast_server
