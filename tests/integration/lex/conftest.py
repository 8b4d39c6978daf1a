"""Clients shared by the Lex and Alexa tests, closed at the end of the module (an unclosed client's
pooled socket would be collected mid-test and reported as a ResourceWarning)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def clients(overcast_server: Any) -> Iterator[dict[str, Any]]:
    made = {name: overcast_server.client(name) for name in ("lexv2-models", "lexv2-runtime", "lambda")}
    yield made
    for client in made.values():
        client.close()
