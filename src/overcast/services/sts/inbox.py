"""STS for the rest of overcast: the sessions it issued (whose role, which session policies, which
secret), for IAM evaluation and signature verification (docs/iam.md)."""

from __future__ import annotations

from overcast.platform import Platform
from overcast.services.sts.models import Session, SessionStore


def session(platform: Platform, access_key: str) -> Session | None:
    """The live session of `access_key`, if STS issued it."""
    return platform.component(SessionStore).session(access_key)


def expired(platform: Platform, access_key: str) -> bool:
    """Whether `access_key` belonged to a session of STS's that has expired."""
    return platform.component(SessionStore).expired(access_key)
