"""Fetching from a distribution's origin, always inside overcast: an S3 bucket's domain name is
overcast's S3, an API Gateway stage or a function URL domain its own front doors, and a
`localhost` / `127.0.0.1` URL is fetched over HTTP. A real AWS host is never contacted: such an
origin answers 502, as an unreachable origin does on CloudFront."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from overcast.edge.messages import Headers, Request, Response
from overcast.platform import Platform

_S3 = re.compile(r"^(?P<bucket>.+?)\.s3(?:[.-](?:website[.-]|dualstack\.)?(?P<region>[a-z0-9-]+))?\.amazonaws\.com$")
_EXECUTE_API = re.compile(r"^(?P<api>[a-z0-9]+)\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$")
_LAMBDA_URL = re.compile(r"^(?P<id>[a-z0-9]+)\.lambda-url\.(?P<region>[a-z0-9-]+)\.on\.aws$")
_LOCAL = ("localhost", "127.0.0.1", "::1")
#: Headers CloudFront does not pass to an origin as the viewer sent them.
_HOP = frozenset({"host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade",
                  "proxy-connection", "te", "trailer"})


class OriginUnreachable(Exception):
    """The origin could not be reached (CloudFront answers 502)."""


@dataclass
class OriginRequest:
    method: str
    uri: str                      # the path, percent-encoded
    querystring: str
    headers: list[tuple[str, str]]
    body: bytes


def kind_of(origin: dict[str, Any]) -> str:
    """`s3` for an S3 bucket origin (S3OriginConfig or an S3 domain name), else `custom`."""
    return "s3" if "S3OriginConfig" in origin and _S3.match(origin["DomainName"]) else "custom"


async def fetch(platform: Platform, origin: dict[str, Any], request: OriginRequest) -> Response:
    """The origin's answer to `request` (OriginPath prepended), body read in full."""
    domain = origin["DomainName"].lower()
    path = (origin.get("OriginPath") or "") + request.uri
    headers = [(k, v) for k, v in request.headers if k.lower() not in _HOP]
    for custom in (origin.get("CustomHeaders") or {}).get("Items") or []:
        headers.append((custom["HeaderName"], custom["HeaderValue"]))
    s3 = _S3.match(domain)
    if s3:
        return await _in_process(platform, request, f"/{s3.group('bucket')}{path}", "localhost", headers)
    api = _EXECUTE_API.match(domain)
    if api:
        return await _in_process(platform, request, path, f"{api.group('api')}.execute-api.localhost", headers)
    url = _LAMBDA_URL.match(domain)
    if url:
        host = f"{url.group('id')}.lambda-url.{url.group('region')}.localhost"
        return await _in_process(platform, request, path, host, headers)
    host, _, port = domain.partition(":")
    if host in _LOCAL or host.endswith(".localhost"):
        return await _over_http(origin, host, port, path, request, headers)
    raise OriginUnreachable(f"overcast does not contact {domain}")


async def _in_process(platform: Platform, request: OriginRequest, path: str, host: str,
                      headers: list[tuple[str, str]]) -> Response:
    raw_path = quote(path, safe="/%+=&;:@!$'()*,~-._")
    req = Request(method=request.method, raw_path=raw_path, query_string=request.querystring,
                  headers=Headers([("host", host), *headers]), body=request.body)

    async def read_body(_req: Request, _stream: bool) -> None:
        return None

    gateway = platform.gateway
    if gateway is None:
        raise OriginUnreachable("no gateway")
    response = await gateway.handle(req, read_body)
    if not isinstance(response.body, bytes):
        response.body = b"".join([chunk async for chunk in response.body])
    return response


async def _over_http(origin: dict[str, Any], host: str, port: str, path: str, request: OriginRequest,
                     headers: list[tuple[str, str]]) -> Response:
    from overcast.invocation.http.forward import ForwardError, forward

    config = origin.get("CustomOriginConfig") or {}
    scheme = "https" if config.get("OriginProtocolPolicy") == "https-only" else "http"
    number = port or str(config.get("HTTPSPort" if scheme == "https" else "HTTPPort") or (443 if scheme == "https"
                                                                                           else 80))
    url = f"{scheme}://{host}:{number}{path}" + (f"?{request.querystring}" if request.querystring else "")
    timeout = float(config.get("OriginReadTimeout") or 30)
    try:
        return await forward(request.method, url, [("Host", f"{host}:{number}"), *headers], request.body, timeout)
    except ForwardError as exc:
        raise OriginUnreachable(str(exc)) from None
