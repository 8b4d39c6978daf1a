"""Matching a request to an HTTP API route: the most specific route wins (static path parts over
`{param}` over `{proxy+}`, a method over ANY), and `$default` catches what nothing else does."""

from __future__ import annotations

from typing import Any

from overcast.services.apigateway.resource_tree import Match, ResourceTree


class RouteTable:
    def __init__(self, routes: list[dict[str, Any]]) -> None:
        self.default = next((r for r in routes if r["RouteKey"] == "$default"), None)
        resources: dict[str, dict[str, Any]] = {"/": {"id": "/", "path": "/"}}
        for route in routes:
            if route["RouteKey"] == "$default":
                continue
            method, _, path = route["RouteKey"].partition(" ")
            node = resources["/"]
            for part in [p for p in path.split("/") if p]:
                child_path = f"{node['path'].rstrip('/')}/{part}"
                if child_path not in resources:
                    resources[child_path] = {"id": child_path, "parentId": node["id"], "pathPart": part,
                                             "path": child_path}
                node = resources[child_path]
            node.setdefault("resourceMethods", {})[method] = route
        self._tree = ResourceTree(list(resources.values()))

    def match(self, method: str, raw_path: str) -> Match | None:
        found = self._tree.match(method, raw_path)
        if found is not None:
            return found
        if self.default is not None:
            return Match({"id": "$default", "path": "$default"}, self.default, {})
        return None
