"""Put/Get/DeleteResourcePolicy: Lambda's whole-document resource policy API on a function,
version or alias ARN (https://docs.aws.amazon.com/lambda/latest/dg/API_PutResourcePolicy.html).

It reads and writes the same per-qualifier policy AddPermission/RemovePermission/GetPolicy keep, with
the same RevisionId: PutResourcePolicy replaces the whole policy (statements added by AddPermission
included), each change issues a new RevisionId, and a RevisionId that does not match the current one
is refused with 412 PreconditionFailedException.
"""

from __future__ import annotations

import json
from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_ import policy_rules
from overcast.services.lambda_.api_base import ApiBase
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.names import FunctionRef


def _document(text: str) -> dict[str, Any]:
    """The policy as a JSON object with a list of statements (IAM's policy grammar)."""
    try:
        policy = json.loads(text)
    except ValueError:
        raise error("policy_malformed") from None
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), list | dict):
        raise error("policy_malformed")
    if isinstance(policy["Statement"], dict):  # IAM accepts a single statement object
        policy["Statement"] = [policy["Statement"]]
    return policy


class ResourcePolicyOperations(ApiBase):
    def _policy_target(self, ctx: RequestContext, resource_arn: str) -> FunctionRef:
        """The function, version or alias the ARN names; it must exist."""
        if ":function:" not in resource_arn:  # runtime ARNs name AWS's runtimes, which take no policy here
            raise error("policy_not_found")
        ref = self._ref(ctx, resource_arn)
        self._configuration(ref)
        return ref

    def _check_revision(self, ref: FunctionRef, revision_id: str | None) -> None:
        if revision_id is not None and revision_id != self.functions.revision(ref, ref.qualifier):
            raise error("revision_mismatch")

    def put_resource_policy(self, ctx: RequestContext, resource_arn: str, policy: str,
                            revision_id: str | None = None) -> dict[str, Any]:
        document = _document(policy)
        ref = self._policy_target(ctx, resource_arn)
        self._check_revision(ref, revision_id)
        policy_rules.check(document, block_public=self.platform.config.lambda_block_public_access)
        with self.platform.db.tx():
            self.functions.set_policy(ref, document)
            revision = self.functions.touch(ref, ref.qualifier)  # a new RevisionId with each policy change
        return {"Policy": json.dumps(document), "RevisionId": revision}

    def get_resource_policy(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        ref = self._policy_target(ctx, resource_arn)
        document = self.functions.policy(ref)
        if not document:
            raise error("policy_not_found")
        return {"Policy": json.dumps(document), "RevisionId": self.functions.revision(ref, ref.qualifier)}

    def delete_resource_policy(self, ctx: RequestContext, resource_arn: str,
                               revision_id: str | None = None) -> dict[str, Any]:
        ref = self._policy_target(ctx, resource_arn)
        if not self.functions.policy(ref):
            raise error("policy_not_found")
        self._check_revision(ref, revision_id)
        with self.platform.db.tx():
            self.functions.set_policy(ref, None)
            self.functions.touch(ref, ref.qualifier)
        return {}
