"""AWS's policy evaluation logic for one principal, one action and one resource.

The order ([AWS](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)):
an explicit Deny in any applicable policy (identity-based, resource-based, permissions boundary,
session policy) denies. Otherwise, within one account, an Allow in the resource-based policy for the
principal itself (its user or role-session ARN, or `*`) is enough; an Allow for the role's ARN is
still limited by the boundary and the session policy; naming the account only delegates to the
account's identity policies. An identity-based Allow counts only when the permissions boundary (if
any) and the session policy (if any) allow too. Across accounts both sides must allow: the caller's
identity policies (within boundary and session policy) and the resource's policy. The account's root
user is allowed everything in its own account but a resource policy's explicit Deny; a service
principal (`events.amazonaws.com`) has only the resource policy. SCPs are not modelled (one
organisation-less account).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from overcast.authz.conditions import conditions_hold
from overcast.authz.keys import layered
from overcast.authz.matching import action_matches, as_list, resource_matches

ROOT, USER, ROLE_SESSION, SERVICE = "root", "user", "assumed-role", "service"


@dataclass(frozen=True)
class Policy:
    """A parsed policy document and where it came from (a managed policy's ARN, or `Role/inline`)."""

    document: Mapping[str, Any]
    source: str = ""

    @classmethod
    def parse(cls, text: str | Mapping[str, Any], source: str = "") -> Policy:
        """A policy from its JSON text (or already parsed); an unreadable one grants nothing."""
        if isinstance(text, str):
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = {}
        else:
            loaded = text
        return cls(loaded if isinstance(loaded, Mapping) else {}, source)

    def statements(self) -> Iterator[Mapping[str, Any]]:
        for statement in as_list(self.document.get("Statement")):
            if isinstance(statement, Mapping):
                yield statement


@dataclass
class Principal:
    """Who calls: the account's root, an IAM user, a role's session, or an AWS service."""

    arn: str
    account: str
    kind: str
    role_arn: str | None = None
    identity: list[Policy] = field(default_factory=list)
    boundary: Policy | None = None
    #: None: not a session with session policies; a list: the session's policies (all must allow)
    session: list[Policy] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    user_id: str = ""
    name: str = ""

    def context(self) -> dict[str, Any]:
        """The global condition keys that describe the principal (lowercased names)."""
        keys: dict[str, Any] = {"aws:principalarn": self.role_arn or self.arn, "aws:principalaccount": self.account,
                                "aws:principaltype": {ROOT: "Account", USER: "User", ROLE_SESSION: "AssumedRole",
                                                      SERVICE: "Service"}.get(self.kind, "Account")}
        if self.kind == SERVICE:
            keys = {"aws:principalservicename": self.arn}
        if self.user_id:
            keys["aws:userid"] = self.user_id
        if self.kind == USER:
            keys["aws:username"] = self.name
        for key, value in self.tags.items():
            keys[f"aws:principaltag/{key.lower()}"] = value
        return keys


@dataclass
class Decision:
    """The answer and, for a denial, why (the wording of AWS's AccessDenied messages)."""

    allowed: bool
    reason: str = ""
    policy: str = ""

    def because(self, action: str) -> str:
        """The `because ...`/`with an explicit deny ...` tail of AWS's message."""
        explicit = {"identity": "an identity-based policy", "resource": "a resource-based policy",
                    "boundary": "a permissions boundary", "session": "a session policy"}
        if self.reason.startswith("deny-"):
            where = explicit[self.reason[5:]]
            # AWS names the managed policy that denies, never the resource whose policy does
            named = self.policy.startswith("arn:") and self.reason != "deny-resource"
            return f"with an explicit deny in {where}" + (f": {self.policy}" if named else "")
        missing = {"no-identity": "identity-based policy", "no-resource": "resource-based policy",
                   "no-boundary": "permissions boundary", "no-session": "session policy"}[self.reason]
        return f"because no {missing} allows the {action} action"


ALLOWED = Decision(True)


def _applies(statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, Any],
             *, need_resource: bool = True) -> bool:
    if "NotAction" in statement:
        if action_matches(as_list(statement["NotAction"]), action):
            return False
    elif not action_matches(as_list(statement.get("Action")), action):
        return False
    if "NotResource" in statement:
        if resource_matches(as_list(statement["NotResource"]), resource, context):
            return False
    elif ("Resource" in statement or need_resource) and not resource_matches(
            as_list(statement.get("Resource")), resource, context):
        return False
    return conditions_hold(statement.get("Condition"), context)


