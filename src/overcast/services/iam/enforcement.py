"""IAM enforcement: one place that decides, logs and reports (docs/iam.md).

`--iam off` (the default) never builds this; `report` evaluates every call and delivery and records
each would-be denial (action, resource, principal, why, and the statement that would grant it) without
refusing anything; `enforce` refuses them with AWS's AccessDenied.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from overcast.authz.evaluation import ALLOWED, SERVICE, Decision, Principal, denial_message, evaluate
from overcast.platform import Platform
from overcast.services.iam.principals import Principals
from overcast.services.iam.resource_policies import primary, resource_policy, trusted_action

log = logging.getLogger("overcast.iam")

MODES = ("off", "report", "enforce")
#: (resource ARN, request context, owning account, region) → the context with the resource's keys
ResourceKeys = Callable[[str, Mapping[str, Any], str, str], Mapping[str, Any]]
#: Denials kept for GET /_overcast/iam/report (the oldest are dropped first).
REPORT_SIZE = 1000


class Enforcer:
    """Evaluates requests and deliveries for one platform (`platform.component(Enforcer)`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.mode = platform.config.iam
        self.principals = platform.component(Principals)
        #: (principal, action, resource, reason) → its report entry, most recent last
        self._denials: OrderedDict[tuple[str, ...], dict[str, Any]] = OrderedDict()
        #: adds the resource's condition keys (`aws:ResourceTag/...`) to a request's: set by the
        #: gateway's guard (`resource_keys.resource_context`), which reads them through the services' APIs
        self.resource_keys: ResourceKeys | None = None
        platform.on_reset(self._denials.clear)

    def denials(self) -> list[dict[str, Any]]:
        """The recorded denials, the most recently repeated last."""
        return list(self._denials.values())

    def clear(self) -> None:
        self._denials.clear()

    @property
    def enforcing(self) -> bool:
        return self.mode == "enforce"

    def decide(self, principal: Principal, action: str, resource: str, context: Mapping[str, Any], *,
               grant: Callable[[], bool] | None = None) -> Decision:
        """The decision for one (action, resource), a denial recorded for the report. `grant`: whether
        a grant (KMS's) allows the call when no policy does; it never overrides an explicit Deny."""
        policy, owner = resource_policy(self.platform, resource, action)
        if self.resource_keys is not None:  # the resource's tags, read when a statement asks for them
            region = str(context.get("aws:requestedregion") or self.platform.config.default_region)
            context = self.resource_keys(resource, context, owner or principal.account, region)
        # a role's trust policy must allow AssumeRole whatever the identity policies say
        decision = evaluate(principal, action, resource, context, resource_policy=policy, resource_account=owner,
                            resource_required=trusted_action(action) or primary(resource, policy))
        if not decision.allowed and grant is not None and not decision.reason.startswith("deny-") and grant():
            return ALLOWED
        if not decision.allowed:
            self._record(principal, action, resource, decision, context)
        return decision

    def role(self, role_arn: str, session_name: str) -> Principal:
        """A session of `role_arn` (a function's execution role, as the poller uses it)."""
        parts = role_arn.split(":")
        account = parts[4] if len(parts) > 4 else ""
        name = role_arn.rsplit("/", 1)[-1]
        return self.principals.role_session(account, role_arn, f"arn:aws:sts::{account}:assumed-role/{name}/"
                                            f"{session_name}", "", None)

    def _record(self, principal: Principal, action: str, resource: str, decision: Decision,
                context: Mapping[str, Any]) -> None:
        key = (principal.arn, action, resource, decision.reason)
        now = self.platform.clock.now()
        entry = self._denials.get(key)
        if entry is not None:  # a repeated denial (a poller retrying): counted, logged once
            entry.update(time=now, count=entry["count"] + 1)
            self._denials.move_to_end(key)
            return
        message = denial_message(principal, action, resource, decision)
        self._denials[key] = {"time": now, "count": 1, "mode": self.mode, "principal": principal.arn,
                              "action": action, "resource": resource, "reason": decision.reason, "message": message,
                              "policy": decision.policy or None,
                              "grant": grant(principal, action, resource, decision, context)}
        while len(self._denials) > REPORT_SIZE:
            self._denials.popitem(last=False)
        log.warning("IAM %s: %s", "denied" if self.enforcing else "would deny", message)


def grant(principal: Principal, action: str, resource: str, decision: Decision,
          context: Mapping[str, Any]) -> dict[str, Any]:
    """Where to add which statement so the call is allowed (a suggestion for the report)."""
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if decision.reason.startswith("deny-"):
        return {"remove_deny_in": decision.policy, "statement": statement}
    if principal.kind == SERVICE or decision.reason == "no-resource":
        statement["Principal"] = {"Service": principal.arn} if principal.kind == SERVICE else \
            {"AWS": principal.role_arn or principal.arn}
        if context.get("aws:sourcearn"):
            statement["Condition"] = {"ArnEquals": {"aws:SourceArn": context["aws:sourcearn"]}}
        return {"resource_policy_of": resource, "statement": statement}
    where = {"no-boundary": "permissions boundary", "no-session": "session policy"}.get(decision.reason)
    if where is not None:
        return {"add_to": where, "statement": statement}
    return {"identity_policy_of": principal.role_arn or principal.arn, "statement": statement}
