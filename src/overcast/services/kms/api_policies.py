"""Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies. Stored as given (each key has one
policy, named `default`); the IAM enforcement mode reads them
(https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.kms.api_base import ApiBase
from overcast.services.kms.api_keys import check_policy
from overcast.services.kms.errors import NotFoundException


def _policy_name(name: str | None) -> str:
    if name not in (None, "default"):
        raise NotFoundException("No such policy exists")
    return "default"


class PolicyOperations(ApiBase):
    def get_key_policy(self, ctx: RequestContext, key_id: str, policy_name: str | None = None) -> dict[str, Any]:
        name = _policy_name(policy_name)
        doc = self._own_key(ctx, key_id)
        return {"Policy": doc["Policy"], "PolicyName": name}

    def put_key_policy(self, ctx: RequestContext, key_id: str, policy: str, policy_name: str | None = None,
                       **_: Any) -> dict[str, Any]:
        _policy_name(policy_name)
        doc = self._own_key(ctx, key_id)  # any key state (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html)
        check_policy(policy)
        doc["Policy"] = policy
        self._save(ctx, doc)
        return {}

    def list_key_policies(self, ctx: RequestContext, key_id: str, **_: Any) -> dict[str, Any]:
        self._own_key(ctx, key_id)
        return {"PolicyNames": ["default"], "Truncated": False}
