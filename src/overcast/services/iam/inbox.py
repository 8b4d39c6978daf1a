"""IAM for the rest of overcast: whose access key this is (STS's GetCallerIdentity, the gateway's
account for a user's key, signature verification)."""

from __future__ import annotations

from dataclasses import dataclass

from overcast.platform import Platform
from overcast.services.iam.users import UserStore


@dataclass
class KeyOwner:
    account: str
    user_name: str
    arn: str
    user_id: str
    secret: str
    active: bool


def key_owner(platform: Platform, access_key: str) -> KeyOwner | None:
    """The user an IAM access key belongs to, or None when IAM did not issue it."""
    users = platform.component(UserStore)
    key = users.key(access_key)
    if key is None:
        return None
    user = users.find(key.account, key.user_name)
    if user is None:
        return None
    return KeyOwner(key.account, key.user_name, user["Arn"], user["UserId"], key.secret, key.status == "Active")


def poll_refusal(platform: Platform, role_arn: str, function_name: str, source_arn: str) -> str | None:
    """AWS's CreateEventSourceMapping refusal when the function's execution role may not read the
    source under `--iam enforce` (None when it may, or IAM only reports)."""
    from overcast.services.iam.deliveries import authorize_source, poll_action, source_refusal

    if not role_arn:
        return None
    denied = authorize_source(platform, role_arn, function_name, poll_action(source_arn), source_arn)
    return source_refusal(source_arn) if denied else None
