"""STS operations. Any access key is accepted; credentials handed out are dummies that overcast
accepts everywhere."""

from __future__ import annotations

import secrets
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ClientError
from overcast.platform import Platform


def _token(length: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


class StsApi:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    def get_caller_identity(self, ctx: RequestContext) -> dict[str, Any]:
        # default credentials act as the account's root user, whose UserId is the account id on AWS;
        # the same principal is SNS's SubscriptionPrincipal and the one resource policies name
        return {"UserId": ctx.account, "Account": ctx.account, "Arn": ctx.caller_arn}

    def _credentials(self, seconds: int, account: str) -> dict[str, Any]:
        # The key names its account (ASIA + 12 digits + 4), so calls signed with it act in that account.
        return {
            "AccessKeyId": f"ASIA{account}{_token(4)}",
            "SecretAccessKey": secrets.token_urlsafe(30)[:40],
            "SessionToken": secrets.token_urlsafe(96),
            "Expiration": self.platform.clock.now() + seconds,
        }

    def assume_role(self, ctx: RequestContext, role_arn: str, role_session_name: str,
                    duration_seconds: int = 3600, **_: Any) -> dict[str, Any]:
        if not 900 <= duration_seconds <= 43200:
            raise ClientError(
                f"1 validation error detected: Value '{duration_seconds}' at 'durationSeconds' failed to satisfy "
                "constraint: Member must have value greater than or equal to 900",
                code="ValidationError",
            )
        parts = role_arn.split(":")
        account = parts[4] if len(parts) > 5 and parts[4] else ctx.account
        role_name = role_arn.rsplit("/", 1)[-1]
        role_id = "AROA" + _token(17)
        return {
            "Credentials": self._credentials(duration_seconds, account),
            "AssumedRoleUser": {
                "AssumedRoleId": f"{role_id}:{role_session_name}",
                "Arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{role_session_name}",
            },
            "PackedPolicySize": 0,
        }

    def get_session_token(self, ctx: RequestContext, duration_seconds: int = 43200, **_: Any) -> dict[str, Any]:
        return {"Credentials": self._credentials(duration_seconds, ctx.account)}
