"""What the recorder recorded: ListDiscoveredResources and GetResourceConfigHistory."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from overcast.context import RequestContext
from overcast.services.config import errors as e
from overcast.services.config.api_base import ApiBase
from overcast.services.config.paging import index_page


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def api_item(item: dict[str, Any]) -> dict[str, Any]:
    """A configuration item as the API returns it (`configuration` and supplementary values as JSON text)."""
    return {"version": item["configurationItemVersion"], "accountId": item["awsAccountId"],
            "configurationItemCaptureTime": _time(item["configurationItemCaptureTime"]),
            "configurationItemStatus": item["configurationItemStatus"],
            "configurationStateId": str(item["configurationStateId"]),
            "configurationItemMD5Hash": item["configurationStateMd5Hash"], "arn": item["ARN"],
            "resourceType": item["resourceType"], "resourceId": item["resourceId"],
            "resourceName": item["resourceName"], "awsRegion": item["awsRegion"],
            "availabilityZone": item["availabilityZone"],
            **({"resourceCreationTime": _time(item["resourceCreationTime"])} if item.get("resourceCreationTime") else {}),
            "tags": item.get("tags") or {}, "relatedEvents": [], "relationships": [],
            "configuration": json.dumps(item["configuration"]) if item.get("configuration") is not None else None,
            "supplementaryConfiguration": {k: json.dumps(v) for k, v in
                                           (item.get("supplementaryConfiguration") or {}).items()},
            "recordingFrequency": "CONTINUOUS"}


class ResourceOperations(ApiBase):
    def list_discovered_resources(self, ctx: RequestContext, resource_type: str, resource_ids: list[str] | None = None,
                                  resource_name: str | None = None, limit: int | None = None,
                                  include_deleted_resources: bool = False, next_token: str | None = None,
                                  **_: Any) -> dict[str, Any]:
        if resource_ids and resource_name:
            raise e.invalid("Both Resource ID and Resource Name cannot be specified in the request")
        found = []
        for (kind, rid), (_digest, deleted, item) in sorted(self.store.current(ctx.account, ctx.region).items()):
            if kind != resource_type or (deleted and not include_deleted_resources):
                continue
            if (resource_ids and rid not in resource_ids) or (resource_name and item["resourceName"] != resource_name):
                continue
            entry: dict[str, Any] = {"resourceType": kind, "resourceId": rid, "resourceName": item["resourceName"]}
            if deleted:
                entry["resourceDeletionTime"] = _time(item["configurationItemCaptureTime"])
            found.append(entry)
        return index_page("resourceIdentifiers", found, limit, next_token, 100, token_key="nextToken")

    def get_resource_config_history(self, ctx: RequestContext, resource_type: str, resource_id: str,
                                    later_time: datetime | None = None, earlier_time: datetime | None = None,
                                    chronological_order: str | None = None, limit: int | None = None,
                                    next_token: str | None = None, **_: Any) -> dict[str, Any]:
        items = self.store.history(ctx.account, ctx.region, resource_type, resource_id)
        if not items:
            raise e.error("ResourceNotDiscoveredException",
                          f"Resource {resource_id} of resourceType:{resource_type} is unknown or has not been "
                          "discovered")
        shaped = [api_item(item) for item in items]
        if later_time is not None:
            shaped = [i for i in shaped if i["configurationItemCaptureTime"] <= later_time]
        if earlier_time is not None:
            shaped = [i for i in shaped if i["configurationItemCaptureTime"] >= earlier_time]
        if chronological_order != "Forward":
            shaped.reverse()  # AWS lists the newest first unless asked for Forward
        return index_page("configurationItems", shaped, limit, next_token, 10, token_key="nextToken")
