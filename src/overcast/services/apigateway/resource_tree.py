"""Matching a request path to a deployed resource: static path parts win over `{param}`, which win
over a greedy `{proxy+}`; among candidates, the first with the request's method (or ANY) serves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote


@dataclass
class Node:
    resource: dict[str, Any]
    static: dict[str, Node] = field(default_factory=dict)
    param: tuple[str, Node] | None = None
    greedy: tuple[str, Node] | None = None


@dataclass(frozen=True)
class Match:
    resource: dict[str, Any]
    method: dict[str, Any]
    path_parameters: dict[str, str]


class ResourceTree:
    """The resources of one deployment, compiled once."""

    def __init__(self, resources: list[dict[str, Any]]) -> None:
        nodes = {r["id"]: Node(r) for r in resources}
        self.root: Node | None = None
        for node in nodes.values():
            parent = nodes.get(node.resource.get("parentId", ""))
            if parent is None:
                if "parentId" not in node.resource:
                    self.root = node
                continue
            part = node.resource["pathPart"]
            if part.startswith("{") and part.endswith("+}"):
                parent.greedy = (part[1:-2], node)
            elif part.startswith("{") and part.endswith("}"):
                parent.param = (part[1:-1], node)
            else:
                parent.static[part] = node

    def match(self, method: str, raw_path: str) -> Match | None:
        if self.root is None:
            return None
        parts = [p for p in raw_path.split("?", 1)[0].split("/") if p]
        for node, params in _candidates(self.root, parts, 0, {}):
            methods = node.resource.get("resourceMethods") or {}
            chosen = methods.get(method) or methods.get("ANY")
            if chosen is not None:
                return Match(node.resource, chosen, params)
        return None


def _candidates(node: Node, parts: list[str], index: int, params: dict[str, str]) -> Iterator[tuple[Node, dict[str, str]]]:
    if index == len(parts):
        yield node, params
        return
    part = parts[index]
    child = node.static.get(unquote(part)) or node.static.get(part)
    if child is not None:
        yield from _candidates(child, parts, index + 1, params)
    if node.param is not None:
        name, child = node.param
        yield from _candidates(child, parts, index + 1, {**params, name: unquote(part)})
    if node.greedy is not None:
        name, child = node.greedy
        yield child, {**params, name: unquote("/".join(parts[index:]))}
