"""Which cache behaviour serves a path (CloudFront's path patterns: `*` any run of characters,
`?` exactly one, case-sensitive, the leading `/` optional; behaviours in their listed order, the
default one last), and the behaviour's TTLs and cache policy."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from overcast.services.cloudfront.api_base import items
from overcast.services.cloudfront.policies import LEGACY_TTL, MANAGED_CACHE_POLICIES
from overcast.services.cloudfront.validation import behaviours

_ALL_METHODS = ["GET", "HEAD"]


@lru_cache(maxsize=512)
def _pattern(pattern: str) -> re.Pattern[str]:
    text = pattern if pattern.startswith("/") else f"/{pattern}"
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text) + r"\Z",
                      re.DOTALL)


def path_matches(pattern: str, path: str) -> bool:
    return pattern == "*" or _pattern(pattern).match(path) is not None


def behaviour_for(config: dict[str, Any], path: str) -> dict[str, Any]:
    """The first cache behaviour whose pattern matches the path, else the default one."""
    return next(b for b in behaviours(config) if path_matches(b["PathPattern"], path))


def allowed_methods(behaviour: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(allowed, cached) methods of a behaviour (GET and HEAD when unset)."""
    allowed = behaviour.get("AllowedMethods") or {}
    methods = items(allowed) or _ALL_METHODS
    cached = items(allowed.get("CachedMethods")) or _ALL_METHODS
    return methods, cached


def cache_policy(behaviour: dict[str, Any], custom: Any) -> dict[str, Any] | None:
    """The behaviour's cache policy config (managed or the account's), or None for legacy settings."""
    policy_id = behaviour.get("CachePolicyId")
    if not policy_id:
        return None
    if policy_id in MANAGED_CACHE_POLICIES:
        return MANAGED_CACHE_POLICIES[policy_id]
    doc = custom(policy_id)
    return doc["CachePolicyConfig"] if doc else None


def ttls(behaviour: dict[str, Any], policy: dict[str, Any] | None) -> tuple[int, int, int]:
    source = policy if policy is not None else behaviour
    default = LEGACY_TTL
    return (int(source.get("MinTTL", default[0]) or 0), int(source.get("DefaultTTL", default[1]) or 0),
            int(source.get("MaxTTL", default[2]) or 0))


def origin_of(config: dict[str, Any], behaviour: dict[str, Any]) -> dict[str, Any] | None:
    """The origin a behaviour targets (an origin group's first member)."""
    target = behaviour["TargetOriginId"]
    for group in items(config.get("OriginGroups")):
        if group["Id"] == target:
            members = items(group.get("Members"))
            target = members[0]["OriginId"] if members else target
    return next((o for o in items(config.get("Origins")) if o["Id"] == target), None)


def origins_for(config: dict[str, Any], behaviour: dict[str, Any]) -> tuple[list[dict[str, Any]], set[int]]:
    """The origins a behaviour may use in order, and the statuses that fail over to the next: an
    origin group's members and its `FailoverCriteria`, or the one origin and no failover."""
    target = behaviour["TargetOriginId"]
    by_id = {o["Id"]: o for o in items(config.get("Origins"))}
    for group in items(config.get("OriginGroups")):
        if group["Id"] == target:
            members = [by_id[m["OriginId"]] for m in items(group.get("Members")) if m["OriginId"] in by_id]
            codes = {int(c) for c in items((group.get("FailoverCriteria") or {}).get("StatusCodes"))}
            return members, codes
    return ([by_id[target]] if target in by_id else []), set()
