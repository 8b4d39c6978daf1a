"""S3 CORS: preflight (OPTIONS) answers and the CORS headers of actual responses, from the bucket's
CORS rules ([AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html)).

The first rule whose `AllowedOrigins` match the `Origin` (one `*` wildcard allowed in each origin),
whose `AllowedMethods` contain the method (the `Access-Control-Request-Method` of a preflight), and,
for a preflight, whose `AllowedHeaders` match every `Access-Control-Request-Headers` entry, applies.
A preflight without CORS configuration, or that no rule allows, answers 403 `AccessForbidden`; an
actual request that no rule allows is answered without CORS headers.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from overcast.edge.messages import Headers, Response

NOT_ENABLED = "CORSResponse: CORS is not enabled for this bucket."
NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
               "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
               "whitelisted by the resource's CORS spec.")


def _matches(patterns: list[str], value: str) -> bool:
    value = value.lower()
    return any(fnmatch.fnmatchcase(value, p.lower().replace("[", "[[]")) for p in patterns)


def matching_rule(config: dict[str, Any] | None, origin: str, method: str,
                  request_headers: list[str] | None = None) -> dict[str, Any] | None:
    """The bucket's first CORS rule that allows this origin, method (and requested headers)."""
    for rule in (config or {}).get("CORSRules") or []:
        if not _matches(rule.get("AllowedOrigins") or [], origin):
            continue
        if method.upper() not in [m.upper() for m in rule.get("AllowedMethods") or []]:
            continue
        if request_headers and not all(_matches(rule.get("AllowedHeaders") or [], h) for h in request_headers):
            continue
        return rule
    return None


def rule_headers(rule: dict[str, Any], origin: str, *, preflight: bool,
                 request_headers: list[str] | None = None) -> list[tuple[str, str]]:
    """The CORS headers S3 answers for a matching rule."""
    wildcard = "*" in (rule.get("AllowedOrigins") or [])
    headers = [("Access-Control-Allow-Origin", "*" if wildcard else origin),
               ("Access-Control-Allow-Methods", ", ".join(rule.get("AllowedMethods") or []))]
    if not wildcard:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if preflight and request_headers:
        headers.append(("Access-Control-Allow-Headers", ", ".join(request_headers)))
    if rule.get("ExposeHeaders"):
        headers.append(("Access-Control-Expose-Headers", ", ".join(rule["ExposeHeaders"])))
    if rule.get("MaxAgeSeconds") is not None:
        headers.append(("Access-Control-Max-Age", str(rule["MaxAgeSeconds"])))
    headers.append(("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"))
    return headers


def requested_headers(headers: Headers) -> list[str]:
    raw = headers.get("access-control-request-headers") or ""
    return [h.strip().lower() for h in raw.split(",") if h.strip()]


def decorate(config: dict[str, Any] | None, method: str, headers: Headers, response: Response) -> Response:
    """Add the CORS headers of the matching rule to an actual response (requests with `Origin`)."""
    origin = headers.get("origin")
    if not origin or not config:
        return response
    rule = matching_rule(config, origin, method)
    if rule is not None:
        for name, value in rule_headers(rule, origin, preflight=False):
            response.set_header(name, value)
    return response
