"""HTTP APIs (API Gateway v2) as documents, shaped like the API's outputs (member names).

Changes to routes, integrations and authorizers reach stages through deployments: a stage with
AutoDeploy gets a new deployment after every change, as on AWS. A deployment carries a snapshot
(routes, integrations, authorizers) that the data plane serves.
"""

from __future__ import annotations

from typing import Any

from overcast.platform import Platform
from overcast.services.apigateway.errors import BadRequest, NotFound
from overcast.services.apigateway.ids import new_id
from overcast.storage.documents import Documents

TABLE = "apigatewayv2_docs"
METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY")

_MISSING = {
    "route": "Invalid Route identifier specified",
    "integration": "Invalid Integration identifier specified",
    "stage": "Invalid stage identifier specified",
    "deployment": "Invalid Deployment identifier specified",
    "authorizer": "Invalid Authorizer identifier specified",
}


def check_route_key(route_key: str) -> None:
    if route_key == "$default":
        return
    method, _, path = route_key.partition(" ")
    if method not in METHODS or not path.startswith("/") or " " in path:
        raise BadRequest(f"Unable to create route {route_key}: the route key must be '$default' or "
                         "'{METHOD} /{path}' with METHOD one of GET, PUT, POST, DELETE, PATCH, OPTIONS, HEAD, ANY")
    for index, part in enumerate(path.split("/")[1:]):
        if part.endswith("+}") and index != len(path.split("/")) - 2:
            raise BadRequest(f"Unable to create route {route_key}: a greedy path variable must be the last part")


class HttpApiStore:
    """`platform.component(HttpApiStore)`."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.docs = Documents(platform.db, TABLE)

    def now(self) -> float:
        return self.platform.clock.now()

    # -- APIs ----------------------------------------------------------------------------------

    def api(self, account: str, region: str, api_id: str) -> dict[str, Any]:
        doc = self.docs.get(account, region, "api", api_id)
        if doc is None:
            raise NotFound(f"Invalid API identifier specified {account}:{api_id}")
        return doc

    def apis(self, account: str, region: str) -> list[dict[str, Any]]:
        return self.docs.list(account, region, "api")

    def put_api(self, account: str, region: str, doc: dict[str, Any]) -> None:
        self.docs.put(account, region, "api", doc["ApiId"], doc)

    def delete_api(self, account: str, region: str, api_id: str) -> None:
        self.api(account, region, api_id)
        with self.platform.db.tx():
            self.docs.delete_under(account, region, api_id)
            self.docs.delete(account, region, "api", api_id)

    def find_api(self, api_id: str) -> tuple[str, str, dict[str, Any]] | None:
        return self.docs.find("api", api_id)

    # -- children ------------------------------------------------------------------------------

    def child(self, account: str, region: str, api_id: str, kind: str, child_id: str) -> dict[str, Any]:
        doc = self.docs.get(account, region, kind, child_id, parent=api_id)
        if doc is None:
            self.api(account, region, api_id)
            raise NotFound(_MISSING[kind])
        return doc

    def children(self, account: str, region: str, api_id: str, kind: str) -> list[dict[str, Any]]:
        self.api(account, region, api_id)
        return self.docs.list(account, region, kind, parent=api_id)

    def put_child(self, account: str, region: str, api_id: str, kind: str, child_id: str, doc: dict[str, Any],
                  *, redeploy: bool = True) -> None:
        self.docs.put(account, region, kind, child_id, doc, parent=api_id)
        if redeploy and kind in ("route", "integration", "authorizer"):
            self.auto_deploy(account, region, api_id)

    def delete_child(self, account: str, region: str, api_id: str, kind: str, child_id: str) -> None:
        self.child(account, region, api_id, kind, child_id)
        self.docs.delete(account, region, kind, child_id, parent=api_id)
        if kind in ("route", "integration", "authorizer"):
            self.auto_deploy(account, region, api_id)

    # -- deployments ---------------------------------------------------------------------------

    def deploy(self, account: str, region: str, api_id: str, description: str | None = None,
               auto: bool = False) -> dict[str, Any]:
        snapshot = {kind: self.docs.list(account, region, kind, parent=api_id)
                    for kind in ("route", "integration", "authorizer")}
        doc: dict[str, Any] = {"DeploymentId": new_id(6), "CreatedDate": self.now(), "DeploymentStatus": "DEPLOYED",
                               "AutoDeployed": auto, "_snapshot": snapshot}
        if description is not None:
            doc["Description"] = description
        self.docs.put(account, region, "deployment", doc["DeploymentId"], doc, parent=api_id)
        return doc

    def auto_deploy(self, account: str, region: str, api_id: str) -> None:
        """Stages with AutoDeploy get a fresh deployment after each change."""
        stages = [s for s in self.docs.list(account, region, "stage", parent=api_id) if s.get("AutoDeploy")]
        if not stages:
            return
        deployment = self.deploy(account, region, api_id, auto=True)
        for stage in stages:
            stage["DeploymentId"] = deployment["DeploymentId"]
            stage["LastUpdatedDate"] = self.now()
            self.docs.put(account, region, "stage", stage["StageName"], stage, parent=api_id)
