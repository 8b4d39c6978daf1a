"""Running the same behavioural test on Python and Node.js functions."""

from __future__ import annotations

import pytest

from overcast.execution.runtimes import node_available

needs_node = pytest.mark.skipif(not node_available(), reason="Node.js 18 or later (`node`) is not installed")
RUNTIMES = [pytest.param("python3.12", id="python"), pytest.param("nodejs22.x", id="node", marks=needs_node)]


def source(runtime: str, python: str, node: str) -> str:
    """The handler source for `runtime`'s language."""
    return node if runtime.startswith("nodejs") else python


def is_node(runtime: str) -> bool:
    return runtime.startswith("nodejs")
