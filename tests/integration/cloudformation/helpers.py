"""Deploying templates in tests: create, wait for a final status, read events and resources."""

from __future__ import annotations

import json
import uuid
from typing import Any

import yaml

from overcast.testing import wait_until

FINAL_TIMEOUT = 60.0


def unique(prefix: str = "stk") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def body(template: dict[str, Any] | str) -> str:
    return template if isinstance(template, str) else json.dumps(template)


def wait(cf: Any, stack: str, timeout: float = FINAL_TIMEOUT) -> dict[str, Any]:
    """Poll DescribeStacks until the stack leaves every *_IN_PROGRESS status."""

    def settled() -> dict[str, Any] | None:
        found: dict[str, Any] = cf.describe_stacks(StackName=stack)["Stacks"][0]
        status = found["StackStatus"]
        return found if not status.endswith("_IN_PROGRESS") or status == "REVIEW_IN_PROGRESS" else None

    return wait_until(settled, timeout, f"stack {stack} out of its *_IN_PROGRESS status", interval=0.05)


def create(cf: Any, template: dict[str, Any] | str, name: str | None = None, **kwargs: Any) -> dict[str, Any]:
    name = name or unique()
    stack_id = cf.create_stack(StackName=name, TemplateBody=body(template), **kwargs)["StackId"]
    return wait(cf, stack_id)


def update(cf: Any, name: str, template: dict[str, Any] | str, **kwargs: Any) -> dict[str, Any]:
    cf.update_stack(StackName=name, TemplateBody=body(template), **kwargs)
    return wait(cf, name)


def events(cf: Any, stack: str) -> list[tuple[str, str, str]]:
    """(logical id, status, reason) oldest first."""
    found: list[dict[str, Any]] = []
    token = None
    while True:
        page = cf.describe_stack_events(StackName=stack, **({"NextToken": token} if token else {}))
        found.extend(page["StackEvents"])
        token = page.get("NextToken")
        if not token:
            break
    return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", "")) for e in reversed(found)]


def physical(cf: Any, stack: str) -> dict[str, str]:
    rows = cf.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in rows}


def outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def yaml_text(template: dict[str, Any]) -> str:
    return yaml.safe_dump(template, sort_keys=False)


def check(cf: Any, stack: dict[str, Any], expected: str = "CREATE_COMPLETE") -> dict[str, Any]:
    """Assert the stack's status, showing its events when it is not the one expected."""
    if stack["StackStatus"] != expected:
        trail = "\n".join(f"  {logical} {status} {reason}" for logical, status, reason in events(cf, stack["StackId"]))
        raise AssertionError(f"stack {stack['StackName']} is {stack['StackStatus']}, not {expected}:\n{trail}")
    return stack
