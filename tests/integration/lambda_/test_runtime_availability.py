"""What a machine lacks is said clearly: a Node.js function on a machine without a usable `node`,
a runtime family overcast does not run. Never a hang, never a 500."""

from __future__ import annotations

import pytest

from overcast.execution import runtimes
from overcast.testing import OvercastServer, create_function


@pytest.fixture(scope="module")
def nodeless(tmp_path_factory):
    with OvercastServer(tmp_path_factory.mktemp("nodeless"), env={"OVERCAST_NODE": "/nonexistent/node"}) as server:
        yield server


def test_node_function_without_node(nodeless):
    lam = nodeless.client("lambda")
    name = create_function(lam, "export const handler = async () => 1;\n", runtime="nodejs22.x")
    with pytest.raises(lam.exceptions.InvalidRuntimeException) as info:
        lam.invoke(FunctionName=name, Payload=b"{}")
    message = info.value.response["Error"]["Message"]
    assert "nodejs22.x" in message and "Node.js" in message and "OVERCAST_NODE" in message
    assert f"Node.js function {name} cannot run on this machine" in nodeless.log_text()


def test_runtime_overcast_does_not_run(nodeless):
    lam = nodeless.client("lambda")
    name = create_function(lam, "x", runtime="java21", handler="example.Handler::handleRequest")
    with pytest.raises(lam.exceptions.InvalidRuntimeException) as info:
        lam.invoke(FunctionName=name, Payload=b"{}")
    assert "java21" in info.value.response["Error"]["Message"]


@pytest.mark.parametrize(("runtime", "expected"), [
    ("python3.12", "python"), ("nodejs22.x", "node"), ("nodejs14.x", "node"), ("nodejs24.x", "node"),
    ("provided.al2023", "provided"), ("provided", "provided"), ("java21", None), (None, None),
])
def test_family_is_chosen_by_prefix(runtime, expected):
    assert runtimes.family(runtime) == expected
