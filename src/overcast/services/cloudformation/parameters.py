"""Template parameters: values from the call, previous values, defaults; type and constraint checks
worded as AWS words them; SSM parameter types resolved through a lookup."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from overcast.services.cloudformation.errors import CfnValidationError

NO_ECHO_MASK = "****"
_SSM_TYPE = re.compile(r"^AWS::SSM::Parameter::Value<(.+)>$")


def is_list_type(kind: str) -> bool:
    return kind == "CommaDelimitedList" or kind.startswith("List<")


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",")] if value != "" else []


def resolve_parameters(declarations: dict[str, Any], given: list[dict[str, Any]] | None,
                       previous: dict[str, str] | None = None,
                       ssm: Callable[[str], str] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """(values for Ref, raw string values to remember) for one stack operation.

    `given` is the call's Parameters list; `previous` the stack's last raw values (for
    UsePreviousValue). Raises the ValidationError AWS answers for a missing, unknown or
    ill-formed value.
    """
    given = given or []
    unknown = [p["ParameterKey"] for p in given if p.get("ParameterKey") not in declarations]
    if unknown:
        raise CfnValidationError(f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    raw: dict[str, str] = {}
    for item in given:
        key = item["ParameterKey"]
        if item.get("UsePreviousValue"):
            if previous is None or key not in previous:
                raise CfnValidationError(f"Invalid input for parameter key {key}. Cannot specify usePreviousValue as "
                                         "true for a parameter key not in the previous template")
            raw[key] = previous[key]
        elif item.get("ParameterValue") is not None:
            raw[key] = str(item["ParameterValue"])
    missing = []
    for key, decl in declarations.items():
        if key not in raw and isinstance(decl, dict) and "Default" in decl:
            default = decl["Default"]
            raw[key] = ",".join(str(v) for v in default) if isinstance(default, list) else _scalar(default)
        if key not in raw:
            missing.append(key)
    if missing:
        raise CfnValidationError(f"Parameters: [{', '.join(missing)}] must have values")
    values = {key: _value(key, declarations[key] or {}, raw[key], ssm) for key in declarations}
    return values, raw


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _value(key: str, decl: dict[str, Any], raw: str, ssm: Callable[[str], str] | None) -> Any:
    kind = str(decl.get("Type", "String"))
    match = _SSM_TYPE.match(kind)
    if match:
        if ssm is None:
            raise CfnValidationError(f"Unable to fetch parameters [{raw}] from parameter store for this account.")
        resolved = ssm(raw)
        inner = match.group(1)
        return _split(resolved) if is_list_type(inner) else resolved
    if kind == "AWS::SSM::Parameter::Name":
        return raw
    if is_list_type(kind):
        items = _split(raw)
        if kind == "List<Number>":
            for item in items:
                _number(key, item)
        for item in items:
            _constraints(key, decl, item)
        return items
    if kind == "Number":
        _number(key, raw)
    _constraints(key, decl, raw)
    return raw


def _number(key: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise CfnValidationError(f"Parameter '{key}' must be a number.") from None


def _constraints(key: str, decl: dict[str, Any], value: str) -> None:
    described = decl.get("ConstraintDescription")

    def fail(message: str) -> None:
        if described:
            message = f"Parameter '{key}' failed to satisfy constraint: {described}"
        raise CfnValidationError(message)

    allowed = decl.get("AllowedValues")
    if allowed is not None and value not in [_scalar(v) for v in allowed]:
        fail(f"Parameter '{key}' must be one of AllowedValues")
    pattern = decl.get("AllowedPattern")
    if pattern is not None and not re.fullmatch(str(pattern), value):
        fail(f"Parameter '{key}' must match pattern {pattern}")
    if "MinLength" in decl and len(value) < int(decl["MinLength"]):
        fail(f"Parameter '{key}' must contain at least {decl['MinLength']} characters")
    if "MaxLength" in decl and len(value) > int(decl["MaxLength"]):
        fail(f"Parameter '{key}' must contain at most {decl['MaxLength']} characters")
    if "MinValue" in decl and _number(key, value) < float(decl["MinValue"]):
        fail(f"Parameter '{key}' must be a number not less than {decl['MinValue']}")
    if "MaxValue" in decl and _number(key, value) > float(decl["MaxValue"]):
        fail(f"Parameter '{key}' must be a number not greater than {decl['MaxValue']}")


def described(declarations: dict[str, Any], raw: dict[str, str], values: dict[str, Any]) -> list[dict[str, Any]]:
    """The stack's `Parameters` as DescribeStacks shows them: NoEcho values masked, SSM values resolved."""
    out = []
    for key, decl in declarations.items():
        decl = decl or {}
        item: dict[str, Any] = {"ParameterKey": key, "ParameterValue": raw.get(key, "")}
        if _truthy(decl.get("NoEcho")):
            item["ParameterValue"] = NO_ECHO_MASK
        elif _SSM_TYPE.match(str(decl.get("Type", ""))):
            value = values.get(key)
            item["ResolvedValue"] = ",".join(value) if isinstance(value, list) else str(value)
        out.append(item)
    return out


def declarations_summary(declarations: dict[str, Any]) -> list[dict[str, Any]]:
    """ValidateTemplate's / GetTemplateSummary's view of the declared parameters."""
    out = []
    for key, decl in declarations.items():
        decl = decl or {}
        item: dict[str, Any] = {"ParameterKey": key, "NoEcho": _truthy(decl.get("NoEcho"))}
        if "Default" in decl:
            default = decl["Default"]
            item["DefaultValue"] = ",".join(map(str, default)) if isinstance(default, list) else _scalar(default)
        if "Description" in decl:
            item["Description"] = str(decl["Description"])
        item["ParameterType"] = str(decl.get("Type", "String"))
        if decl.get("AllowedValues") is not None:
            item["ParameterConstraints"] = {"AllowedValues": [_scalar(v) for v in decl["AllowedValues"]]}
        out.append(item)
    return out


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
