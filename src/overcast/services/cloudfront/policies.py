"""AWS's managed cache and origin request policies, with the ids AWS gives them (the same in
every account): https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
and .../using-managed-origin-request-policies.html."""

from __future__ import annotations

from typing import Any

_NONE = {"Quantity": 0}


def _cache(name: str, comment: str, ttl: tuple[int, int, int], *, headers: list[str] | None = None,
           query: str = "none", gzip: bool = True) -> dict[str, Any]:
    min_ttl, default_ttl, max_ttl = ttl
    header_config: dict[str, Any] = {"HeaderBehavior": "whitelist" if headers else "none"}
    if headers:
        header_config["Headers"] = {"Quantity": len(headers), "Items": headers}
    return {
        "Comment": comment, "Name": name, "DefaultTTL": default_ttl, "MaxTTL": max_ttl, "MinTTL": min_ttl,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": gzip, "EnableAcceptEncodingBrotli": gzip,
            "HeadersConfig": header_config, "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": query},
        },
    }


MANAGED_CACHE_POLICIES: dict[str, dict[str, Any]] = {
    "658327ea-f89d-4fab-a63d-7e88639e58f6": _cache(
        "Managed-CachingOptimized", "Policy with caching enabled. Supports Gzip and Brotli compression.",
        (1, 86400, 31536000)),
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": _cache(
        "Managed-CachingDisabled", "Policy with caching disabled", (0, 0, 0), gzip=False),
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": _cache(
        "Managed-CachingOptimizedForUncompressedObjects",
        "Default policy when compression is disabled", (1, 86400, 31536000), gzip=False),
    "08627262-05a9-4f76-9ded-b50ca2e3a84f": _cache(
        "Managed-Elemental-MediaPackage", "Policy for Elemental MediaPackage Origin", (0, 86400, 31536000),
        headers=["origin"], query="whitelist"),
    "83da9c7e-98b4-4e11-a168-04f0df8e2c65": _cache(
        "UseOriginCacheControlHeaders", "Policy for origins that return Cache-Control headers. Query strings "
        "are not included in the cache key.", (0, 0, 31536000),
        headers=["host", "origin", "x-http-method-override", "x-http-method", "x-method-override"]),
    "4cc15a8a-d715-48a4-82b8-cc0b614638fe": _cache(
        "UseOriginCacheControlHeaders-QueryStrings", "Policy for origins that return Cache-Control headers and "
        "serve different content based on query strings.", (0, 0, 31536000),
        headers=["host", "origin", "x-http-method-override", "x-http-method", "x-method-override"], query="all"),
}


def _origin(name: str, comment: str, headers: str, header_items: list[str] | None = None,
            cookies: str = "none", query: str = "none") -> dict[str, Any]:
    config: dict[str, Any] = {"HeaderBehavior": headers}
    if header_items:
        config["Headers"] = {"Quantity": len(header_items), "Items": header_items}
    return {"Comment": comment, "Name": name, "HeadersConfig": config,
            "CookiesConfig": {"CookieBehavior": cookies}, "QueryStringsConfig": {"QueryStringBehavior": query}}


MANAGED_ORIGIN_REQUEST_POLICIES: dict[str, dict[str, Any]] = {
    "216adef6-5c7f-47e4-b989-5492eafa07d3": _origin(
        "Managed-AllViewer", "Policy to forward all parameters in viewer requests", "allViewer", cookies="all",
        query="all"),
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": _origin(
        "Managed-AllViewerExceptHostHeader", "Policy to forward all parameters in viewer requests except for the "
        "Host header", "allExcept", ["host"], cookies="all", query="all"),
    "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": _origin(
        "Managed-CORS-S3Origin", "Policy for S3 origin with CORS", "whitelist",
        ["origin", "access-control-request-headers", "access-control-request-method"]),
    "59781a5b-3903-41f3-afcb-af62929ccde1": _origin(
        "Managed-CORS-CustomOrigin", "Policy for custom origin with CORS", "whitelist", ["origin"]),
    "acba4595-bd28-49b8-b9fe-13317c0390fa": _origin(
        "Managed-UserAgentRefererHeaders", "Policy to forward user-agent and referer headers to origin",
        "whitelist", ["referer", "user-agent"]),
    "33f36d7e-f396-46d9-90e0-52428a34d9dc": _origin(
        "Managed-AllViewerAndCloudFrontHeaders-2022-06", "Policy to forward all parameters in viewer requests "
        "and all CloudFront headers", "allViewerAndWhitelistCloudFront",
        ["cloudfront-viewer-country", "cloudfront-is-mobile-viewer"], cookies="all", query="all"),
}

