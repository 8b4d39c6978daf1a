"""Resource policies of bots and bot aliases
(https://docs.aws.amazon.com/lexv2/latest/dg/security_iam_resource-based-policy-examples.html):
Create/Describe/Update/DeleteResourcePolicy and Create/DeleteResourcePolicyStatement. A policy is
an IAM policy document (JSON with `Statement`s) on an existing bot or alias; each change makes a
new `revisionId`, and a change naming an `expectedRevisionId` that is not the current one is
PreconditionFailedException. Stored; overcast does not enforce them."""

from __future__ import annotations

import json
from typing import Any

from overcast.context import RequestContext
from overcast.services.lexv2_models.api_tags import TagOperations
from overcast.services.lexv2_models.errors import PreconditionFailed, Validation, not_found

_KIND = "resource-policy"


def _document(policy: str) -> dict[str, Any]:
    try:
        parsed = json.loads(policy)
    except ValueError:
        raise Validation("The policy is not valid JSON.") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("Statement"), list):
        raise Validation("The policy must be an IAM policy document with a Statement list.")
    return parsed


class PolicyOperations(TagOperations):
    def _policy(self, ctx: RequestContext, arn: str) -> dict[str, Any] | None:
        self._tagged(ctx, arn)  # the bot or alias must exist
        return self.store.get(ctx.account, ctx.region, _KIND, arn)

    def _check_revision(self, doc: dict[str, Any] | None, expected: str | None) -> None:
        if expected is not None and (doc is None or doc["revisionId"] != expected):
            raise PreconditionFailed("The revision id you provided doesn't match the current revision of the "
                                     "resource policy.")

    def _store(self, ctx: RequestContext, arn: str, document: dict[str, Any]) -> dict[str, Any]:
        """Keep the policy with its next revision id (AWS's are numbers of up to five digits)."""
        previous = self.store.get(ctx.account, ctx.region, _KIND, arn)
        revision = (int(previous["revisionId"]) + 1) % 100000 if previous else 1
        doc = {"resourceArn": arn, "policy": json.dumps(document), "revisionId": str(revision)}
        self.store.put(ctx.account, ctx.region, _KIND, arn, doc)
        return {"resourceArn": arn, "revisionId": doc["revisionId"]}

    def create_resource_policy(self, ctx: RequestContext, resource_arn: str, policy: str) -> dict[str, Any]:
        if self._policy(ctx, resource_arn) is not None:
            raise PreconditionFailed("A resource policy already exists for this resource: update it instead.")
        return self._store(ctx, resource_arn, _document(policy))

    def describe_resource_policy(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        doc = self._policy(ctx, resource_arn)
        if doc is None:
            raise not_found()
        return {"resourceArn": resource_arn, "policy": doc["policy"], "revisionId": doc["revisionId"]}

    def update_resource_policy(self, ctx: RequestContext, resource_arn: str, policy: str,
                               expected_revision_id: str | None = None) -> dict[str, Any]:
        doc = self._policy(ctx, resource_arn)
        if doc is None:
            raise not_found()
        self._check_revision(doc, expected_revision_id)
        return self._store(ctx, resource_arn, _document(policy))

    def delete_resource_policy(self, ctx: RequestContext, resource_arn: str,
                               expected_revision_id: str | None = None) -> dict[str, Any]:
        doc = self._policy(ctx, resource_arn)
        if doc is None:
            raise not_found()
        self._check_revision(doc, expected_revision_id)
        self.store.delete(ctx.account, ctx.region, _KIND, resource_arn)
        return {"resourceArn": resource_arn, "revisionId": str((int(doc["revisionId"]) + 1) % 100000)}

    def create_resource_policy_statement(self, ctx: RequestContext, resource_arn: str, statement_id: str,
                                         effect: str, principal: list[dict[str, str]], action: list[str],
                                         condition: dict[str, Any] | None = None,
                                         expected_revision_id: str | None = None) -> dict[str, Any]:
        doc = self._policy(ctx, resource_arn)
        self._check_revision(doc, expected_revision_id)
        document: dict[str, Any] = json.loads(doc["policy"]) if doc else {"Version": "2012-10-17", "Statement": []}
        if any(s.get("Sid") == statement_id for s in document["Statement"]):
            raise PreconditionFailed(f"A statement with the id {statement_id} already exists.")
        who: dict[str, list[str]] = {}
        for entry in principal:
            for key, field in (("Service", "service"), ("AWS", "arn")):
                if entry.get(field):
                    who.setdefault(key, []).append(entry[field])
        statement: dict[str, Any] = {"Sid": statement_id, "Effect": effect, "Principal": who, "Action": action,
                                     "Resource": resource_arn}
        if condition:
            statement["Condition"] = condition
        document["Statement"].append(statement)
        return self._store(ctx, resource_arn, document)

    def delete_resource_policy_statement(self, ctx: RequestContext, resource_arn: str, statement_id: str,
                                         expected_revision_id: str | None = None) -> dict[str, Any]:
        doc = self._policy(ctx, resource_arn)
        if doc is None:
            raise not_found()
        self._check_revision(doc, expected_revision_id)
        document = json.loads(doc["policy"])
        document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != statement_id]
        return self._store(ctx, resource_arn, document)
