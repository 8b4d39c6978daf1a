"""Listener rule conditions as Application Load Balancers evaluate them: path-pattern (case
sensitive), host-header, http-header, query-string (case insensitive; `*` and `?` wildcards),
http-request-method (exact) and source-ip (CIDR); a rule matches when all its conditions do."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

from overcast.invocation.http.request import HttpCall
from overcast.services.elbv2.errors import validation

_CONFIG = {"path-pattern": "PathPatternConfig", "host-header": "HostHeaderConfig",
           "http-header": "HttpHeaderConfig", "query-string": "QueryStringConfig",
           "http-request-method": "HttpRequestMethodConfig", "source-ip": "SourceIpConfig"}


def check_conditions(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate conditions; path-pattern and host-header answer with `Values` and their config."""
    out = []
    for condition in conditions or []:
        field = condition.get("Field")
        if field not in _CONFIG:
            raise validation(f"Condition field '{field}' is not supported")
        config = condition.get(_CONFIG[field]) or {}
        values = config.get("Values") or condition.get("Values") or []
        if not values:
            raise validation(f"A '{field}' condition must have at least one value")
        if field == "http-header" and not config.get("HttpHeaderName"):
            raise validation("An http-header condition needs HttpHeaderConfig.HttpHeaderName")
        item = {"Field": field, _CONFIG[field]: {**config, "Values": values}}
        if field in ("path-pattern", "host-header"):
            item["Values"] = values
        out.append(item)
    return out


@lru_cache(maxsize=1024)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(regex, re.IGNORECASE if ignore_case else 0)


def _any(globs: list[str], value: str, ignore_case: bool = True) -> bool:
    return any(_pattern(g, ignore_case).fullmatch(value) for g in globs)


def _matches(condition: dict[str, Any], call: HttpCall, host: str) -> bool:
    field = condition["Field"]
    config = condition.get(_CONFIG[field]) or {}
    values = config.get("Values") or condition.get("Values") or []
    if field == "path-pattern":
        return _any(values, call.path, ignore_case=False)
    if field == "host-header":
        return _any(values, host.rsplit(":", 1)[0] if not host.startswith("[") else host)
    if field == "http-header":
        name = config["HttpHeaderName"].lower()
        return any(_any(values, v) for k, v in call.headers if k.lower() == name)
    if field == "query-string":
        pairs = call.query()
        return any(any((item.get("Key") is None or _pattern(item["Key"], True).fullmatch(k))
                       and _pattern(item.get("Value", "*"), True).fullmatch(v) for k, v in pairs) for item in values)
    if field == "http-request-method":
        return call.method in values
    if field == "source-ip":
        try:
            address = ipaddress.ip_address(call.source_ip)
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(cidr, strict=False) for cidr in values)
    return False


def rule_matches(rule: dict[str, Any], call: HttpCall, host: str) -> bool:
    return all(_matches(c, call, host) for c in rule.get("Conditions") or [])