#: The legacy cache settings' TTLs when a behaviour names no cache policy (AWS's defaults).
LEGACY_TTL = (0, 86400, 31536000)


def _list(values: list[str]) -> dict[str, Any]:
    return {"Quantity": len(values), "Items": values}


def _cors(methods: list[str], *, preflight: bool) -> dict[str, Any]:
    config: dict[str, Any] = {
        "AccessControlAllowOrigins": _list(["*"]), "AccessControlAllowHeaders": _list(["*"]),
        "AccessControlAllowMethods": _list(methods), "AccessControlAllowCredentials": False,
        "OriginOverride": False}
    if preflight:
        config["AccessControlExposeHeaders"] = _list(["*"])
    return config


_SECURITY: dict[str, Any] = {
    "XSSProtection": {"Override": False, "Protection": True, "ModeBlock": True},
    "FrameOptions": {"Override": False, "FrameOption": "SAMEORIGIN"},
    "ReferrerPolicy": {"Override": False, "ReferrerPolicy": "strict-origin-when-cross-origin"},
    "ContentTypeOptions": {"Override": False},
    "StrictTransportSecurity": {"Override": False, "IncludeSubdomains": False, "Preload": False,
                                "AccessControlMaxAgeSec": 31536000},
}
_ALL_METHODS = ["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS"]


def _headers_policy(name: str, comment: str, cors: dict[str, Any] | None = None,
                    security: bool = False) -> dict[str, Any]:
    config: dict[str, Any] = {"Comment": comment, "Name": name}
    if cors:
        config["CorsConfig"] = cors
    if security:
        config["SecurityHeadersConfig"] = _SECURITY
    return config


#: AWS's managed response headers policies (docs: using-managed-response-headers-policies.html).
MANAGED_RESPONSE_HEADERS_POLICIES: dict[str, dict[str, Any]] = {
    "60669652-455b-4ae9-85a4-c4c02393f86c": _headers_policy(
        "Managed-SimpleCORS", "Allows all origins for simple CORS requests",
        {**_cors(["GET", "HEAD"], preflight=False), "AccessControlAllowHeaders": {"Quantity": 0}}),
    "5cc3b908-e619-4b99-88e5-2cf7f45965bd": _headers_policy(
        "Managed-CORS-With-Preflight", "Allows all origins for CORS requests, including preflight requests",
        _cors(_ALL_METHODS, preflight=True)),
    "67f7725c-6f97-4210-82d7-5512b31e9d03": _headers_policy(
        "Managed-SecurityHeadersPolicy", "Adds a set of security headers to every response", security=True),
    "e61eb60c-9c35-4d20-a928-2b84e02af89c": _headers_policy(
        "Managed-CORS-and-SecurityHeadersPolicy", "Allows all origins for simple CORS requests and adds security "
        "headers", {**_cors(["GET", "HEAD"], preflight=False), "AccessControlAllowHeaders": {"Quantity": 0}},
        security=True),
    "eaab4381-ed33-4a86-88ca-d9558dc6cd63": _headers_policy(
        "Managed-CORS-with-preflight-and-SecurityHeadersPolicy", "Allows all origins for CORS requests, including "
        "preflight requests, and adds security headers", _cors(_ALL_METHODS, preflight=True), security=True),
}
