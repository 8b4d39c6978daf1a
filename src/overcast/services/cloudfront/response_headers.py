"""A response headers policy applied to what goes back to the viewer
(https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html):
CORS headers for requests that carry `Origin` (the preflight ones too), security headers, custom
headers and removed headers. A header the policy sets replaces the origin's only when its
`Override` (for CORS, `OriginOverride`) is true."""

from __future__ import annotations

from typing import Any

from overcast.edge.messages import Response
from overcast.services.cloudfront.api_base import items
from overcast.services.cloudfront.policies import MANAGED_RESPONSE_HEADERS_POLICIES

_EVERY_METHOD = ["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS"]


def policy_config(behaviour: dict[str, Any], custom: Any) -> dict[str, Any] | None:
    """The behaviour's response headers policy config (managed or the account's), if any."""
    policy_id = behaviour.get("ResponseHeadersPolicyId")
    if not policy_id:
        return None
    if policy_id in MANAGED_RESPONSE_HEADERS_POLICIES:
        return MANAGED_RESPONSE_HEADERS_POLICIES[policy_id]
    doc = custom(policy_id)
    return doc["ResponseHeadersPolicyConfig"] if doc else None


def _put(response: Response, name: str, value: str, override: bool) -> None:
    if override or response.header(name) is None:
        response.set_header(name, value)


def apply(config: dict[str, Any], response: Response, method: str, request_headers: list[tuple[str, str]]) -> None:
    """Add, replace and remove the response's headers as the policy says."""
    lower = {k.lower(): v for k, v in request_headers}
    cors = config.get("CorsConfig")
    if cors and "origin" in lower:
        _cors(cors, response, lower["origin"], method == "OPTIONS" and "access-control-request-method" in lower)
    _security(config.get("SecurityHeadersConfig") or {}, response)
    for header in items(config.get("CustomHeadersConfig")):
        _put(response, header["Header"], str(header.get("Value", "")), bool(header.get("Override")))
    removed = {h["Header"].lower() for h in items(config.get("RemoveHeadersConfig"))}
    if removed:
        response.headers = [(k, v) for k, v in response.headers if k.lower() not in removed]


def _cors(cors: dict[str, Any], response: Response, origin: str, preflight: bool) -> None:
    override = bool(cors.get("OriginOverride"))
    origins = items(cors.get("AccessControlAllowOrigins"))
    if "*" in origins:
        allowed = "*"
    elif origin in origins:
        allowed = origin
    else:
        return  # not an allowed origin: no CORS headers
    _put(response, "Access-Control-Allow-Origin", allowed, override)
    if cors.get("AccessControlAllowCredentials"):
        _put(response, "Access-Control-Allow-Credentials", "true", override)
    exposed = items(cors.get("AccessControlExposeHeaders"))
    if exposed:
        _put(response, "Access-Control-Expose-Headers", ",".join(exposed), override)
    if preflight:
        methods = items(cors.get("AccessControlAllowMethods"))
        if methods:
            _put(response, "Access-Control-Allow-Methods", ",".join(_EVERY_METHOD if "ALL" in methods else methods),
                 override)
        headers = items(cors.get("AccessControlAllowHeaders"))
        if headers:
            _put(response, "Access-Control-Allow-Headers", ",".join(headers), override)
        if cors.get("AccessControlMaxAgeSec") is not None:
            _put(response, "Access-Control-Max-Age", str(cors["AccessControlMaxAgeSec"]), override)


def _security(security: dict[str, Any], response: Response) -> None:
    hsts = security.get("StrictTransportSecurity")
    if hsts:
        value = f"max-age={hsts.get('AccessControlMaxAgeSec', 0)}"
        value += "; includeSubDomains" if hsts.get("IncludeSubdomains") else ""
        value += "; preload" if hsts.get("Preload") else ""
        _put(response, "Strict-Transport-Security", value, bool(hsts.get("Override")))
    if security.get("ContentTypeOptions"):
        _put(response, "X-Content-Type-Options", "nosniff", bool(security["ContentTypeOptions"].get("Override")))
    frame = security.get("FrameOptions")
    if frame:
        _put(response, "X-Frame-Options", str(frame.get("FrameOption", "SAMEORIGIN")), bool(frame.get("Override")))
    referrer = security.get("ReferrerPolicy")
    if referrer:
        _put(response, "Referrer-Policy", str(referrer.get("ReferrerPolicy", "")), bool(referrer.get("Override")))
    csp = security.get("ContentSecurityPolicy")
    if csp:
        _put(response, "Content-Security-Policy", str(csp.get("ContentSecurityPolicy", "")), bool(csp.get("Override")))
    xss = security.get("XSSProtection")
    if xss:
        value = "1" if xss.get("Protection") else "0"
        if xss.get("Protection") and xss.get("ModeBlock"):
            value += "; mode=block"
        elif xss.get("Protection") and xss.get("ReportUri"):
            value += f"; report={xss['ReportUri']}"
        _put(response, "X-XSS-Protection", value, bool(xss.get("Override")))
