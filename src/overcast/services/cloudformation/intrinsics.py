"""Intrinsic functions, condition functions and pseudo parameters.

A `Scope` knows the values a template can refer to (parameters, pseudo parameters, mappings,
conditions, resources' Ref and GetAtt values, exports); `resolve` evaluates a template fragment in
it. `{"Ref": "AWS::NoValue"}` resolves to `NO_VALUE`, and the object member or list item holding it
disappears, as on AWS.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from overcast.services.cloudformation.errors import CfnValidationError, template_error


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()

SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")

CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition")


class Unresolvable(Exception):
    """A value that is not known yet (an attribute of a resource not created yet)."""


@dataclass
class Scope:
    """What a template fragment can refer to while it is being resolved."""

    parameters: dict[str, Any]
    pseudo: dict[str, Any]
    mappings: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, bool] = field(default_factory=dict)
    #: logical id → Ref value of a resource that exists
    refs: Callable[[str], Any] = lambda name: _unknown(name)
    #: (logical id, attribute) → value
    attribute: Callable[[str, str], Any] = lambda name, attr: _unknown(name)
    #: export name → value
    imports: Callable[[str], Any] = lambda name: _missing_export(name)
    #: logical ids of the resources the template declares (active or not)
    resources: frozenset[str] = frozenset()
    #: the region Fn::GetAZs answers for
    region: str = "us-east-1"


def _unknown(name: str) -> Any:
    raise Unresolvable(name)


def _missing_export(name: str) -> Any:
    raise CfnValidationError(f"No export named {name} found.")


def pseudo_parameters(account: str, region: str, stack_name: str, stack_id: str,
                      notification_arns: list[str] | None = None) -> dict[str, Any]:
    return {
        "AWS::AccountId": account,
        "AWS::Region": region,
        "AWS::StackName": stack_name,
        "AWS::StackId": stack_id,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::NotificationARNs": list(notification_arns or []),
        "AWS::NoValue": NO_VALUE,
    }


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """(function name, argument) when `value` is a one-key intrinsic-function object."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if key == "Ref" or key.startswith("Fn::") or key == "Condition":
            return key, value[key]
    return None


def resolve(value: Any, scope: Scope) -> Any:
    """Evaluate every intrinsic function inside `value`."""
    fn = intrinsic(value)
    if fn is not None:
        name, arg = fn
        if name == "Condition":  # a `Condition` key in a property object is just a property
            return {"Condition": resolve(arg, scope)}
        handler = _FUNCTIONS.get(name)
        if handler is None:
            raise template_error(f"Unrecognized intrinsic function {name}")  # AWS: unsupported function
        return handler(arg, scope)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            resolved = resolve(item, scope)
            if resolved is not NO_VALUE:
                out[key] = resolved
        return out
    if isinstance(value, list):
        return [item for item in (resolve(v, scope) for v in value) if item is not NO_VALUE]
    return value


def condition(value: Any, scope: Scope) -> bool:
    """Evaluate a condition expression (Fn::Equals/And/Or/Not, {"Condition": name})."""
    fn = intrinsic(value)
    if fn is None:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise template_error("Conditions can only be boolean operations")
    name, arg = fn
    if name == "Condition":
        if arg not in scope.conditions:
            raise template_error(f"Unresolved dependencies [{arg}]. Cannot reference resources in the Conditions block of the template")
        return scope.conditions[arg]
    if name == "Fn::Equals":
        if not isinstance(arg, list) or len(arg) != 2:
            raise template_error("Fn::Equals requires a list argument of two values")
        a, b = (resolve(v, scope) for v in arg)
        return _text(a) == _text(b)
    if name in ("Fn::And", "Fn::Or"):
        if not isinstance(arg, list) or not 2 <= len(arg) <= 10:
            raise template_error(f"{name} requires a list of 2 to 10 conditions")
        results = [condition(v, scope) for v in arg]
        return all(results) if name == "Fn::And" else any(results)
    if name == "Fn::Not":
        if not isinstance(arg, list) or len(arg) != 1:
            raise template_error("Fn::Not requires a list argument with one function token")
        return not condition(arg[0], scope)
    if name == "Fn::Contains":  # rules only
        values, needle = arg
        return _text(resolve(needle, scope)) in [_text(v) for v in resolve(values, scope)]
    if name == "Fn::EachMemberEquals":
        values, needle = arg
        return all(_text(v) == _text(resolve(needle, scope)) for v in resolve(values, scope))
    if name == "Fn::EachMemberIn":
        values, allowed = arg
        allowed_text = [_text(v) for v in resolve(allowed, scope)]
        return all(_text(v) in allowed_text for v in resolve(values, scope))
    return bool(resolve(value, scope))


