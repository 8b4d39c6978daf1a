"""Evaluate bound conditions against items, with DynamoDB's semantics.

A comparison involving a missing attribute (or values of different types) is false, except `<>`,
which is true; `<`, `<=`, `>`, `>=` and BETWEEN only compare S, N and B values of one type.
"""

from __future__ import annotations

from typing import Any

from overcast.services.dynamodb import types
from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.types import AttributeValue, Item


def resolve(item: Item, path: nodes.Path) -> AttributeValue | None:
    """The value at `path` in `item`, or None when any step is missing or of the wrong type."""
    elements = path.elements
    first = elements[0]  # a name: a path never starts with an index
    current = item.get(first) if isinstance(first, str) else None
    for element in elements[1:]:
        if current is None:
            return None
        if isinstance(element, int):
            values = current.get("L")
            if values is None or element >= len(values):
                return None
            current = values[element]
        else:
            members = current.get("M")
            if members is None:
                return None
            current = members.get(element)
    return current


def operand(node: Any, item: Item) -> AttributeValue | None:
    if isinstance(node, nodes.Path):
        return resolve(item, node)
    if isinstance(node, nodes.Value):
        return node.av  # type: ignore[no-any-return]
    # size(path): the only function that is an operand in conditions
    target = resolve(item, node.args[0])
    if target is None:
        return None
    size = types.size_of(target)
    return None if size is None else {"N": str(size)}


def _compare(op: str, left: AttributeValue | None, right: AttributeValue | None) -> bool:
    if op == "=":
        return types.equals(left, right)
    if op == "<>":
        return not types.equals(left, right)
    order = types.compare(left, right)
    if order is None:
        return False
    if op == "<":
        return order < 0
    if op == "<=":
        return order <= 0
    if op == ">":
        return order > 0
    return order >= 0


def evaluate(node: Any, item: Item) -> bool:
    """True when `item` satisfies the bound condition `node`."""
    kind = type(node)
    if kind is nodes.Compare:
        return _compare(node.op, operand(node.left, item), operand(node.right, item))
    if kind is nodes.And:
        return evaluate(node.left, item) and evaluate(node.right, item)
    if kind is nodes.Or:
        return evaluate(node.left, item) or evaluate(node.right, item)
    if kind is nodes.Not:
        return not evaluate(node.operand, item)
    if kind is nodes.Between:
        subject = operand(node.subject, item)
        low = types.compare(subject, operand(node.low, item))
        high = types.compare(subject, operand(node.high, item))
        return low is not None and high is not None and low >= 0 and high <= 0
    if kind is nodes.In:
        subject = operand(node.subject, item)
        return subject is not None and any(types.equals(subject, operand(o, item)) for o in node.options)
    return _function(node, item)


def _function(node: nodes.Function, item: Item) -> bool:
    name = node.name
    target = resolve(item, node.args[0])
    if name == "attribute_exists":
        return target is not None
    if name == "attribute_not_exists":
        return target is None
    if target is None:
        return False
    argument = operand(node.args[1], item)
    if argument is None:
        return False
    if name == "attribute_type":
        return types.kind_of(target) == argument.get("S")
    if name == "begins_with":
        return _begins_with(target, argument)
    return types.contains(target, argument)


def _begins_with(target: AttributeValue, prefix: AttributeValue) -> bool:
    kind = types.kind_of(target)
    if kind != types.kind_of(prefix):
        return False
    if kind == "S":
        return bool(target["S"].startswith(prefix["S"]))
    if kind == "B":
        return types.decode_binary(target["B"]).startswith(types.decode_binary(prefix["B"]))
    return False


def paths_of(node: Any) -> list[nodes.Path]:
    """Every document path a bound condition reads (to check what a filter may refer to)."""
    if isinstance(node, nodes.Path):
        return [node]
    if isinstance(node, nodes.Value) or node is None:
        return []
    if isinstance(node, nodes.Compare | nodes.And | nodes.Or):
        return paths_of(node.left) + paths_of(node.right)
    if isinstance(node, nodes.Not):
        return paths_of(node.operand)
    if isinstance(node, nodes.Between):
        return paths_of(node.subject) + paths_of(node.low) + paths_of(node.high)
    if isinstance(node, nodes.In):
        return paths_of(node.subject) + [p for o in node.options for p in paths_of(o)]
    return [p for a in node.args for p in paths_of(a)]
