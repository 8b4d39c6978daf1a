"""Apply a bound UpdateExpression to an item, as DynamoDB does.

Every operand is evaluated against the item as it was before the update; then SET actions write,
REMOVE actions delete (list elements highest index first, so indexes refer to the original list),
ADD adds to numbers and sets, DELETE takes elements out of sets (an emptied set disappears).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from overcast.services.dynamodb import types
from overcast.services.dynamodb.errors import DynamoValidation
from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.expressions.evaluate import resolve
from overcast.services.dynamodb.types import AttributeValue, Item

INVALID_PATH = "The document path provided in the update expression is invalid for update"
WRONG_TYPE = "An operand in the update expression has an incorrect data type"
MISSING = "The provided expression refers to an attribute that does not exist in the item"


def apply_update(item: Item, update: nodes.Update) -> Item:
    """The item after `update` (a new object; `item` is left as it was)."""
    values = [(a, _value(a.value, item)) for a in update.actions if a.kind == "SET"]
    new = dict(item)
    for action in update.actions:
        if len(action.path.elements) > 1:
            head = action.path.elements[0]
            if head in new and new[head] is item.get(head):  # type: ignore[call-overload]
                new[head] = copy.deepcopy(new[head])  # type: ignore[index]
    for action, value in values:
        _set(new, action.path, value)
    removes = sorted((a.path for a in update.actions if a.kind == "REMOVE"),
                     key=lambda p: [(-e if isinstance(e, int) else 0) for e in p.elements])
    for path in removes:
        _remove(new, path)
    for action in update.actions:
        if action.kind == "ADD":
            _add(new, action.path, action.value.av)
        elif action.kind == "DELETE":
            _delete(new, action.path, action.value.av)
    return new


def _value(node: Any, item: Item) -> AttributeValue:
    if isinstance(node, nodes.Value):
        return node.av  # type: ignore[no-any-return]
    if isinstance(node, nodes.Path):
        found = resolve(item, node)
        if found is None:
            raise DynamoValidation(MISSING)
        return found
    if isinstance(node, nodes.Arithmetic):
        left, right = _value(node.left, item), _value(node.right, item)
        if "N" not in left or "N" not in right:
            raise DynamoValidation(WRONG_TYPE)
        return {"N": types.add_numbers(left["N"], right["N"], subtract=node.op == "-")}
    if node.name == "if_not_exists":
        found = resolve(item, node.args[0])
        return found if found is not None else _value(node.args[1], item)
    left, right = _value(node.args[0], item), _value(node.args[1], item)  # list_append
    if "L" not in left or "L" not in right:
        raise DynamoValidation(WRONG_TYPE)
    return {"L": left["L"] + right["L"]}


def _parent(item: Item, path: nodes.Path) -> AttributeValue | None:
    return resolve(item, nodes.Path(path.elements[:-1]))


def _set(item: Item, path: nodes.Path, value: AttributeValue) -> None:
    elements = path.elements
    if len(elements) == 1:
        item[elements[0]] = value  # type: ignore[index]
        return
    parent = _parent(item, path)
    last = elements[-1]
    if parent is None:
        raise DynamoValidation(INVALID_PATH)
    if isinstance(last, int):
        values = parent.get("L")
        if values is None:
            raise DynamoValidation(INVALID_PATH)
        if last >= len(values):
            values.append(value)
        else:
            values[last] = value
        return
    members = parent.get("M")
    if members is None:
        raise DynamoValidation(INVALID_PATH)
    members[last] = value


def _remove(item: Item, path: nodes.Path) -> None:
    elements = path.elements
    if len(elements) == 1:
        if isinstance(elements[0], str):  # a path never starts with an index
            item.pop(elements[0], None)
        return
    parent = _parent(item, path)
    last = elements[-1]
    if parent is None:
        raise DynamoValidation(INVALID_PATH)
    if isinstance(last, int):
        values = parent.get("L")
        if values is None:
            raise DynamoValidation(INVALID_PATH)
        if last < len(values):
            del values[last]
        return
    members = parent.get("M")
    if members is None:
        raise DynamoValidation(INVALID_PATH)
    members.pop(last, None)


def _add(item: Item, path: nodes.Path, value: AttributeValue) -> None:
    current = resolve(item, path)
    if current is None:
        _set(item, path, value)
        return
    kind = types.kind_of(value)
    if kind not in current:
        raise DynamoValidation(WRONG_TYPE)
    if kind == "N":
        _set(item, path, {"N": types.add_numbers(current["N"], value["N"])})
        return
    _set(item, path, {kind: _union(kind, current[kind], value[kind])})


def _delete(item: Item, path: nodes.Path, value: AttributeValue) -> None:
    current = resolve(item, path)
    if current is None:
        return
    kind = types.kind_of(value)
    if kind not in current:
        raise DynamoValidation(WRONG_TYPE)
    doomed = {_member_key(kind, v) for v in value[kind]}
    remaining = [v for v in current[kind] if _member_key(kind, v) not in doomed]
    if remaining:
        _set(item, path, {kind: remaining})
    else:
        _remove(item, path)


def _member_key(kind: str, value: str) -> Any:
    if kind == "NS":
        return Decimal(value)
    if kind == "BS":
        return types.decode_binary(value)
    return value


def _union(kind: str, current: list[str], extra: list[str]) -> list[str]:
    seen = {_member_key(kind, v) for v in current}
    out = list(current)
    for value in extra:
        key = _member_key(kind, value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out
