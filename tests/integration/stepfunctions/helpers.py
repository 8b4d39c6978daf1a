"""Shared bits of the Step Functions tests: machines created with unique names, executions run to
their end, history event types."""

from __future__ import annotations

import json
import uuid
from typing import Any

from overcast.testing import wait_until

ROLE = "arn:aws:iam::000000000000:role/states"


def unique(prefix: str = "sm") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def machine(sfn: Any, definition: dict[str, Any], kind: str = "STANDARD") -> str:
    return str(sfn.create_state_machine(name=unique(), definition=json.dumps(definition), roleArn=ROLE,
                                        type=kind)["stateMachineArn"])


def run(sfn: Any, arn: str, data: Any = None, timeout: float = 60.0) -> dict[str, Any]:
    """Start an execution with `data` as its input and wait until it ends; its description."""
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps({} if data is None else data))
    return finished(sfn, started["executionArn"], timeout)


def finished(sfn: Any, execution: str, timeout: float = 60.0) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        described = sfn.describe_execution(executionArn=execution)
        return described if described["status"] != "RUNNING" else None

    return wait_until(done, timeout=timeout, what=f"the end of {execution}")


def output(described: dict[str, Any]) -> Any:
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"])


def types(sfn: Any, execution: str) -> list[str]:
    return [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
