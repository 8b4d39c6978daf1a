"""Observing what functions did, without sleeping: they append JSON lines to a file we poll."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from overcast.testing import wait_until

RECORDER = """
import json, os, time
def handler(event, context):
    time.sleep(float(os.environ.get("SLEEP", "0")))
    gate = os.environ.get("GATE")
    while gate and not os.path.exists(gate) and context.get_remaining_time_in_millis() > 1000:
        time.sleep(0.01)
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps({"event": event, "request_id": context.aws_request_id, "at": time.time()}) + "\\n")
    if os.environ.get("FAIL"):
        raise RuntimeError("failing on purpose")
    return {"recorded": True}
"""


def records(path: Path) -> list[dict[str, Any]]:
    """The complete lines a function wrote: a line still being written (no newline yet) is left for
    the next read."""
    if not path.exists():
        return []
    written = path.read_text()
    complete = written[: written.rfind("\n") + 1]
    return [json.loads(line) for line in complete.splitlines() if line.strip()]


def wait_for_records(path: Path, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Poll `path` until it holds `count` records (or fail after `timeout` seconds)."""
    def enough() -> list[dict[str, Any]] | None:
        found = records(path)
        return found if len(found) >= count else None

    return wait_until(enough, timeout, f"{count} records in {path}")

RECORDER_JS = """
const fs = require("fs");
exports.handler = async (event, context) => {
  await new Promise((resolve) => setTimeout(resolve, 1000 * Number(process.env.SLEEP || "0")));
  fs.appendFileSync(process.env.RECORD_FILE,
    JSON.stringify({event, request_id: context.awsRequestId, at: Date.now() / 1000}) + "\\n");
  if (process.env.FAIL) throw new Error("failing on purpose");
  return {recorded: true};
};
"""


def recorder_source(runtime: str) -> str:
    """RECORDER in the language of `runtime`."""
    return RECORDER_JS if runtime.startswith("nodejs") else RECORDER