def _effects(policies: list[Policy], action: str, resource: str, context: Mapping[str, Any]
             ) -> tuple[str | None, bool]:
    """(the source of a policy with a matching Deny, or None; whether any statement allows)."""
    allowed = False
    for policy in policies:
        for statement in policy.statements():
            if not _applies(statement, action, resource, context):
                continue
            if statement.get("Effect") == "Deny":
                return policy.source or "-", allowed
            if statement.get("Effect") == "Allow":
                allowed = True
    return None, allowed


def principal_match(element: Any, principal: Principal) -> str | None:
    """How a Principal element names `principal`: "direct" (itself or `*`), "role" (its role's
    ARN), "account" (its account), or None."""
    if element == "*":
        return "direct"
    if not isinstance(element, Mapping):
        return None
    if principal.kind == SERVICE:
        return "direct" if principal.arn in as_list(element.get("Service")) else None
    best: str | None = None
    for value in as_list(element.get("AWS")):
        value = str(value)
        if value == "*" or value == principal.arn:
            return "direct"
        if principal.role_arn and value == principal.role_arn:
            best = "role"
        elif value in (principal.account, f"arn:aws:iam::{principal.account}:root"):
            best = best or ("direct" if principal.kind == ROOT else "account")
    return best


def _resource_policy(policy: Policy | None, principal: Principal, action: str, resource: str,
                     context: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(a Deny's source if one applies, the strongest kind of Allow: direct, role, account or None)."""
    if policy is None:
        return None, None
    rank = {"direct": 3, "role": 2, "account": 1}
    best: str | None = None
    for statement in policy.statements():
        if "NotPrincipal" in statement:
            how = None if principal_match(statement["NotPrincipal"], principal) else "direct"
        else:
            how = principal_match(statement.get("Principal"), principal)
        if how is None or not _applies(statement, action, resource, context, need_resource=False):
            continue
        if statement.get("Effect") == "Deny":
            return policy.source or "resource policy", best
        if statement.get("Effect") == "Allow" and (best is None or rank[how] > rank[best]):
            best = how
    return None, best


def evaluate(principal: Principal, action: str, resource: str, context: Mapping[str, Any], *,
             resource_policy: Policy | None = None, resource_account: str | None = None,
             resource_required: bool = False) -> Decision:
    """Whether `principal` may perform `action` on `resource` (context keys lowercased).
    `resource_required`: the resource policy must allow even within one account (a role's trust
    policy for `sts:AssumeRole`)."""
    context = layered(context, principal.context())
    denied, resource_allow = _resource_policy(resource_policy, principal, action, resource, context)
    if denied is not None:
        return Decision(False, "deny-resource", denied)
    if principal.kind == SERVICE:
        return ALLOWED if resource_allow else Decision(False, "no-resource")
    # AWS managed policies (account `aws`) are readable by every account
    same_account = resource_account in (None, "", "aws", principal.account)
    if resource_required and resource_allow is None:
        return Decision(False, "no-resource")
    if principal.kind == ROOT:
        return ALLOWED if same_account or resource_allow in ("direct", "account", "role") else \
            Decision(False, "no-resource")
    layers = [("identity", principal.identity)]
    if principal.boundary is not None:
        layers.append(("boundary", [principal.boundary]))
    if principal.session is not None:
        layers.append(("session", principal.session))
    allows: dict[str, bool] = {}
    for name, policies in layers:
        deny, allows[name] = _effects(policies, action, resource, context)
        if deny is not None:
            return Decision(False, f"deny-{name}", deny)
    limits_ok = allows.get("boundary", True) and allows.get("session", True)
    if same_account:
        if resource_allow == "direct" or (resource_allow == "role" and limits_ok):
            return ALLOWED
        if allows["identity"] and limits_ok:
            return ALLOWED
    elif allows["identity"] and limits_ok and resource_allow is not None:
        return ALLOWED
    if not allows["identity"] and (same_account or resource_allow is not None):
        return Decision(False, "no-identity")
    if not allows.get("boundary", True):
        return Decision(False, "no-boundary")
    if not allows.get("session", True):
        return Decision(False, "no-session")
    return Decision(False, "no-resource")


def denial_message(principal: Principal, action: str, resource: str, decision: Decision) -> str:
    """AWS's AccessDenied message (`User: arn is not authorized to perform: a on resource: r because ...`)."""
    on = f" on resource: {resource}" if resource != "*" else ""
    return f"User: {principal.arn} is not authorized to perform: {action}{on} {decision.because(action)}"
