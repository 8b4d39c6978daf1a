"""The legacy (pre-expression) parameters old clients still send — Expected, KeyConditions,
QueryFilter, ScanFilter, AttributesToGet, AttributeUpdates — turned into the same bound nodes the
expression languages produce, so one evaluator serves both."""

from __future__ import annotations

from typing import Any

from overcast.services.dynamodb.errors import DynamoValidation, invalid
from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.types import check_value, kind_of

_ARGUMENTS = {"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0, "CONTAINS": 1,
              "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "BETWEEN": 2}
_COMPARISONS = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}


def _path(name: str) -> nodes.Path:
    return nodes.Path((name,))


def _value(av: Any) -> nodes.Value:
    return nodes.Value("", check_value(av))


def comparison(name: str, operator: str, values: list[Any] | None) -> Any:
    """One legacy condition (`ComparisonOperator` and `AttributeValueList`) as a node."""
    values = values or []
    expected = _ARGUMENTS.get(operator)
    if operator == "IN":
        if not values:
            raise invalid(f"Invalid number of argument(s) for the {operator} ComparisonOperator")
        return nodes.In(_path(name), tuple(_value(v) for v in values))
    if expected is None:
        raise invalid(f"Unsupported operator on ExpectedAttributeValue or ConditionalOperator: {operator}")
    if len(values) != expected:
        raise invalid(f"Invalid number of argument(s) for the {operator} ComparisonOperator")
    args = [_value(v) for v in values]
    path = _path(name)
    if operator in _COMPARISONS:
        return nodes.Compare(_COMPARISONS[operator], path, args[0])
    if operator == "NOT_NULL":
        return nodes.Function("attribute_exists", (path,))
    if operator == "NULL":
        return nodes.Function("attribute_not_exists", (path,))
    if operator == "CONTAINS":
        return nodes.Function("contains", (path, args[0]))
    if operator == "NOT_CONTAINS":
        return nodes.And(nodes.Function("attribute_exists", (path,)),
                         nodes.Not(nodes.Function("contains", (path, args[0]))))
    if operator == "BEGINS_WITH":
        return nodes.Function("begins_with", (path, args[0]))
    return nodes.Between(path, args[0], args[1])


def _combine(parts: list[Any], operator: str | None) -> Any:
    if not parts:
        return None
    joined = parts[0]
    for part in parts[1:]:
        joined = nodes.Or(joined, part) if operator == "OR" else nodes.And(joined, part)
    return joined


def conditions(spec: dict[str, dict[str, Any]] | None, operator: str | None = None) -> Any:
    """KeyConditions, QueryFilter or ScanFilter."""
    if not spec:
        return None
    return _combine([comparison(name, c["ComparisonOperator"], c.get("AttributeValueList"))
                     for name, c in spec.items()], operator)


def expected(spec: dict[str, dict[str, Any]] | None, operator: str | None = None) -> Any:
    """The Expected parameter of PutItem, UpdateItem and DeleteItem."""
    if not spec:
        return None
    parts = []
    for name, rule in spec.items():
        if "ComparisonOperator" in rule:
            if "Value" in rule:
                raise invalid("Value and AttributeValueList cannot be used together")
            parts.append(comparison(name, rule["ComparisonOperator"], rule.get("AttributeValueList")))
        elif rule.get("Exists") is False:
            if "Value" in rule:
                raise invalid("Value cannot be used when Exists is false")
            parts.append(nodes.Function("attribute_not_exists", (_path(name),)))
        elif "Value" in rule:
            parts.append(nodes.Compare("=", _path(name), _value(rule["Value"])))
        else:
            raise invalid("Value must be provided when Exists is null")
    return _combine(parts, operator)


def attributes_to_get(names: list[str] | None) -> tuple[nodes.Path, ...] | None:
    if names is None:
        return None
    if len(set(names)) != len(names):
        raise DynamoValidation("One or more parameter values were invalid: Duplicate value in attribute name")
    return tuple(_path(n) for n in names)


def attribute_updates(spec: dict[str, dict[str, Any]] | None) -> nodes.Update | None:
    """AttributeUpdates: PUT sets, DELETE removes (or takes elements out of a set), ADD adds to a
    number or set, or appends to a list."""
    if not spec:
        return None
    actions: list[nodes.UpdateAction] = []
    for name, update in spec.items():
        action = update.get("Action", "PUT")
        value = update.get("Value")
        path = _path(name)
        if action == "PUT":
            if value is None:
                raise invalid("Only DELETE action is allowed when no attribute value is specified")
            actions.append(nodes.UpdateAction("SET", path, _value(value)))
        elif action == "DELETE":
            if value is None:
                actions.append(nodes.UpdateAction("REMOVE", path))
            else:
                actions.append(_set_change("DELETE", path, _value(value)))
        else:
            if value is None:
                raise invalid("Only DELETE action is allowed when no attribute value is specified")
            actions.append(_set_change("ADD", path, _value(value)))
    return nodes.Update(tuple(actions))


def _set_change(kind: str, path: nodes.Path, value: nodes.Value) -> nodes.UpdateAction:
    value_kind = kind_of(value.av)
    if kind == "ADD" and value_kind == "L":
        empty = nodes.Value("", {"L": []})
        appended = nodes.Function("list_append", (nodes.Function("if_not_exists", (path, empty)), value))
        return nodes.UpdateAction("SET", path, appended)
    allowed = ("N", "SS", "NS", "BS") if kind == "ADD" else ("SS", "NS", "BS")
    if value_kind not in allowed:
        raise invalid(f"{kind} action is not supported for the type {value_kind}")
    return nodes.UpdateAction(kind, path, value)