def evaluate_conditions(definitions: dict[str, Any], scope: Scope) -> dict[str, bool]:
    """Every named condition of the template (they may refer to one another, without cycles)."""
    results: dict[str, bool] = {}
    visiting: set[str] = set()

    def lookup(name: str) -> bool:
        if name in results:
            return results[name]
        if name not in definitions:
            raise template_error(f"Unresolved dependencies [{name}]. Cannot reference resources in the Conditions block of the template")
        if name in visiting:
            raise template_error(f"Circular dependency between conditions: [{', '.join(sorted(visiting))}]")
        visiting.add(name)
        results[name] = condition(definitions[name], scope)
        visiting.discard(name)
        return results[name]

    class _Conditions(dict[str, bool]):
        def __contains__(self, key: object) -> bool:
            return key in definitions

        def __getitem__(self, key: str) -> bool:
            return lookup(key)

    scope.conditions = _Conditions()
    for name in definitions:
        lookup(name)
    scope.conditions = dict(results)
    return results


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return str(value)


# -- the functions ---------------------------------------------------------------------------


def _ref(arg: Any, scope: Scope) -> Any:
    name = resolve(arg, scope) if intrinsic(arg) else arg
    if not isinstance(name, str):
        raise template_error("Template error: every Ref object must have a single String value.")
    if name in scope.pseudo:
        return scope.pseudo[name]
    if name in scope.parameters:
        return scope.parameters[name]
    if name in scope.resources:
        return scope.refs(name)
    raise template_error(f"Unresolved resource dependencies [{name}] in the Resources block of the template")


def getatt_parts(arg: Any, scope: Scope) -> tuple[str, str]:
    if isinstance(arg, str):
        logical, _, attribute = arg.partition(".")
        return logical, attribute
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
        attribute = resolve(arg[1], scope)
        if isinstance(attribute, str):
            return arg[0], attribute
    raise template_error("Template error: every Fn::GetAtt object requires two non-empty parameters.")


def _getatt(arg: Any, scope: Scope) -> Any:
    logical, attribute = getatt_parts(arg, scope)
    if logical not in scope.resources:
        raise template_error(f"Template error: instance of Fn::GetAtt references undefined resource {logical}")
    return scope.attribute(logical, attribute)


