"""Qualified state machine ARNs: `<machine-arn>:<version>` and `<machine-arn>:<alias>`."""

from __future__ import annotations

import random
from typing import Any

from overcast.services.stepfunctions.errors import ResourceNotFound
from overcast.services.stepfunctions.models import Machine


def split(arn: str) -> tuple[str, str | None]:
    """(the machine's ARN, its qualifier: a version number or an alias name, or None)."""
    parts = arn.split(":")
    return ":".join(parts[:7]), (parts[7] if len(parts) > 7 else None)


def resolve(machine: Machine, qualifier: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The definition and role an execution of `machine` (qualified) runs with, and the
    version/alias ARNs its description names. An alias picks one of its versions by weight."""
    if qualifier is None:
        return machine.doc, {}
    extra: dict[str, str] = {}
    if not qualifier.isdigit():
        alias = machine.doc.get("_aliases", {}).get(qualifier)
        if alias is None:
            raise ResourceNotFound(f"Resource not found: '{machine.arn}:{qualifier}'")
        extra["stateMachineAliasArn"] = f"{machine.arn}:{qualifier}"
        routes = alias["routingConfiguration"]
        chosen = random.choices(routes, weights=[r["weight"] for r in routes])[0]
        qualifier = split(chosen["stateMachineVersionArn"])[1] or ""
    version = machine.doc.get("_versions", {}).get(qualifier)
    if version is None:
        raise ResourceNotFound(f"Resource not found: '{machine.arn}:{qualifier}'")
    extra["stateMachineVersionArn"] = f"{machine.arn}:{qualifier}"
    return version, extra
