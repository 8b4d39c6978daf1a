"""Serving distributions: `http://localhost:4566/_aws/cloudfront/{id}/{path}` and
`http://{id}.cloudfront.localhost:4566/{path}`.

One request goes as on CloudFront: pick the cache behaviour by path pattern; the viewer-request
function (CloudFront Function or Lambda@Edge); the cache (a hit skips the origin); on a miss the
origin-request function, the origin, the origin-response function, and the answer cached by its
TTL; custom error responses; the viewer-response function; CloudFront's headers."""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from overcast.edge.messages import Request, Response
from overcast.platform import Platform
from overcast.services.cloudfront.api_base import items
from overcast.services.cloudfront.cache import CACHEABLE, EdgeCache, Entry, cache_key, ttl_of
from overcast.services.cloudfront.edge_calls import run_request_event, run_response_event
from overcast.services.cloudfront.forwarding import forwarded, origin_policy_of
from overcast.services.cloudfront.lambda_edge import EdgeRequest
from overcast.services.cloudfront.models import CloudFrontStore
from overcast.services.cloudfront.origins import OriginRequest, OriginUnreachable, fetch, kind_of
from overcast.services.cloudfront.pages import EdgeFailure, failure, reason, request_id, stamp
from overcast.services.cloudfront.response_headers import apply as apply_headers_policy
from overcast.services.cloudfront.response_headers import policy_config
from overcast.services.cloudfront.routing import (
    allowed_methods,
    behaviour_for,
    cache_policy,
    origin_of,
    origins_for,
    ttls,
)
from overcast.services.cloudfront.viewer_access import (
    SignedAccess,
    check_signature,
    geo_blocked,
    protocol_answer,
    signing_values,
    unsigned_query,
    viewer_is_https,
)

CF_PATH = "/_aws/cloudfront/"
HOST_SUFFIX = ".cloudfront.localhost"
#: Headers that describe the connection, not the request, and are not handed to functions.
_CONNECTION = frozenset({"connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"})


def _split(req: Request) -> tuple[str, str]:
    """(distribution id, raw path) from the path form or the host form."""
    if req.raw_path.startswith(CF_PATH):
        dist_id, _, rest = req.raw_path[len(CF_PATH):].partition("/")
        return dist_id, f"/{rest}"
    host = req.hostname
    return host[: -len(HOST_SUFFIX)] if host.endswith(HOST_SUFFIX) else host.split(".", 1)[0], req.raw_path or "/"


async def handle(platform: Platform, req: Request) -> Response:
    dist_id, raw_path = _split(req)
    return await serve_distribution(platform, req, dist_id, raw_path)


async def serve_distribution(platform: Platform, req: Request, dist_id: str, raw_path: str) -> Response:
    """Serve `raw_path` of distribution `dist_id` (from the shared port or the distribution's own)."""
    cf_id = request_id()
    found = platform.component(CloudFrontStore).find_distribution(dist_id)
    if found is None or not found[1]["DistributionConfig"]["Enabled"]:
        return failure("disabled", cf_id)
    account, dist = found
    headers = [(k, v) for k, v in req.headers.items() if k.lower() not in _CONNECTION]
    target = req.raw_path + (f"?{req.query_string}" if req.query_string else "")
    viewer_info = _Viewer(viewer_is_https(req.scheme, headers), req.host, target, raw_path, req.raw_path)
    root = dist["DistributionConfig"].get("DefaultRootObject") or ""
    if raw_path == "/" and root:
        raw_path = f"/{root}"
    headers = [("Host", dist["DomainName"]) if k.lower() == "host" else (k, v) for k, v in headers]
    viewer = EdgeRequest(req.client, req.method, raw_path, req.query_string, headers, req.body)
    flow = _Flow(platform, account, dist, cf_id)
    try:
        return await flow.run(viewer, viewer_info)
    except EdgeFailure as exc:
        return failure(exc.kind, cf_id, exc.detail)


@dataclass
class _Viewer:
    """How the viewer reached the edge: on HTTPS or not, the Host it named, the URL it asked for
    (path and query, as sent), the path within the distribution, and the full local path."""

    https: bool
    host: str
    target: str
    path: str
    local_path: str


