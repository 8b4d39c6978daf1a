"""CloudFront's rules as pure functions: path patterns and behaviour precedence, TTLs from caching
headers, cache keys from cache policies, Lambda@Edge answer validation, invalidation paths, and
CloudFormation's shapes converted to the API's."""

from __future__ import annotations

import base64

import pytest

from overcast.services.cloudformation.resources.cloudfront import api_config
from overcast.services.cloudfront.cache import _invalidates, cache_key, ttl_of
from overcast.services.cloudfront.lambda_edge import (
    EdgeRequest,
    EdgeValidationError,
    applied_request,
    cf_headers,
    generated_response,
    pairs_of,
)
from overcast.services.cloudfront.routing import behaviour_for, path_matches


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("*", "/anything/at/all", True),
    ("/images/*.jpg", "/images/a/b.jpg", True),
    ("images/*.jpg", "/images/b.jpg", True),
    ("/images/*.jpg", "/images/b.JPG", False),
    ("/a?c", "/abc", True),
    ("/a?c", "/ac", False),
    ("/api/*", "/api", False),
    ("/[x]", "/[x]", True),
])
def test_path_patterns(pattern, path, matches):
    assert path_matches(pattern, path) is matches


def test_first_matching_behaviour_wins_then_the_default():
    config = {"DefaultCacheBehavior": {"TargetOriginId": "default"},
              "CacheBehaviors": {"Quantity": 2, "Items": [
                  {"PathPattern": "/api/v1/*", "TargetOriginId": "v1"},
                  {"PathPattern": "/api/*", "TargetOriginId": "api"}]}}
    assert behaviour_for(config, "/api/v1/x")["TargetOriginId"] == "v1"
    assert behaviour_for(config, "/api/v2/x")["TargetOriginId"] == "api"
    assert behaviour_for(config, "/index.html")["TargetOriginId"] == "default"


@pytest.mark.parametrize(("headers", "expected"), [
    ([], 86400),
    ([("Cache-Control", "max-age=60")], 60),
    ([("Cache-Control", "max-age=60, s-maxage=120")], 120),
    ([("Cache-Control", "max-age=5")], 10),            # clamped to MinTTL
    ([("Cache-Control", "max-age=999999999")], 31536000),  # clamped to MaxTTL
    ([("Cache-Control", "no-store")], 10),             # MinTTL
    ([("Expires", "Thu, 01 Jan 1970 00:00:00 GMT")], 10),
])
def test_ttl_from_caching_headers(headers, expected):
    assert ttl_of(headers, (10, 86400, 31536000), 1_700_000_000.0) == expected


def test_cache_key_takes_only_what_the_policy_names():
    policy = {"ParametersInCacheKeyAndForwardedToOrigin": {
        "QueryStringsConfig": {"QueryStringBehavior": "whitelist", "QueryStrings": {"Quantity": 1, "Items": ["v"]}},
        "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 1, "Items": ["Accept-Language"]}},
        "CookiesConfig": {"CookieBehavior": "none"}}}

    def key(query, headers, cookies=None):
        return cache_key({}, policy, "GET", "/p", query, headers, cookies or {})

    base = key([("v", "1")], {"accept-language": "en"})
    assert key([("v", "1"), ("other", "x")], {"accept-language": "en", "user-agent": "a"}, {"s": "1"}) == base
    assert key([("v", "2")], {"accept-language": "en"}) != base
    assert key([("v", "1")], {"accept-language": "fr"}) != base


