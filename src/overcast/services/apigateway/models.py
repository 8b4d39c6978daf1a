"""REST APIs and their parts as documents (storage/documents.py), shaped like the API's outputs.

A resource document carries its methods (`resourceMethods`), each with its method responses and
integration (with integration responses), exactly as GetResource(embed=methods) returns them. A
deployment carries a snapshot of the API (resources, authorizers, settings): the data plane serves
what was deployed, as on AWS.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from overcast.platform import Platform
from overcast.services.apigateway.errors import BadRequest, Conflict, NotFound
from overcast.services.apigateway.ids import new_id
from overcast.storage.documents import Documents

TABLE = "apigateway_docs"
CHANGED = "apigateway:changed"


class RestApiStore:
    """Every REST API document of every account and region (`platform.component(RestApiStore)`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.docs = Documents(platform.db, TABLE)
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        for listener in self._listeners:
            listener()

    # -- REST APIs -----------------------------------------------------------------------------

    def api(self, account: str, region: str, api_id: str) -> dict[str, Any]:
        doc = self.docs.get(account, region, "restapi", api_id)
        if doc is None:
            raise NotFound(f"Invalid API identifier specified {account}:{api_id}")
        return doc

    def apis(self, account: str, region: str) -> list[dict[str, Any]]:
        return self.docs.list(account, region, "restapi")

    def put_api(self, account: str, region: str, doc: dict[str, Any]) -> None:
        self.docs.put(account, region, "restapi", doc["id"], doc)
        self.changed()

    def create_api(self, account: str, region: str, doc: dict[str, Any]) -> dict[str, Any]:
        doc["id"] = new_id()
        doc["createdDate"] = self.platform.clock.now()
        root = {"id": new_id(10), "path": "/"}
        doc["rootResourceId"] = root["id"]
        with self.platform.db.tx():
            self.docs.put(account, region, "restapi", doc["id"], doc)
            self.docs.put(account, region, "resource", root["id"], root, parent=doc["id"])
        return doc

    def delete_api(self, account: str, region: str, api_id: str) -> None:
        self.api(account, region, api_id)
        with self.platform.db.tx():
            for plan in self.docs.list(account, region, "usageplan"):
                stages = [s for s in plan.get("apiStages", []) if s.get("apiId") != api_id]
                if len(stages) != len(plan.get("apiStages", [])):
                    plan["apiStages"] = stages
                    self.docs.put(account, region, "usageplan", plan["id"], plan)
            self.docs.delete_under(account, region, api_id)
            self.docs.delete(account, region, "restapi", api_id)
        self.changed()

    def find_api(self, api_id: str) -> tuple[str, str, dict[str, Any]] | None:
        return self.docs.find("restapi", api_id)

    # -- children of an API (resources, deployments, stages, authorizers, models...) -----------

    def child(self, account: str, region: str, api_id: str, kind: str, child_id: str, missing: str) -> dict[str, Any]:
        doc = self.docs.get(account, region, kind, child_id, parent=api_id)
        if doc is None:
            self.api(account, region, api_id)
            raise NotFound(missing)
        return doc

    def children(self, account: str, region: str, api_id: str, kind: str) -> list[dict[str, Any]]:
        self.api(account, region, api_id)
        return self.docs.list(account, region, kind, parent=api_id)

    def put_child(self, account: str, region: str, api_id: str, kind: str, child_id: str, doc: dict[str, Any]) -> None:
        self.docs.put(account, region, kind, child_id, doc, parent=api_id)
        self.changed()

    def delete_child(self, account: str, region: str, api_id: str, kind: str, child_id: str) -> None:
        self.docs.delete(account, region, kind, child_id, parent=api_id)
        self.changed()

    # -- resources -----------------------------------------------------------------------------

    def resource(self, account: str, region: str, api_id: str, resource_id: str) -> dict[str, Any]:
        return self.child(account, region, api_id, "resource", resource_id, "Invalid Resource identifier specified")

    def resources(self, account: str, region: str, api_id: str) -> list[dict[str, Any]]:
        return self.children(account, region, api_id, "resource")

    def create_resource(self, account: str, region: str, api_id: str, parent_id: str, path_part: str) -> dict[str, Any]:
        parent = self.resource(account, region, api_id, parent_id)
        check_path_part(path_part)
        siblings = [r for r in self.resources(account, region, api_id) if r.get("parentId") == parent_id]
        for sibling in siblings:
            if sibling["pathPart"] == path_part:
                raise Conflict(f"Another resource with the same parent already has this name: {path_part}")
            if _is_variable(path_part) and _is_variable(sibling["pathPart"]) and \
                    sibling["pathPart"].endswith("+}") == path_part.endswith("+}"):
                raise BadRequest(f"A sibling ({sibling['pathPart']}) of this resource already has a variable path "
                                 f"part -- only one is allowed")
        if parent.get("pathPart", "").endswith("+}"):
            raise BadRequest("Cannot create a child of a resource with a greedy path variable: "
                             f"{parent['pathPart']}")
        base = parent["path"].rstrip("/")
        doc = {"id": new_id(6), "parentId": parent_id, "pathPart": path_part, "path": f"{base}/{path_part}"}
        self.put_child(account, region, api_id, "resource", doc["id"], doc)
        return doc

    def delete_resource(self, account: str, region: str, api_id: str, resource_id: str) -> None:
        doc = self.resource(account, region, api_id, resource_id)
        if "parentId" not in doc:
            raise BadRequest("Cannot delete root resource")
        everything = self.resources(account, region, api_id)
        doomed = {resource_id}
        grew = True
        while grew:
            grew = False
            for item in everything:
                if item.get("parentId") in doomed and item["id"] not in doomed:
                    doomed.add(item["id"])
                    grew = True
        with self.platform.db.tx():
            for doomed_id in doomed:
                self.docs.delete(account, region, "resource", doomed_id, parent=api_id)
        self.changed()

    def snapshot(self, account: str, region: str, api_id: str) -> dict[str, Any]:
        """What a deployment freezes: the API's settings, resources (with methods) and authorizers."""
        api = self.api(account, region, api_id)
        resources = self.resources(account, region, api_id)
        if not any(r.get("resourceMethods") for r in resources):
            raise BadRequest("The REST API doesn't contain any methods")
        return {
            "api": {k: api.get(k) for k in ("id", "name", "binaryMediaTypes", "apiKeySource",
                                             "disableExecuteApiEndpoint", "policy")},
            "resources": copy.deepcopy(resources),
            "authorizers": self.docs.list(account, region, "authorizer", parent=api_id),
        }


def _is_variable(part: str) -> bool:
    return part.startswith("{") and part.endswith("}")


def check_path_part(path_part: str) -> None:
    """A path part is a literal, `{name}` or `{name+}` (AWS: alphanumerics and `-._~:@!$&'()*,;=`)."""
    if not path_part or "/" in path_part:
        raise BadRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and "
                         "the end and an optional plus sign before the closing brace.")
    if "{" in path_part or "}" in path_part:
        inner = path_part[1:-1].removesuffix("+")
        if not _is_variable(path_part) or not inner or "{" in inner or "}" in inner:
            raise BadRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and "
                             "the end and an optional plus sign before the closing brace.")
