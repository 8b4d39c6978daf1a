"""STS operations. Credentials handed out are remembered with their role and session policies, so
calls signed with them act as that role's session (docs/iam.md)."""

from __future__ import annotations

from typing import Any

from overcast import documents
from overcast.context import RequestContext
from overcast.errors import ClientError
from overcast.platform import Platform
from overcast.services.sts.models import SessionStore


class StsApi:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.sessions = platform.component(SessionStore)

    def get_caller_identity(self, ctx: RequestContext) -> dict[str, Any]:
        session = self.sessions.session(ctx.access_key)
        if session is not None:  # a role's session: AssumeRole, or a Lambda function's execution role
            return {"UserId": session.user_id, "Account": session.account, "Arn": session.arn}
        iam = self.platform.iam  # IAM's facade (not imported: IAM reads STS's sessions)
        owner = iam.key_owner(ctx.access_key) if iam is not None else None
        if owner is not None:  # an IAM user's access key
            return {"UserId": owner.user_id, "Account": owner.account, "Arn": owner.arn}
        # default credentials act as the account's root user, whose UserId is the account id on AWS;
        # the same principal is SNS's SubscriptionPrincipal and the one resource policies name
        return {"UserId": ctx.account, "Account": ctx.account, "Arn": ctx.caller_arn}

    def assume_role(self, ctx: RequestContext, role_arn: str, role_session_name: str,
                    duration_seconds: int = 3600, policy: str | None = None,
                    policy_arns: list[dict[str, str]] | None = None, **_: Any) -> dict[str, Any]:
        if not 900 <= duration_seconds <= 43200:
            raise ClientError(
                f"1 validation error detected: Value '{duration_seconds}' at 'durationSeconds' failed to satisfy "
                "constraint: Member must have value greater than or equal to 900",
                code="ValidationError",
            )
        if policy:
            _check_session_policy(policy)
        # session policies (inline and managed) limit the session to what they and the role allow
        session = [policy] if policy else []
        session += [p["arn"] for p in policy_arns or [] if p.get("arn")]
        creds, user = self.sessions.assume(role_arn, role_session_name, duration_seconds, ctx.account,
                                           policies=session or None)
        packed = min(100, len("".join(session)) * 100 // 2048) if session else 0
        return {"Credentials": creds, "AssumedRoleUser": user, "PackedPolicySize": packed}

    def get_session_token(self, ctx: RequestContext, duration_seconds: int = 43200, **_: Any) -> dict[str, Any]:
        return {"Credentials": self.sessions.credentials(ctx.account, duration_seconds)}


#: an inline session policy's length, in characters (the model's sessionPolicyDocumentType:
#: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)
SESSION_POLICY_CHARS = 2048


def _check_session_policy(policy: str) -> None:
    """AssumeRole's inline session policy: at most 2,048 characters (STS's validation error), JSON
    read within bounds (a 10,000-deep document is refused, never evaluated) else MalformedPolicyDocument."""
    if len(policy) > SESSION_POLICY_CHARS:
        raise ClientError(f"1 validation error detected: Value '{policy}' at 'policy' failed to satisfy constraint: "
                          f"Member must have length less than or equal to {SESSION_POLICY_CHARS}", code="ValidationError")
    try:
        parsed = documents.loads(policy)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ClientError("The policy is not in the valid JSON format.", code="MalformedPolicyDocument")
