"""The edge cache: responses kept per distribution and cache key for their TTL, as CloudFront's
cache rules decide (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html):

- the origin's `Cache-Control: s-maxage` (else `max-age`), else `Expires`, clamped to the
  behaviour's MinTTL and MaxTTL; no caching header: the DefaultTTL;
- `no-cache`, `no-store` or `private` with MinTTL 0: not cached;
- only GET and HEAD answers are cached, and only statuses CloudFront caches.

An edge cache is not durable state (AWS's caches drop objects whenever they like), so it lives in
memory; invalidations clear it, as does a platform reset."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any

from overcast.platform import Platform

#: Statuses CloudFront caches (successes and the error statuses it caches by default).
CACHEABLE = {200, 203, 206, 300, 301, 302, 307, 308, 404, 405, 410, 414, 501}
_MAX_AGE = re.compile(r"(?:^|,)\s*(s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass
class Entry:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    stored_at: float
    expires_at: float
    path: str = ""


@dataclass
class EdgeCache:
    """`platform.component(EdgeCache)`."""

    platform: Platform
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.platform.on_reset(self.entries.clear)

    def get(self, dist_id: str, key: str) -> Entry | None:
        entry = self.entries.get((dist_id, key))
        if entry is None:
            return None
        if self.platform.clock.now() >= entry.expires_at:
            del self.entries[(dist_id, key)]
            return None
        return entry

    def put(self, dist_id: str, key: str, entry: Entry) -> None:
        self.entries[(dist_id, key)] = entry

    def invalidate(self, dist_id: str, paths: list[str]) -> None:
        """Drop the objects the paths name: exact paths, or a trailing `*` matching any suffix."""
        for cached_dist, key in list(self.entries):
            if cached_dist != dist_id:
                continue
            path = self.entries[(cached_dist, key)].path
            if any(_invalidates(p, path) for p in paths):
                del self.entries[(cached_dist, key)]


def _invalidates(pattern: str, path: str) -> bool:
    pattern = pattern if pattern.startswith("/") else f"/{pattern}"
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern or fnmatch.fnmatchcase(path, pattern)


def ttl_of(headers: list[tuple[str, str]], ttls: tuple[int, int, int], now: float) -> float:
    """Seconds to keep a response, by its caching headers and the behaviour's (min, default, max)."""
    min_ttl, default_ttl, max_ttl = ttls
    control = ", ".join(v for k, v in headers if k.lower() == "cache-control")
    lowered = control.lower()
    if any(word in lowered for word in ("no-cache", "no-store", "private")):
        return float(min_ttl)
    ages = dict((name.lower(), int(value)) for name, value in _MAX_AGE.findall(control))
    age = ages.get("s-maxage", ages.get("max-age"))
    if age is None:
        expires = next((v for k, v in headers if k.lower() == "expires"), None)
        if expires is not None:
            age = _seconds_until(expires, now)
    if age is None:
        return float(default_ttl)
    return float(max(min_ttl, min(age, max_ttl)))


def _seconds_until(expires: str, now: float) -> int:
    from email.utils import parsedate_to_datetime

    try:
        return max(0, int(parsedate_to_datetime(expires).timestamp() - now))
    except (TypeError, ValueError):
        return 0


def cache_key(behaviour: dict[str, Any], policy: dict[str, Any] | None, method: str, path: str,
              query: list[tuple[str, str]], headers: dict[str, str], cookies: dict[str, str]) -> str:
    """The cache key: the path plus the query strings, headers and cookies the cache policy (or
    the legacy ForwardedValues) puts in it."""
    if policy is not None:
        params = policy.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
        q_conf = params.get("QueryStringsConfig") or {}
        q_mode, q_items = q_conf.get("QueryStringBehavior", "none"), _items(q_conf.get("QueryStrings"))
        h_conf = params.get("HeadersConfig") or {}
        h_mode, h_items = h_conf.get("HeaderBehavior", "none"), _items(h_conf.get("Headers"))
        c_conf = params.get("CookiesConfig") or {}
        c_mode, c_items = c_conf.get("CookieBehavior", "none"), _items(c_conf.get("Cookies"))
    else:
        fwd = behaviour.get("ForwardedValues") or {}
        q_items = _items(fwd.get("QueryStringCacheKeys"))
        q_mode = ("whitelist" if q_items else "all") if fwd.get("QueryString") else "none"
        h_items = _items(fwd.get("Headers"))
        h_mode = "whitelist" if h_items else "none"
        c_conf = fwd.get("Cookies") or {}
        c_mode = {"all": "all", "whitelist": "whitelist"}.get(c_conf.get("Forward", "none"), "none")
        c_items = _items(c_conf.get("WhitelistedNames"))
    parts = [method if method == "OPTIONS" else "GET", path]
    parts.append("q:" + "&".join(f"{k}={v}" for k, v in sorted(_select(query, q_mode, q_items))))
    wanted = {h.lower() for h in h_items}
    parts.append("h:" + "|".join(f"{k}={v}" for k, v in sorted(headers.items()) if h_mode == "whitelist"
                                and k in wanted))
    parts.append("c:" + "|".join(f"{k}={v}" for k, v in sorted(_select(list(cookies.items()), c_mode, c_items))))
    return "\n".join(parts)


def _select(pairs: list[tuple[str, str]], mode: str, names: list[str]) -> list[tuple[str, str]]:
    if mode == "all":
        return pairs
    if mode == "whitelist":
        return [(k, v) for k, v in pairs if k in names]
    if mode == "allExcept":
        return [(k, v) for k, v in pairs if k not in names]
    return []


def _items(value: Any) -> list[str]:
    return list((value or {}).get("Items") or [])