def _sub(arg: Any, scope: Scope) -> Any:
    if isinstance(arg, list):
        if len(arg) != 2 or not isinstance(arg[1], dict):
            raise template_error("One or more Fn::Sub intrinsic functions don't specify expected arguments. "
                                 "Specify a string as first argument, and an optional second argument to "
                                 "specify a mapping of values to replace in the string")
        text, variables = arg[0], {k: resolve(v, scope) for k, v in arg[1].items()}
    else:
        text, variables = arg, {}
    if not isinstance(text, str):
        raise template_error("One or more Fn::Sub intrinsic functions don't specify expected arguments.")

    def replace(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr.startswith("!"):
            return "${" + expr[1:] + "}"
        name = expr.strip()
        if name in variables:
            return _text(variables[name])
        if name in scope.pseudo or name in scope.parameters or name in scope.resources:
            value = _ref(name, scope)
            return ",".join(value) if isinstance(value, list) else _text(value)
        if "." in name:
            logical, _, attribute = name.partition(".")
            if logical in scope.resources:
                return _text(scope.attribute(logical, attribute))
        raise template_error(f"Unresolved resource dependencies [{name}] in the Resources block of the template")

    return SUB_VARIABLE.sub(replace, text)


def _join(arg: Any, scope: Scope) -> str:
    if not isinstance(arg, list) or len(arg) != 2:
        raise template_error("Fn::Join requires a list argument of a delimiter and a list of values")
    delimiter = resolve(arg[0], scope)
    items = resolve(arg[1], scope)
    if not isinstance(items, list):
        raise template_error("Template error: every Fn::Join object requires two parameters, (1) a string "
                             "delimiter and (2) a list of strings to be joined or a function that returns a list "
                             "of strings (such as Fn::GetAZs) to be joined.")
    return str(delimiter).join(_text(v) for v in items)


def _select(arg: Any, scope: Scope) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        raise template_error("Template error: Fn::Select requires a list argument with two elements: an integer index and a list")
    index = resolve(arg[0], scope)
    items = resolve(arg[1], scope)
    try:
        position = int(index)
    except (TypeError, ValueError):
        raise template_error("Template error: Fn::Select requires a list argument with two elements: an integer index and a list") from None
    if not isinstance(items, list) or not 0 <= position < len(items):
        raise template_error("Template error: Fn::Select cannot select nonexistent value at index " + str(position))
    return items[position]


def _split(arg: Any, scope: Scope) -> list[str]:
    if not isinstance(arg, list) or len(arg) != 2:
        raise template_error("Template error: every Fn::Split object requires two parameters, (1) a string delimiter "
                             "and (2) a string to be split or a function that returns a string to be split.")
    delimiter, text = resolve(arg[0], scope), resolve(arg[1], scope)
    return str(text).split(str(delimiter))


def _if(arg: Any, scope: Scope) -> Any:
    if not isinstance(arg, list) or len(arg) != 3 or not isinstance(arg[0], str):
        raise template_error("Template error: Fn::If requires a list argument with three elements")
    if arg[0] not in scope.conditions:
        raise template_error(f"Template error: unresolved condition dependency {arg[0]} in Fn::If")
    return resolve(arg[1] if scope.conditions[arg[0]] else arg[2], scope)


def _find_in_map(arg: Any, scope: Scope) -> Any:
    if not isinstance(arg, list) or len(arg) not in (3, 4):
        raise template_error("Template error: Fn::FindInMap requires a list argument with three elements")
    name, top, second = (resolve(v, scope) for v in arg[:3])
    mapping = scope.mappings.get(name)
    if mapping is None:
        raise template_error(f"Template error: Unable to get mapping for {name}::{top}::{second}")
    value = (mapping.get(top) or {}).get(second) if isinstance(mapping.get(top), dict) else None
    if value is None:
        if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
            return resolve(arg[3]["DefaultValue"], scope)
        raise template_error(f"Template error: Unable to get mapping for {name}::{top}::{second}")
    return value


def _get_azs(arg: Any, scope: Scope) -> list[str]:
    region = resolve(arg, scope) or scope.region
    return [f"{region}{letter}" for letter in "abc"]


def _base64(arg: Any, scope: Scope) -> str:
    return base64.b64encode(str(resolve(arg, scope)).encode()).decode()


def _cidr(arg: Any, scope: Scope) -> list[str]:
    if not isinstance(arg, list) or len(arg) != 3:
        raise template_error("Template error: Fn::Cidr requires a list argument with three elements")
    block, count, bits = (resolve(v, scope) for v in arg)
    network = ipaddress.ip_network(str(block), strict=False)
    prefix = network.max_prefixlen - int(bits)
    subnets = network.subnets(new_prefix=prefix)
    out = []
    for _ in range(int(count)):
        try:
            out.append(str(next(subnets)))
        except StopIteration:
            break
    return out


def _import_value(arg: Any, scope: Scope) -> Any:
    return scope.imports(str(resolve(arg, scope)))


def _length(arg: Any, scope: Scope) -> int:
    value = resolve(arg, scope)
    if not isinstance(value, list):
        raise template_error("Fn::Length requires a list")
    return len(value)


def _to_json_string(arg: Any, scope: Scope) -> str:
    return json.dumps(resolve(arg, scope), separators=(",", ":"))


def _condition_value(name: str) -> Callable[[Any, Scope], bool]:
    def evaluate(arg: Any, scope: Scope) -> bool:
        return condition({name: arg}, scope)

    return evaluate


_FUNCTIONS: dict[str, Callable[[Any, Scope], Any]] = {
    "Ref": _ref,
    "Fn::GetAtt": _getatt,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::FindInMap": _find_in_map,
    "Fn::GetAZs": _get_azs,
    "Fn::Base64": _base64,
    "Fn::Cidr": _cidr,
    "Fn::ImportValue": _import_value,
    "Fn::Length": _length,
    "Fn::ToJsonString": _to_json_string,
    **{name: _condition_value(name) for name in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::Contains",
                                                 "Fn::EachMemberEquals", "Fn::EachMemberIn")},
}