class _Flow:
    def __init__(self, platform: Platform, account: str, dist: dict[str, Any], cf_id: str) -> None:
        self.platform = platform
        self.account = account
        self.dist = dist
        self.config = dist["DistributionConfig"]
        self.cf_id = cf_id
        self.store = platform.component(CloudFrontStore)
        self.cache = platform.component(EdgeCache)

    def _cf_config(self, event_type: str) -> dict[str, Any]:
        return {"distributionDomainName": self.dist["DomainName"], "distributionId": self.dist["Id"],
                "eventType": event_type, "requestId": self.cf_id}

    async def run(self, viewer: EdgeRequest, info: _Viewer) -> Response:
        behaviour = behaviour_for(self.config, viewer.uri)
        refused = self._viewer_refusal(behaviour, viewer, info)
        if refused is not None:
            return refused if refused.status != 403 or refused.header("X-Cache") == "Redirect from cloudfront" \
                else await self._custom_error(refused)
        allowed, cached_methods = allowed_methods(behaviour)
        if viewer.method not in allowed:
            return failure("method", self.cf_id)
        outcome = await run_request_event(self.platform, self.account, behaviour, "viewer-request", viewer,
                                          self._cf_config("viewer-request"), None)
        if isinstance(outcome, Response):
            stamp(outcome, self.cf_id, "LambdaGeneratedResponse from cloudfront")
            return outcome  # a generated viewer-request response skips the viewer-response event
        request = outcome
        policy = cache_policy(behaviour, lambda pid: self.store.docs.get(self.account, "us-east-1",
                                                                          "cache-policy", pid))
        key = cache_key(behaviour, policy, request.method, request.uri, _query_pairs(request.querystring),
                        {k.lower(): v for k, v in request.headers}, _cookies(request.headers))
        cacheable = request.method in cached_methods and request.method in ("GET", "HEAD")
        entry = self.cache.get(self.dist["Id"], key) if cacheable else None
        if entry is not None:
            response = Response(entry.status, list(entry.headers), entry.body)
            age = int(self.platform.clock.now() - entry.stored_at)
            response.set_header("Age", str(age))
            x_cache = "Hit from cloudfront"
        else:
            custom = lambda pid: self.store.docs.get(self.account, "us-east-1", "origin-request-policy", pid)  # noqa: E731
            origin = origin_of(self.config, behaviour)
            domain = origin["DomainName"] if origin else ""
            to_origin = forwarded(request, behaviour, policy, origin_policy_of(behaviour, custom), domain)
            response = await self._from_origin(behaviour, to_origin)
            x_cache = "Miss from cloudfront"
            if cacheable and response.status in CACHEABLE:
                now = self.platform.clock.now()
                ttl = ttl_of(response.headers, ttls(behaviour, policy), now)
                if response.status >= 400 and not _has_caching_headers(response):
                    ttl = self._error_caching_ttl(response.status)
                if ttl > 0:
                    body = response.body if isinstance(response.body, bytes) else b""
                    self.cache.put(self.dist["Id"], key, Entry(response.status, list(response.headers), body, now,
                                                               self.platform.clock.later(ttl), request.uri))
        if response.status >= 400:
            response = await self._custom_error(response)
        headers_policy = policy_config(behaviour, lambda pid: self.store.docs.get(
            self.account, "us-east-1", "response-headers-policy", pid))
        if headers_policy is not None:
            apply_headers_policy(headers_policy, response, request.method, viewer.headers)
        response = await run_response_event(self.platform, self.account, behaviour, "viewer-response", request,
                                            response, self._cf_config("viewer-response"), None)
        if request.method == "HEAD":
            response.body = b""
        stamp(response, self.cf_id, x_cache)
        return response

    def _viewer_refusal(self, behaviour: dict[str, Any], viewer: EdgeRequest, info: _Viewer) -> Response | None:
        """CloudFront's own refusals, before any function runs: the viewer protocol policy, the
        geographic restriction, a signed URL or signed cookies that do not pass."""
        answer = protocol_answer(behaviour, info.https, info.host, info.target, self.cf_id)
        if answer is not None:
            return answer
        if geo_blocked(self.config, viewer.headers):
            return failure("geo", self.cf_id)
        trusted = behaviour.get("TrustedKeyGroups") or {}
        if not (trusted.get("Enabled") and items(trusted)):
            return None
        query = unsigned_query(viewer.querystring)
        suffix = f"?{query}" if query else ""
        hosts = [(self.dist["DomainName"], info.path), *[(a, info.path) for a in items(self.config.get("Aliases"))],
                 (info.host, info.local_path)]
        urls = [f"{scheme}://{host}{path}{suffix}" for host, path in hosts for scheme in ("https", "http")]
        access = SignedAccess(urls, viewer.client_ip, self.platform.clock.now(),
                              lambda key_id: self._trusted_key(items(trusted), key_id))
        return check_signature(signing_values(viewer.querystring, _cookies(viewer.headers)), access, self.cf_id)

    def _trusted_key(self, group_ids: list[str], key_id: str) -> str | None:
        """The PEM of a public key in one of the behaviour's trusted key groups."""
        for group_id in group_ids:
            group = self.store.docs.get(self.account, "us-east-1", "key-group", group_id)
            if group and key_id in (group["KeyGroupConfig"].get("Items") or []):
                key = self.store.docs.get(self.account, "us-east-1", "public-key", key_id)
                return key["PublicKeyConfig"]["EncodedKey"] if key else None
        return None

    async def _from_origin(self, behaviour: dict[str, Any], request: EdgeRequest) -> Response:
        """The origin's answer; for an origin group, the next member's when the one before is
        unreachable or answers a failover status (GET, HEAD and OPTIONS requests only, as on AWS)."""
        members, failover = origins_for(self.config, behaviour)
        if not members:
            return failure("origin", self.cf_id)
        for index, origin in enumerate(members):
            last = index == len(members) - 1 or request.method not in ("GET", "HEAD", "OPTIONS")
            response = await self._from_one_origin(behaviour, request, origin)
            if last or (response is not None and response.status not in failover):
                return response or failure("origin", self.cf_id)
        return failure("origin", self.cf_id)  # pragma: no cover - the loop returns on its last member

    async def _from_one_origin(self, behaviour: dict[str, Any], request: EdgeRequest,
                               origin: dict[str, Any]) -> Response | None:
        """One origin's answer through the origin-request and origin-response events; None when
        the origin cannot be reached."""
        kind = kind_of(origin)
        outcome = await run_request_event(self.platform, self.account, behaviour, "origin-request", request,
                                          self._cf_config("origin-request"), (origin, kind))
        if isinstance(outcome, Response):
            return outcome  # generated by origin-request: cached, no origin-response event
        request = outcome
        try:
            response = await fetch(self.platform, origin, OriginRequest(request.method, request.uri,
                                                                        request.querystring, request.headers,
                                                                        request.body))
        except OriginUnreachable:
            return None
        if not response.header("Server") and kind == "s3":
            response.headers.append(("Server", "AmazonS3"))
        return await run_response_event(self.platform, self.account, behaviour, "origin-response", request,
                                        response, self._cf_config("origin-response"), (origin, kind))

    def _error_caching_ttl(self, status: int) -> float:
        """How long an error without caching headers is cached: the custom error response's
        ErrorCachingMinTTL, else AWS's default of 10 seconds."""
        custom = next((c for c in items(self.config.get("CustomErrorResponses")) if int(c["ErrorCode"]) == status),
                      None)
        value = (custom or {}).get("ErrorCachingMinTTL")
        return float(value) if value is not None else 10.0

    async def _custom_error(self, response: Response) -> Response:
        """The distribution's custom error response for the status: its page (fetched through the
        behaviour that serves the page's path) and response code."""
        custom = next((c for c in items(self.config.get("CustomErrorResponses"))
                       if int(c["ErrorCode"]) == response.status), None)
        if custom is None or not custom.get("ResponsePagePath"):
            return response
        page_path = custom["ResponsePagePath"]
        behaviour = behaviour_for(self.config, page_path)
        origin = origin_of(self.config, behaviour)
        if origin is None:
            return response
        try:
            page = await fetch(self.platform, origin, OriginRequest("GET", page_path, "", [], b""))
        except OriginUnreachable:
            return response
        if page.status >= 400:
            return response
        code = custom.get("ResponseCode")
        page.status = int(code) if code else response.status
        return page


def _has_caching_headers(response: Response) -> bool:
    return any(k.lower() in ("cache-control", "expires") for k, _ in response.headers)


def _query_pairs(query: str) -> list[tuple[str, str]]:
    from overcast.edge.messages import parse_form

    return parse_form(query)


def _cookies(headers: list[tuple[str, str]]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in headers:
        if name.lower() == "cookie":
            try:
                jar.load(value)
            except Exception:  # a malformed Cookie header counts as no cookies
                continue
    return {k: m.value for k, m in jar.items()}


__all__ = ["handle", "reason"]
