"""Checks of a definition before it is accepted, worded as AWS's diagnostics
(`Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ... at /States/A'`)
([AWS](https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html))."""

from __future__ import annotations

import re
from typing import Any

from overcast import documents
from overcast.services.stepfunctions.errors import InvalidName

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")


def diagnostics(text: str) -> list[tuple[str, str, str]]:
    """(code, message, location) for each problem of the definition `text`; empty when it is valid."""
    try:
        definition = documents.loads(text)
    except ValueError as exc:
        return [("INVALID_JSON_DESCRIPTION", str(exc), "")]
    if not isinstance(definition, dict):
        return [("SCHEMA_VALIDATION_FAILED", "Expected value of type: Object", "/")]
    return _machine(definition, "")


def message(found: list[tuple[str, str, str]]) -> str:
    """The InvalidDefinition message: every problem, as AWS lists them."""
    parts = [f"{code}: {text}" + (f" at {where}" if where else "") for code, text, where in found]
    count = f"{len(parts)} errors" if len(parts) > 1 else ""
    return "Invalid State Machine Definition: '" + (f"{count}: " if count else "") + ", ".join(parts) + "'"


def _machine(machine: dict[str, Any], where: str) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    states = machine.get("States")
    if "StartAt" not in machine:
        found.append(("SCHEMA_VALIDATION_FAILED", 'The field "StartAt" is required', where or "/"))
    if not isinstance(states, dict) or not states:
        found.append(("SCHEMA_VALIDATION_FAILED", 'The field "States" is required', where or "/"))
        return found
    start = machine.get("StartAt")
    if start is not None and start not in states:
        found.append(("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {start}", f"{where}/StartAt"))
    for name, state in states.items():
        found += _state(name, state, states, f"{where}/States/{name}")
    return found


def _state(name: str, state: Any, states: dict[str, Any], where: str) -> list[tuple[str, str, str]]:
    if not isinstance(state, dict):
        return [("SCHEMA_VALIDATION_FAILED", "Expected value of type: Object", where)]
    kind = state.get("Type")
    if kind not in STATE_TYPES:
        return [("SCHEMA_VALIDATION_FAILED", f'"{kind}" is not a valid value for the field "Type"'
                 if kind else 'The field "Type" is required', where)]
    found: list[tuple[str, str, str]] = []
    targets = [(state.get("Next"), f"{where}/Next")]
    if kind == "Choice":
        choices = state.get("Choices")
        if not choices:
            found.append(("SCHEMA_VALIDATION_FAILED", 'The field "Choices" is required', where))
        targets = [(c.get("Next"), f"{where}/Choices[{i}]/Next") for i, c in enumerate(choices or [])]
        if "Default" in state:
            targets.append((state["Default"], f"{where}/Default"))
    elif kind not in ("Succeed", "Fail"):
        if "Next" not in state and not state.get("End"):
            found.append(("SCHEMA_VALIDATION_FAILED", 'The field "Next" is required when "End" is not true',
                          where))
        if "Next" in state and state.get("End"):
            found.append(("SCHEMA_VALIDATION_FAILED", 'The field "Next" should not be used when "End" is true',
                          where))
    for field in ("Retry", "Catch"):
        if field in state and kind not in ("Task", "Parallel", "Map"):
            found.append(("SCHEMA_VALIDATION_FAILED", f"Field '{field}' is not supported by state type '{kind}'",
                          where))
    if kind == "Task" and "Resource" not in state:
        found.append(("SCHEMA_VALIDATION_FAILED", 'The field "Resource" is required', where))
    if kind == "Wait" and sum(k in state for k in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")) != 1:
        found.append(("SCHEMA_VALIDATION_FAILED", "A Wait state must have exactly one of Seconds, Timestamp, "
                                                  "SecondsPath or TimestampPath", where))
    for i, catcher in enumerate(state.get("Catch", []) or []):
        targets.append((catcher.get("Next"), f"{where}/Catch[{i}]/Next"))
    for target, at in targets:
        if target is not None and target not in states:
            found.append(("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}", at))
    for i, branch in enumerate(state.get("Branches", []) if kind == "Parallel" else []):
        found += _machine(branch, f"{where}/Branches[{i}]")
    if kind == "Map":
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if not isinstance(processor, dict):
            found.append(("SCHEMA_VALIDATION_FAILED", 'The field "ItemProcessor" is required', where))
        else:
            found += _machine(processor, f"{where}/ItemProcessor")
    return found


#: AWS: 1-80 characters, none of whitespace, brackets, wildcards, quotes or control characters
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


def check_name(name: str) -> None:
    if not name or len(name) > 80 or _BAD_NAME.search(name):
        raise InvalidName(f"Invalid Name: '{name}'")
