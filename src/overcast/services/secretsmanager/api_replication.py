"""Replication to other regions of this overcast: ReplicateSecretToRegions,
RemoveRegionsFromReplication, StopReplicationToReplica (see replication.py)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.secretsmanager import replication
from overcast.services.secretsmanager.api_base import ApiBase
from overcast.services.secretsmanager.errors import InvalidRequestException


class ReplicationOperations(ApiBase):
    def replicate_secret_to_regions(self, ctx: RequestContext, secret_id: str,
                                    add_replica_regions: list[dict[str, str]],
                                    force_overwrite_replica_secret: bool = False) -> dict[str, Any]:
        doc = self._live(ctx, secret_id)
        with self.platform.db.tx():
            replication.add(self.platform, doc, add_replica_regions, force_overwrite_replica_secret)
            self.store.put(doc)
        return {"ARN": doc["ARN"], "ReplicationStatus": doc["ReplicationStatus"]}

    def remove_regions_from_replication(self, ctx: RequestContext, secret_id: str,
                                        remove_replica_regions: list[str]) -> dict[str, Any]:
        doc = self._find(ctx, secret_id)
        self._not_replica(doc)
        with self.platform.db.tx():
            replication.remove(self.platform, doc, remove_replica_regions)
            if not doc["ReplicationStatus"]:
                doc.pop("PrimaryRegion", None)
            self.store.put(doc)
        return {"ARN": doc["ARN"], "ReplicationStatus": doc["ReplicationStatus"]}

    def stop_replication_to_replica(self, ctx: RequestContext, secret_id: str) -> dict[str, Any]:
        doc = self._find(ctx, secret_id)
        if not doc.get("_primary"):
            raise InvalidRequestException("Operation not permitted on a primary secret. This operation must be "
                                          "called on a replica secret.")
        replication.promote(self.platform, doc)
        return {"ARN": doc["ARN"]}
