"""S3 replication and inventory configurations (replication itself is in `replication.py`).

AWS's rules: replication needs versioning Enabled on the source bucket ("Versioning must be
'Enabled' on the bucket to apply a replication configuration") and on the destination bucket
("Destination bucket must have versioning enabled."), a `Role`, and unique rule priorities;
inventory configurations are named by `Id`, which must match the document's, and need a
destination bucket ARN and a schedule.
"""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.s3 import errors as e
from overcast.services.s3.api_base import ApiBase


class ReplicationOperations(ApiBase):
    def put_bucket_replication(self, ctx: RequestContext, bucket: str, replication_configuration: dict[str, Any],
                               **_: Any) -> dict[str, Any]:
        source = self.store.bucket(bucket)
        if source.versioning != "Enabled":
            raise e.invalid_request("Versioning must be 'Enabled' on the bucket to apply a replication configuration")
        rules = replication_configuration.get("Rules") or []
        if not rules or not replication_configuration.get("Role"):
            raise e.malformed_xml()
        priorities = [r.get("Priority") for r in rules if r.get("Priority") is not None]
        duplicated = sorted({p for p in priorities if priorities.count(p) > 1})
        if duplicated:
            raise e.invalid_request(f"Found duplicate priority {duplicated[0]} within the replication configuration.")
        for rule in rules:
            name = str((rule.get("Destination") or {}).get("Bucket") or "").removeprefix("arn:aws:s3:::")
            destination = self.store.find_bucket(name)
            if destination is None:
                raise e.invalid_request("Destination bucket must exist.")
            if destination.versioning != "Enabled":
                raise e.invalid_request("Destination bucket must have versioning enabled.")
        self.store.update_settings(bucket, replication=replication_configuration)
        return {}

    def get_bucket_replication(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        config = self.store.bucket(bucket).settings.get("replication")
        if not config:
            raise e.not_found_config("ReplicationConfigurationNotFoundError",
                                     "The replication configuration was not found", bucket)
        return {"ReplicationConfiguration": config}

    def delete_bucket_replication(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        self.store.update_settings(bucket, replication=None)
        ctx.extras["status"] = 204
        return {}

    # -- inventory --------------------------------------------------------------------------------

    def _inventories(self, bucket: str) -> dict[str, Any]:
        return dict(self.store.bucket(bucket).settings.get("inventory") or {})

    def put_bucket_inventory_configuration(self, ctx: RequestContext, bucket: str, id: str,
                                           inventory_configuration: dict[str, Any], **_: Any) -> dict[str, Any]:
        config = inventory_configuration
        if config.get("Id") != id:
            raise e.invalid_argument("Id in the request must match the Id of the configuration.", "Id", id)
        destination = (config.get("Destination") or {}).get("S3BucketDestination") or {}
        if not destination.get("Bucket") or not destination.get("Format") or "Schedule" not in config \
                or config.get("IncludedObjectVersions") not in ("All", "Current"):
            raise e.malformed_xml()
        inventories = self._inventories(bucket)
        if id not in inventories and len(inventories) >= 1000:
            raise e.s3_error("TooManyConfigurations", "You are attempting to create a new configuration but "
                             "have already reached the 1,000-configuration limit.")
        inventories[id] = config
        self.store.update_settings(bucket, inventory=inventories)
        return {}

    def get_bucket_inventory_configuration(self, ctx: RequestContext, bucket: str, id: str,
                                           **_: Any) -> dict[str, Any]:
        config = self._inventories(bucket).get(id)
        if config is None:
            raise e.s3_error("NoSuchConfiguration", "The specified configuration does not exist.", 404)
        return {"InventoryConfiguration": config}

    def list_bucket_inventory_configurations(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        configs = [self._inventories(bucket)[k] for k in sorted(self._inventories(bucket))]
        return {"InventoryConfigurationList": configs, "IsTruncated": False}

    def delete_bucket_inventory_configuration(self, ctx: RequestContext, bucket: str, id: str,
                                              **_: Any) -> dict[str, Any]:
        inventories = self._inventories(bucket)
        if inventories.pop(id, None) is None:
            raise e.s3_error("NoSuchConfiguration", "The specified configuration does not exist.", 404)
        self.store.update_settings(bucket, inventory=inventories or None)
        ctx.extras["status"] = 204
        return {}
