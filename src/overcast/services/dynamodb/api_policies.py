"""Resource-based policies of tables and streams: PutResourcePolicy, GetResourcePolicy,
DeleteResourcePolicy (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html).

Each put or delete makes a new revision id (milliseconds since the epoch, as AWS's look); an
`ExpectedRevisionId` must name the current one. The policies are kept, not enforced.
"""

from __future__ import annotations

from typing import Any

from overcast import documents
from overcast.context import RequestContext
from overcast.services.dynamodb.api_base import ApiBase, table_location
from overcast.services.dynamodb.backups import POLICY, BackupStore
from overcast.services.dynamodb.errors import DynamoValidation, PolicyNotFound
from overcast.services.dynamodb.tables import TableDef

MAX_POLICY_BYTES = 20 * 1024


class PolicyOperations(ApiBase):
    def _resource(self, ctx: RequestContext, arn: str) -> tuple[TableDef, str]:
        """The table a table or stream ARN names, and the policy's key within it."""
        _account, _region, name = table_location(ctx, arn)
        table = self._table(ctx, arn, detailed=True) if arn.startswith("arn:") else None
        if table is None:
            raise DynamoValidation(f"Invalid ResourceArn provided as input {arn}")
        suffix = arn.split(f"table/{name}", 1)[1] if f"table/{name}" in arn else ""
        return table, suffix.lstrip("/")

    def _revision(self) -> str:
        return str(int(self.clock.now() * 1000))

    def _current(self, table: TableDef, key: str, arn: str, expected: str | None) -> dict[str, Any]:
        doc = self.platform.component(BackupStore).setting(table, POLICY, key)
        if doc is None:
            raise PolicyNotFound(f"Resource-based policy not found for the provided ResourceArn: {arn}")
        if expected is not None and expected != doc["RevisionId"]:
            raise PolicyNotFound(f"A policy with the revision ID provided in the request was not found for the "
                                 f"provided ResourceArn: {arn}")
        return doc

    def put_resource_policy(self, ctx: RequestContext, resource_arn: str, policy: str,
                            expected_revision_id: str | None = None, **_: Any) -> dict[str, Any]:
        table, key = self._resource(ctx, resource_arn)
        try:
            document = documents.loads(policy)
        except ValueError:
            raise DynamoValidation("Invalid policy document: the policy is not valid JSON") from None
        if not isinstance(document, dict) or "Statement" not in document:
            raise DynamoValidation("Invalid policy document: the policy must have a Statement")
        if len(policy.encode()) > MAX_POLICY_BYTES:
            raise DynamoValidation("Policy size exceeds the maximum allowed size of 20 KB")
        if expected_revision_id is not None:
            self._current(table, key, resource_arn, expected_revision_id)
        revision = self._revision()
        with self.db.tx():
            self.platform.component(BackupStore).set(table, POLICY, {"Policy": policy, "RevisionId": revision}, key)
        return {"RevisionId": revision}

    def get_resource_policy(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        table, key = self._resource(ctx, resource_arn)
        doc = self._current(table, key, resource_arn, None)
        return {"Policy": doc["Policy"], "RevisionId": doc["RevisionId"]}

    def delete_resource_policy(self, ctx: RequestContext, resource_arn: str,
                               expected_revision_id: str | None = None) -> dict[str, Any]:
        table, key = self._resource(ctx, resource_arn)
        self._current(table, key, resource_arn, expected_revision_id)
        with self.db.tx():
            self.platform.component(BackupStore).clear(table, POLICY, key)
        return {"RevisionId": self._revision()}
