"""Temporary credentials and whose session they are.

Access keys name their account (`ASIA` + 12 digits + 4 characters), so a call signed with them
acts in that account everywhere; the session row adds the identity GetCallerIdentity reports
(`arn:aws:sts::<account>:assumed-role/<role>/<session>`). Expired sessions are pruned when new
ones are issued.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from overcast.platform import Platform

#: Seconds an expired session is remembered (to answer ExpiredToken rather than an unknown key).
EXPIRED_KEPT = 12 * 3600

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def token(length: int, alphabet: str = _BASE32) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def role_id(role_arn: str) -> str:
    """A role's unique id (`AROA…`), stable for one role ARN."""
    digest = hashlib.sha256(role_arn.encode()).digest()
    return "AROA" + "".join(_BASE32[b % 32] for b in digest[:17])


@dataclass
class Session:
    access_key: str
    account: str
    arn: str
    user_id: str
    expires: float
    role_arn: str | None = None
    #: the session policies (AssumeRole's Policy and PolicyArns) as JSON texts or managed-policy ARNs
    policies: list[str] | None = None
    secret: str | None = None
    token_sha256: str | None = None

    def token_matches(self, token: str | None) -> bool:
        """Whether `token` is this session's token (sessions stored before tokens were kept match any)."""
        if self.token_sha256 is None:
            return True
        return token is not None and hashlib.sha256(token.encode()).hexdigest() == self.token_sha256


class SessionStore:
    """STS sessions by access key (one per platform: `platform.component(SessionStore)`)."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.clock = platform.clock

    def credentials(self, account: str, seconds: int) -> dict[str, Any]:
        """A new key pair and token, valid `seconds` on the platform clock (not stored)."""
        return {
            "AccessKeyId": f"ASIA{account}{token(4)}",
            "SecretAccessKey": secrets.token_urlsafe(30)[:40],
            "SessionToken": secrets.token_urlsafe(96),
            "Expiration": self.clock.now() + seconds,
        }

    def assume(self, role_arn: str, session_name: str, seconds: int, default_account: str, *,
               account: str | None = None, policies: list[str] | None = None
               ) -> tuple[dict[str, Any], dict[str, str]]:
        """(Credentials, AssumedRoleUser) of a new session of `role_arn`, committed; `account`
        says which account the session acts in when it is not the role ARN's; `policies` are the
        session policies (inline JSON texts and managed-policy ARNs) that limit it."""
        parts = role_arn.split(":")
        account = account or (parts[4] if len(parts) > 5 and parts[4] else default_account)
        role_name = role_arn.rsplit("/", 1)[-1]
        user = {"AssumedRoleId": f"{role_id(role_arn)}:{session_name}",
                "Arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}"}
        creds = self.credentials(account, seconds)
        now = self.clock.now()
        with self.db.tx():
            # kept a while past expiry, so that a call with them is told ExpiredToken
            self.db.execute("DELETE FROM sts_sessions WHERE expires < ?", (now - EXPIRED_KEPT,))
            self.db.execute(
                "INSERT OR REPLACE INTO sts_sessions(access_key, account, arn, user_id, expires, role_arn, policy, "
                "secret, token_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (creds["AccessKeyId"], account, user["Arn"], user["AssumedRoleId"], creds["Expiration"], role_arn,
                 None if policies is None else json.dumps(policies), creds["SecretAccessKey"],
                 hashlib.sha256(creds["SessionToken"].encode()).hexdigest()))
        return creds, user

    def session(self, access_key: str) -> Session | None:
        """The live session of `access_key`, if it is one of ours."""
        if not access_key.startswith("ASIA"):
            return None
        row = self.db.query_one("SELECT * FROM sts_sessions WHERE access_key=?", (access_key,))
        if row is None or row["expires"] < self.clock.now():
            return None
        return Session(row["access_key"], row["account"], row["arn"], row["user_id"], row["expires"],
                       row["role_arn"], json.loads(row["policy"]) if row["policy"] else None, row["secret"],
                       row["token_sha256"])

    def expired(self, access_key: str) -> bool:
        """Whether `access_key` was a session of ours that has expired (STS's ExpiredToken)."""
        row = self.db.query_one("SELECT expires FROM sts_sessions WHERE access_key=?", (access_key,))
        return row is not None and row["expires"] < self.clock.now()
