"""CloudWatch Logs resource policies: PutResourcePolicy, DescribeResourcePolicies, DeleteResourcePolicy.

AWS ([PutResourcePolicy](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html)):
up to 10 account-level policies per Region; a policy of the same name is replaced; a policy may
instead be attached to one log group (`resourceArn`, scope `RESOURCE`, with a revision id that
`expectedRevisionId` must match). Services such as EventBridge write to log groups these policies
allow; overcast keeps and reports them but, outside IAM enforcement, does not check them.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from overcast import documents
from overcast.context import RequestContext
from overcast.services.logs.errors import InvalidParameter, LimitExceeded, ResourceNotFound

MAX_ACCOUNT_POLICIES = 10
MAX_POLICY_CHARS = 5120


class ResourcePolicyOperations:
    """Mixed into `LogsApi`: uses its `db` and `clock`."""

    db: Any
    clock: Any

    def _policies(self, ctx: RequestContext) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM logs_resource_policies WHERE account=? AND region=? ORDER BY name",
                             (ctx.account, ctx.region))
        return [json.loads(r["doc"]) for r in rows]

    def put_resource_policy(self, ctx: RequestContext, policy_name: str | None = None,
                            policy_document: str | None = None, resource_arn: str | None = None,
                            expected_revision_id: str | None = None) -> dict[str, Any]:
        if not policy_document:
            raise InvalidParameter("1 validation error detected: Value null at 'policyDocument' failed to satisfy "
                                   "constraint: Member must not be null")
        try:
            documents.loads(policy_document)
        except ValueError:
            raise InvalidParameter("Policy document is not valid JSON.") from None
        if len(policy_document) > MAX_POLICY_CHARS:
            raise InvalidParameter("Policy document exceeds the maximum length of 5120 characters.")
        name = policy_name or (resource_arn or "")
        existing = {p["policyName"]: p for p in self._policies(ctx)}
        old = existing.get(name)
        if resource_arn and old is not None and expected_revision_id not in (None, old.get("revisionId")):
            raise InvalidParameter("The expected revision id does not match the current revision id.")
        if old is None and not resource_arn and \
                sum(1 for p in existing.values() if p.get("policyScope") == "ACCOUNT") >= MAX_ACCOUNT_POLICIES:
            raise LimitExceeded("Resource limit exceeded.")
        doc: dict[str, Any] = {"policyName": name, "policyDocument": policy_document,
                               "lastUpdatedTime": int(self.clock.now() * 1000),
                               "policyScope": "RESOURCE" if resource_arn else "ACCOUNT"}
        if resource_arn:
            doc.update(resourceArn=resource_arn, revisionId=uuid.uuid4().hex)
        self.db.execute("INSERT OR REPLACE INTO logs_resource_policies(account, region, name, doc) VALUES (?, ?, ?, ?)",
                        (ctx.account, ctx.region, name, json.dumps(doc)))
        return {"resourcePolicy": doc, **({"revisionId": doc["revisionId"]} if resource_arn else {})}

    def describe_resource_policies(self, ctx: RequestContext, next_token: str | None = None, limit: int | None = None,
                                   resource_arn: str | None = None, policy_scope: str | None = None) -> dict[str, Any]:
        found = [p for p in self._policies(ctx) if resource_arn in (None, p.get("resourceArn"))
                 and policy_scope in (None, p.get("policyScope"))]
        start = int(next_token) if next_token and next_token.isdigit() else 0
        size = limit or 50
        page = found[start:start + size]
        more = start + size < len(found)
        return {"resourcePolicies": page, **({"nextToken": str(start + size)} if more else {})}

    def delete_resource_policy(self, ctx: RequestContext, policy_name: str | None = None,
                               resource_arn: str | None = None, expected_revision_id: str | None = None) -> dict[str, Any]:
        name = policy_name or resource_arn or ""
        cursor = self.db.execute("DELETE FROM logs_resource_policies WHERE account=? AND region=? AND name=?",
                                 (ctx.account, ctx.region, name))
        if not cursor.rowcount:
            raise ResourceNotFound(f"Policy with name [{name}] does not exist")
        return {}
