"""Who is calling: an access key turned into the principal IAM evaluates (docs/iam.md).

- a key IAM issued (CreateAccessKey) acts as its user: the user's inline and attached policies and
  its permissions boundary;
- a key STS issued (AssumeRole, and each Lambda environment's execution-role session) acts as the
  role's session `arn:aws:sts::<account>:assumed-role/<role>/<session>`: the role's policies and
  boundary, limited by the session policies given to AssumeRole;
- any other key (`test`, a twelve-digit account id, an `AKIA…` IAM does not know) is the account's
  root user, which its own account's identity policies cannot restrict.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from overcast.authz.evaluation import ROLE_SESSION, ROOT, USER, Policy, Principal
from overcast.platform import Platform
from overcast.services.iam.models import IamStore, NoSuchEntity
from overcast.services.iam.users import UserStore
from overcast.services.sts.inbox import session as sts_session


class Principals:
    """Access keys to principals (`platform.component(Principals)`)."""

    def __init__(self, platform: Platform) -> None:
        self.store = platform.component(IamStore)
        self.users = platform.component(UserStore)
        self.platform = platform

    def of_key(self, access_key: str, account: str) -> Principal:
        """The principal that `access_key` (in `account`, as the gateway read it) acts as."""
        session = sts_session(self.platform, access_key)
        if session is not None and session.role_arn:
            return self.role_session(session.account, session.role_arn, session.arn, session.user_id,
                                     session.policies)
        key = self.users.key(access_key)
        if key is not None and key.status == "Active":
            user = self.users.find(key.account, key.user_name)
            if user is not None:
                return self.user(key.account, user)
        return Principal(f"arn:aws:iam::{account}:root", account, ROOT, user_id=account)

    def user(self, account: str, user: dict[str, Any]) -> Principal:
        """An IAM user: its own policies and its groups'."""
        identity = self._identity(account, user)
        for group in self.users.groups_of(account, user["UserName"]):
            identity += self._identity(account, group)
        return Principal(user["Arn"], account, USER, identity=identity,
                         boundary=self._boundary(account, user), tags=_tags(user), user_id=user["UserId"],
                         name=user["UserName"])

    def role_session(self, account: str, role_arn: str, session_arn: str, user_id: str,
                     session_policies: list[str] | None) -> Principal:
        """A session of `role_arn` (its policies now: a change to the role applies at once)."""
        try:
            role: dict[str, Any] | None = self.store.get_role(account, role_arn.rsplit("/", 1)[-1])
        except NoSuchEntity:
            role = None
        session = None
        if session_policies is not None:
            session = [self._policy(account, text) for text in session_policies]
        return Principal(session_arn, account, ROLE_SESSION, role_arn=role["Arn"] if role else role_arn,
                         identity=self._identity(account, role) if role else [],
                         boundary=self._boundary(account, role) if role else None, session=session,
                         tags=_tags(role) if role else {}, user_id=user_id)

    def _policy(self, account: str, text_or_arn: str) -> Policy:
        if text_or_arn.startswith("arn:"):
            return Policy.parse(self.store.policy_document(account, text_or_arn) or "{}", text_or_arn)
        return Policy.parse(text_or_arn, "session policy")

    def _identity(self, account: str, entity: dict[str, Any]) -> list[Policy]:
        name = entity.get("RoleName") or entity.get("UserName") or entity.get("GroupName")
        policies = [Policy.parse(text, f"{name}/{policy_name}")
                    for policy_name, text in (entity.get("_inline") or {}).items()]
        for arn in entity.get("_attached") or []:
            document = self.store.policy_document(account, arn)
            if document is not None:
                policies.append(Policy.parse(document, arn))
        return policies

    def _boundary(self, account: str, entity: dict[str, Any]) -> Policy | None:
        arn = (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if not arn:
            return None
        return Policy.parse(self.store.policy_document(account, arn) or "{}", arn)

    def trust_policy(self, account: str, role_name: str) -> Policy | None:
        """A role's trust policy: the resource policy of `sts:AssumeRole` on it."""
        try:
            role = self.store.get_role(account, role_name)
        except NoSuchEntity:
            return None
        return Policy.parse(unquote(role["AssumeRolePolicyDocument"]), role["Arn"])


def _tags(entity: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in entity.get("Tags") or []}
