"""Memory limits (issue 16, item 5): a function using more than its MemorySize dies as on AWS:
`Runtime.OutOfMemory`, `Error: Runtime exited with error: signal: killed`, and a REPORT line whose
Max Memory Used is the size. Values as AWS answers them (docs/memory-limits.md)."""

from __future__ import annotations

import base64
import json
import re

import pytest

from overcast.testing import create_function
from tests.integration.lambda_.polyglot import RUNTIMES, needs_node, source

# touches every page of `mb` megabytes, then answers how many it holds
PYTHON = """
def handler(event, context):
    held = bytearray(b"x" * (event["mb"] << 20))
    return {"held": len(held) >> 20}
"""
NODE = """
exports.handler = async (event) => {
  const held = Buffer.alloc(event.mb << 20, 1);
  return {held: held.length >> 20};
};
"""


def _invoke(lam, name: str, mb: int) -> tuple[dict, dict, str]:
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"mb": mb}).encode(), LogType="Tail")
    return response, json.loads(response["Payload"].read()), base64.b64decode(response["LogResult"]).decode()


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_function_past_its_memory_size_dies_as_on_aws(lam, runtime):
    name = create_function(lam, source(runtime, PYTHON, NODE), runtime=runtime, MemorySize=128, Timeout=60,
                           handler="handler.handler")
    response, body, tail = _invoke(lam, name, 1024)
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.OutOfMemory"
    request_id = response["ResponseMetadata"]["RequestId"]
    assert body["errorMessage"] == f"RequestId: {request_id} Error: Runtime exited with error: signal: killed"
    report = next(line for line in tail.splitlines() if line.startswith("REPORT"))
    assert "Memory Size: 128 MB\tMax Memory Used: 128 MB" in report
    assert report.endswith("Status: error\tError Type: Runtime.OutOfMemory")

    # the environment is gone; the next invocation gets a new one, and fits
    response, body, tail = _invoke(lam, name, 16)
    assert "FunctionError" not in response, body
    assert body == {"held": 16}


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_the_same_allocation_fits_a_larger_memory_size(lam, runtime):
    name = create_function(lam, source(runtime, PYTHON, NODE), runtime=runtime, MemorySize=1024, Timeout=60,
                           handler="handler.handler")
    response, body, tail = _invoke(lam, name, 256)
    assert "FunctionError" not in response, body
    assert body == {"held": 256}
    found = re.search(r"Max Memory Used: (\d+) MB", tail)
    assert found is not None, tail
    used = int(found.group(1))
    # the peak resident memory: at least what the handler held, under the size
    assert 256 <= used < 1024


@needs_node
def test_node_heap_is_sized_from_memory_size_as_aws_bootstrap_does(lam):
    # AWS's Node.js bootstrap: --max-semi-space-size=size/10/2, --max-old-space-size=size - size/10
    name = create_function(lam, "exports.handler = async () => process.execArgv;", runtime="nodejs22.x",
                           handler="handler.handler", MemorySize=256)
    response = lam.invoke(FunctionName=name, Payload=b"{}")
    flags = json.loads(response["Payload"].read())
    assert "--max-semi-space-size=12" in flags
    assert "--max-old-space-size=231" in flags
