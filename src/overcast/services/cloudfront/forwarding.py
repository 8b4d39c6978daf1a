"""What CloudFront forwards to the origin: the headers, cookies and query strings that the cache
policy puts in the cache key plus those the origin request policy adds, or the legacy
`ForwardedValues` (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-origin-requests.html).
Everything else the viewer sent stays at the edge. The origin-request event sees the request as
it will be forwarded."""

from __future__ import annotations

import secrets
from typing import Any

from overcast.edge.messages import parse_form
from overcast.services.cloudfront.lambda_edge import EdgeRequest
from overcast.services.cloudfront.policies import MANAGED_ORIGIN_REQUEST_POLICIES

#: Headers CloudFront always sends an origin whatever the policies say.
_ALWAYS = frozenset({"content-type", "content-length", "content-encoding", "transfer-encoding", "if-match",
                     "if-none-match", "if-modified-since", "if-unmodified-since", "if-range", "range",
                     "authorization", "origin", "access-control-request-method", "access-control-request-headers"})


#: Headers CloudFront adds about the viewer when a policy names them (AWS derives the country from
#: the viewer's IP address; a local viewer names it in X-Overcast-Viewer-Country).
_CLOUDFRONT_HEADERS = {"cloudfront-viewer-country": "CloudFront-Viewer-Country",
                       "cloudfront-forwarded-proto": "CloudFront-Forwarded-Proto",
                       "cloudfront-viewer-address": "CloudFront-Viewer-Address"}


def _cloudfront_headers(req: EdgeRequest, rule: tuple[bool, set[str], set[str]]) -> list[tuple[str, str]]:
    """The CloudFront-* headers about the viewer that the policies name
    (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html)."""
    sent = {k.lower(): v for k, v in req.headers}
    values = {"cloudfront-viewer-country": sent.get("x-overcast-viewer-country", "").strip().upper(),
              "cloudfront-forwarded-proto": "https" if sent.get("x-forwarded-proto", "").lower() == "https"
              else "http",
              "cloudfront-viewer-address": f"{req.client_ip}:0"}
    return [(_CLOUDFRONT_HEADERS[name], value) for name, value in values.items() if name in rule[1] and value]


def _names(config: dict[str, Any] | None, behaviour_key: str, list_key: str) -> tuple[str, set[str]]:
    config = config or {}
    return config.get(behaviour_key, "none"), {n.lower() for n in (config.get(list_key) or {}).get("Items") or []}


def _merge(modes: list[tuple[str, set[str]]]) -> tuple[bool, set[str], set[str]]:
    """(forward all, names to forward, names excluded when forwarding all)."""
    everything = any(mode in ("all", "allViewer", "allViewerAndWhitelistCloudFront") for mode, _ in modes)
    except_modes = [names for mode, names in modes if mode in ("allExcept",)]
    named = set().union(*[names for mode, names in modes if mode in ("whitelist", "allViewerAndWhitelistCloudFront")])
    if except_modes:
        return True, named, set.intersection(*except_modes) - named
    return everything, named, set()


def _rules(behaviour: dict[str, Any], cache_policy: dict[str, Any] | None,
           origin_policy: dict[str, Any] | None) -> dict[str, tuple[bool, set[str], set[str]]]:
    if cache_policy is None:
        fwd = behaviour.get("ForwardedValues") or {}
        headers = {h.lower() for h in (fwd.get("Headers") or {}).get("Items") or []}
        cookies = fwd.get("Cookies") or {}
        cookie_names = {c for c in (cookies.get("WhitelistedNames") or {}).get("Items") or []}
        return {"headers": ("*" in headers, headers, set()),
                "cookies": (cookies.get("Forward") == "all", cookie_names if cookies.get("Forward") == "whitelist"
                            else set(), set()),
                "query": (bool(fwd.get("QueryString")), set(), set())}
    params = cache_policy.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
    origin_policy = origin_policy or {}
    out = {}
    for kind, conf, mode_key, list_key in (("headers", "HeadersConfig", "HeaderBehavior", "Headers"),
                                           ("cookies", "CookiesConfig", "CookieBehavior", "Cookies"),
                                           ("query", "QueryStringsConfig", "QueryStringBehavior", "QueryStrings")):
        out[kind] = _merge([_names(params.get(conf), mode_key, list_key),
                            _names(origin_policy.get(conf), mode_key, list_key)])
    return out


def _keep(name: str, rule: tuple[bool, set[str], set[str]]) -> bool:
    everything, named, excluded = rule
    return (everything and name not in excluded) or name in named


def origin_policy_of(behaviour: dict[str, Any], custom: Any) -> dict[str, Any] | None:
    policy_id = behaviour.get("OriginRequestPolicyId")
    if not policy_id:
        return None
    if policy_id in MANAGED_ORIGIN_REQUEST_POLICIES:
        return MANAGED_ORIGIN_REQUEST_POLICIES[policy_id]
    doc = custom(policy_id)
    return doc["OriginRequestPolicyConfig"] if doc else None


def forwarded(req: EdgeRequest, behaviour: dict[str, Any], cache_policy: dict[str, Any] | None,
              origin_policy: dict[str, Any] | None, origin_domain: str) -> EdgeRequest:
    """The request as CloudFront sends it to the origin: `Host` is the origin's domain unless a
    policy forwards the viewer's, with `X-Forwarded-For` and CloudFront's `Via` added."""
    rules = _rules(behaviour, cache_policy, origin_policy)
    headers: list[tuple[str, str]] = []
    if not _keep("host", rules["headers"]):
        headers.append(("Host", origin_domain))
    for name, value in req.headers:
        lower = name.lower()
        if lower in ("x-forwarded-for", "via") or lower in _CLOUDFRONT_HEADERS:
            continue  # CloudFront sets these itself, whatever the viewer sent
        if lower == "host" and not _keep("host", rules["headers"]):
            continue
        if lower == "cookie":
            kept = [part.strip() for part in value.split(";")
                    if part.strip() and _keep(part.strip().split("=", 1)[0], rules["cookies"])]
            if kept:
                headers.append((name, "; ".join(kept)))
        elif lower == "host" or lower in _ALWAYS or _keep(lower, rules["headers"]):
            headers.append((name, value))
    headers += _cloudfront_headers(req, rules["headers"])
    forwarded_for = [v for k, v in req.headers if k.lower() == "x-forwarded-for"]
    headers.append(("X-Forwarded-For", ", ".join([*forwarded_for, req.client_ip])))
    headers.append(("Via", f"2.0 {secrets.token_hex(16)}.cloudfront.net (CloudFront)"))
    query = "&".join(part for part in req.querystring.split("&")
                     if part and _keep(parse_form(part)[0][0] if parse_form(part) else "", rules["query"]))
    return EdgeRequest(req.client_ip, req.method, req.uri, query, headers, req.body)