def test_legacy_forwarded_values_without_query_strings():
    behaviour = {"ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}}
    assert cache_key(behaviour, None, "GET", "/p", [("a", "1")], {}, {}) == \
        cache_key(behaviour, None, "GET", "/p", [("a", "2")], {}, {})


def test_invalidation_paths():
    assert _invalidates("/img/*", "/img/a/b.png")
    assert _invalidates("/index.html", "/index.html")
    assert not _invalidates("/index.html", "/index.htm")
    assert _invalidates("/*", "/anything")


def _request(headers=None):
    return EdgeRequest("1.2.3.4", "GET", "/p", "", headers or [("Host", "d.cloudfront.net")], b"body")


def test_headers_round_trip_and_key_mismatch():
    pairs = [("Host", "h"), ("X-A", "1"), ("x-a", "2")]
    assert pairs_of(cf_headers(pairs)) == pairs
    with pytest.raises(EdgeValidationError):
        pairs_of({"x-b": [{"key": "X-Other", "value": "1"}]})
    with pytest.raises(EdgeValidationError):
        pairs_of({"x-b": [{"key": "X-B", "value": 1}]})


def test_viewer_request_may_not_change_host_or_add_disallowed_headers():
    req = _request()
    changed = {"uri": "/q", "headers": {"host": [{"key": "Host", "value": "d.cloudfront.net"}],
                                        "x-new": [{"key": "X-New", "value": "1"}]}}
    out = applied_request("viewer-request", req, changed)
    assert out.uri == "/q" and ("X-New", "1") in out.headers
    with pytest.raises(EdgeValidationError, match="read-only"):
        applied_request("viewer-request", req, {"headers": {"host": [{"key": "Host", "value": "other"}]}})
    with pytest.raises(EdgeValidationError, match="disallowed"):
        applied_request("viewer-request", req, {"headers": {**cf_headers(req.headers),
                                                            "x-cache": [{"key": "X-Cache", "value": "x"}]}})


def test_generated_responses():
    status, headers, body = generated_response("viewer-request", {
        "status": "200", "headers": {"content-type": [{"key": "Content-Type", "value": "text/plain"}]},
        "bodyEncoding": "base64", "body": base64.b64encode(b"hi").decode()})
    assert (status, headers, body) == (200, [("Content-Type", "text/plain")], b"hi")
    with pytest.raises(EdgeValidationError):
        generated_response("viewer-request", {"status": "abc"})
    with pytest.raises(EdgeValidationError):
        generated_response("viewer-request", {"status": "200", "body": "x" * (40 * 1024 + 1)})
    assert len(generated_response("origin-request", {"status": "200", "body": "x" * (40 * 1024 + 1)})[2]) > 40 * 1024


def test_cloudformation_shapes_become_the_apis():
    config = api_config({
        "Aliases": ["a.example"], "IPV6Enabled": True,
        "Origins": [{"Id": "o", "DomainName": "d", "OriginCustomHeaders": [{"HeaderName": "X", "HeaderValue": "1"}]}],
        "DefaultCacheBehavior": {"TargetOriginId": "o", "AllowedMethods": ["GET", "HEAD", "OPTIONS"],
                                 "CachedMethods": ["GET", "HEAD"],
                                 "ForwardedValues": {"QueryString": True, "Headers": ["Origin"],
                                                     "Cookies": {"Forward": "whitelist", "WhitelistedNames": ["s"]}}},
        "Restrictions": {"GeoRestriction": {"RestrictionType": "whitelist", "Locations": ["US"]}},
    })
    assert config["Aliases"] == {"Quantity": 1, "Items": ["a.example"]}
    assert config["IsIPV6Enabled"] is True
    assert config["Origins"]["Items"][0]["CustomHeaders"]["Quantity"] == 1
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["AllowedMethods"] == {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"],
                                           "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}}
    assert "CachedMethods" not in behaviour
    assert behaviour["ForwardedValues"]["Headers"] == {"Quantity": 1, "Items": ["Origin"]}
    assert behaviour["ForwardedValues"]["Cookies"]["WhitelistedNames"] == {"Quantity": 1, "Items": ["s"]}
    assert config["Restrictions"]["GeoRestriction"] == {"RestrictionType": "whitelist", "Quantity": 1,
                                                        "Items": ["US"]}


def test_forwarded_headers_cookies_and_query_strings():
    from overcast.services.cloudfront.forwarding import forwarded
    from overcast.services.cloudfront.policies import MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES

    req = EdgeRequest("1.2.3.4", "GET", "/p", "a=1&b=2", [("Host", "d"), ("X-Viewer", "v"), ("Range", "bytes=0-1"),
                                                         ("Cookie", "s=1; t=2")], b"")
    optimized = MANAGED_CACHE_POLICIES["658327ea-f89d-4fab-a63d-7e88639e58f6"]
    bare = forwarded(req, {}, optimized, None, "o.example")
    assert [k for k, _ in bare.headers] == ["Host", "Range", "X-Forwarded-For", "Via"] and bare.querystring == ""
    assert ("Host", "o.example") in bare.headers and ("X-Forwarded-For", "1.2.3.4") in bare.headers
    all_viewer = forwarded(req, {}, optimized, MANAGED_ORIGIN_REQUEST_POLICIES["216adef6-5c7f-47e4-b989-5492eafa07d3"],
                           "o.example")
    assert ("X-Viewer", "v") in all_viewer.headers and all_viewer.querystring == "a=1&b=2"
    assert ("Cookie", "s=1; t=2") in all_viewer.headers
    assert ("Host", "d") in all_viewer.headers  # AllViewer forwards the viewer's Host
    legacy = forwarded(req, {"ForwardedValues": {"QueryString": True, "Headers": {"Quantity": 1, "Items": ["X-Viewer"]},
                                                 "Cookies": {"Forward": "whitelist",
                                                             "WhitelistedNames": {"Quantity": 1, "Items": ["t"]}}}},
                       None, None, "o.example")
    assert ("X-Viewer", "v") in legacy.headers and ("Cookie", "t=2") in legacy.headers
    assert legacy.querystring == "a=1&b=2"


def test_cloudfront_headers_about_the_viewer_when_a_policy_names_them():
    from overcast.services.cloudfront.forwarding import forwarded
    from overcast.services.cloudfront.policies import MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES

    req = EdgeRequest("1.2.3.4", "GET", "/p", "", [("Host", "d"), ("X-Overcast-Viewer-Country", "pt"),
                                                   ("CloudFront-Viewer-Country", "XX")], b"")
    optimized = MANAGED_CACHE_POLICIES["658327ea-f89d-4fab-a63d-7e88639e58f6"]
    with_headers = MANAGED_ORIGIN_REQUEST_POLICIES["33f36d7e-f396-46d9-90e0-52428a34d9dc"]  # ...AndCloudFrontHeaders
    sent = forwarded(req, {}, optimized, with_headers, "o.example").headers
    assert [v for k, v in sent if k.lower() == "cloudfront-viewer-country"] == ["PT"]  # the viewer's own is dropped
    plain = forwarded(req, {}, optimized, None, "o.example").headers
    assert not [k for k, _ in plain if k.lower().startswith("cloudfront-")]
