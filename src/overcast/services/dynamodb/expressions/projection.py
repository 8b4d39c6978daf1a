"""ProjectionExpression (and AttributesToGet): the parts of an item a read returns.

Nested paths keep their structure (`a.b` gives `{"a": {"M": {"b": ...}}}`); list elements picked by
index come back as a shorter list in index order, as DynamoDB returns them.
"""

from __future__ import annotations

from typing import Any

from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.expressions.evaluate import resolve
from overcast.services.dynamodb.types import Item


def project(item: Item, paths: tuple[nodes.Path, ...] | list[nodes.Path]) -> Item:
    """The attributes of `item` that `paths` name (missing ones are left out)."""
    if all(len(p.elements) == 1 for p in paths):
        out: Item = {}
        for path in paths:
            name = path.elements[0]
            if isinstance(name, str) and item.get(name) is not None:
                out[name] = item[name]
        return out
    tree: dict[Any, Any] = {}
    for path in paths:
        value = resolve(item, path)
        if value is not None:
            _insert(tree, path.elements, value)
    return {name: _finish(node) for name, node in tree.items()}


class _Branch:
    """A container being rebuilt: a map (str keys) or a list (int keys, compacted at the end)."""

    __slots__ = ("children", "is_list")

    def __init__(self, is_list: bool) -> None:
        self.is_list = is_list
        self.children: dict[Any, Any] = {}


def _insert(tree: dict[Any, Any], elements: tuple[nodes.PathElement, ...], value: Any) -> None:
    children = tree
    for position, element in enumerate(elements[:-1]):
        branch = children.get(element)
        if branch is None:
            branch = _Branch(isinstance(elements[position + 1], int))
            children[element] = branch
        children = branch.children
    children[elements[-1]] = value


def _finish(node: Any) -> Any:
    if not isinstance(node, _Branch):
        return node
    if node.is_list:
        return {"L": [_finish(node.children[k]) for k in sorted(node.children)]}
    return {"M": {k: _finish(v) for k, v in node.children.items()}}
