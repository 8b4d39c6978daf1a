"""Identities (email addresses and domains), shared by both APIs. overcast sends no verification mail
and publishes no DNS: an identity is verified as soon as it is created (its token and DKIM tokens are
generated and kept, as AWS hands them out)."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from overcast.platform import Platform
from overcast.services.ses.errors import invalid
from overcast.services.ses.mail import bare
from overcast.services.ses.store import IDENTITY, SesStore


def is_domain(identity: str) -> bool:
    return "@" not in identity


def create(platform: Platform, account: str, region: str, identity: str, **extra: Any) -> dict[str, Any]:
    """Create (or return the existing) identity document."""
    if not identity or identity.startswith("@") or identity.endswith("@") or identity.count("@") > 1:
        raise invalid(f"Invalid email address<{identity}>.") if "@" in identity else invalid("Invalid domain name.")
    # domains are case-insensitive (kept lower-case); an address given as `Name <a@b>` is the address
    identity = identity.lower() if is_domain(identity) else bare(identity)
    store = platform.component(SesStore)
    existing = store.identity(account, region, identity)
    if existing is not None:
        return existing
    domain = is_domain(identity)
    doc = {
        "Identity": identity, "Type": "Domain" if domain else "EmailAddress",
        "VerificationToken": base64.b64encode(secrets.token_bytes(32)).decode() if domain else None,
        "DkimTokens": [secrets.token_hex(16) for _ in range(3)], "DkimEnabled": domain,
        "ForwardingEnabled": True, "NotificationTopics": {}, "HeadersInNotifications": {},
        "MailFromDomain": None, "BehaviorOnMxFailure": "UseDefaultValue", "Tags": [],
        "ConfigurationSetName": None, "CreatedAt": platform.clock.now(), **extra,
    }
    store.docs.put(account, region, IDENTITY, identity.lower(), doc)
    return doc


def put(platform: Platform, account: str, region: str, doc: dict[str, Any]) -> None:
    platform.component(SesStore).docs.put(account, region, IDENTITY, doc["Identity"].lower(), doc)


def delete(platform: Platform, account: str, region: str, identity: str) -> bool:
    return platform.component(SesStore).docs.delete(account, region, IDENTITY, identity.lower())


def listed(platform: Platform, account: str, region: str, kind: str | None = None) -> list[dict[str, Any]]:
    docs = platform.component(SesStore).docs.list(account, region, IDENTITY)
    return sorted((d for d in docs if kind is None or d["Type"] == kind), key=lambda d: d["Identity"])


def page(items: list[Any], token: str | None, limit: int | None, default: int = 1000) -> tuple[list[Any], str | None]:
    """One page of a list and the next token (the offset, as text)."""
    start = int(token) if token and token.isdigit() else 0
    size = limit or default
    chunk = items[start:start + size]
    return chunk, (str(start + size) if start + size < len(items) else None)


def put_policy(platform: Platform, account: str, region: str, doc: dict[str, Any], name: str, policy: str,
               code: str = "InvalidPolicy") -> None:
    """An identity's sending authorization policy, kept as given (it must be a JSON object; SES
    does not enforce it on sends here)."""
    from overcast import documents

    try:
        parsed = documents.loads(policy)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise invalid("Policy is not valid JSON.", code=code)
    doc["Policies"] = {**(doc.get("Policies") or {}), name: policy}
    put(platform, account, region, doc)


def drop_policy(platform: Platform, account: str, region: str, doc: dict[str, Any], name: str) -> None:
    doc["Policies"] = {k: v for k, v in (doc.get("Policies") or {}).items() if k != name}
    put(platform, account, region, doc)
