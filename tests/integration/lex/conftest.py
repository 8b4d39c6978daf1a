"""Clients shared by the Lex and Alexa tests, closed at the end of the module (an unclosed client's
pooled socket would be collected mid-test and reported as a ResourceWarning)."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def clients(overcast_server: Any) -> Iterator[dict[str, Any]]:
    made = {name: overcast_server.client(name) for name in ("lexv2-models", "lexv2-runtime", "lambda")}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(autouse=True)
def _collect_pooled_sockets() -> Iterator[None]:
    """Collect, at the end of each test, what the clients of the test left for the garbage collector
    (urllib3 does not close the pooled sockets of a client that is only dropped), so that their
    ResourceWarning is not raised later, inside another test."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
