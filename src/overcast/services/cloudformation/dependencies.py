"""Which resources a template fragment refers to: the dependencies that order a stack's resources."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.errors import CfnValidationError
from overcast.services.cloudformation.intrinsics import SUB_VARIABLE, Scope, getatt_parts, intrinsic


def references(value: Any, scope: Scope) -> set[str]:
    """Logical ids of resources `value` refers to through Ref, Fn::GetAtt and Fn::Sub (taking
    Fn::If's branch that its condition selects, as AWS does)."""
    found: set[str] = set()
    _collect(value, scope, found)
    return found


def _collect(value: Any, scope: Scope, found: set[str]) -> None:
    fn = intrinsic(value)
    if fn is not None:
        name, arg = fn
        if name == "Ref" and isinstance(arg, str):
            found.add(arg)
            return
        if name == "Fn::GetAtt":
            try:
                found.add(getatt_parts(arg, scope)[0])
            except CfnValidationError:
                pass
            _collect(arg, scope, found)
            return
        if name == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) and arg else arg
            local = set(arg[1]) if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], dict) else set()
            if isinstance(text, str):
                for match in SUB_VARIABLE.finditer(text):
                    expr = match.group(1).strip()
                    if not expr.startswith("!") and expr not in local:
                        found.add(expr.split(".", 1)[0])
            if isinstance(arg, list) and len(arg) > 1:
                _collect(arg[1], scope, found)
            return
        if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3 and arg[0] in scope.conditions:
            _collect(arg[1] if scope.conditions[arg[0]] else arg[2], scope, found)
            return
        _collect(arg, scope, found)
        return
    if isinstance(value, dict):
        for item in value.values():
            _collect(item, scope, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, scope, found)
