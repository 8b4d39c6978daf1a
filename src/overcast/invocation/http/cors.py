"""CORS as HTTP APIs and function URLs apply it (their `Cors` configuration): preflight requests
are answered by the front door; actual responses get the allow/expose headers."""

from __future__ import annotations

from typing import Any

from overcast.edge.messages import Response
from overcast.invocation.http.request import HttpCall


def _origin_allowed(config: dict[str, Any], origin: str) -> str | None:
    allowed = [o.rstrip("/") for o in config.get("AllowOrigins") or []]
    if "*" in allowed:
        return origin if config.get("AllowCredentials") else "*"
    return origin if origin.rstrip("/") in allowed else None


def is_preflight(call: HttpCall) -> bool:
    return call.method == "OPTIONS" and bool(call.header("origin")) and bool(
        call.header("access-control-request-method"))


def preflight(config: dict[str, Any], call: HttpCall) -> Response:
    """The answer to an OPTIONS preflight (204; CORS headers only when the origin is allowed)."""
    headers: list[tuple[str, str]] = []
    origin = _origin_allowed(config, call.header("origin") or "")
    if origin is not None:
        headers.append(("Access-Control-Allow-Origin", origin))
        methods = config.get("AllowMethods") or []
        requested = call.header("access-control-request-method") or ""
        if methods:
            headers.append(("Access-Control-Allow-Methods", ",".join(methods) if "*" not in methods else requested))
        allow_headers = config.get("AllowHeaders") or []
        asked = call.header("access-control-request-headers")
        if allow_headers:
            headers.append(("Access-Control-Allow-Headers",
                            asked if "*" in allow_headers and asked else ",".join(allow_headers)))
        if config.get("MaxAge") is not None:
            headers.append(("Access-Control-Max-Age", str(config["MaxAge"])))
        if config.get("AllowCredentials"):
            headers.append(("Access-Control-Allow-Credentials", "true"))
    return Response(204, headers, b"")


def decorate(config: dict[str, Any], call: HttpCall, response: Response) -> Response:
    """Add CORS headers to an actual response (they replace the function's own)."""
    origin_header = call.header("origin")
    if not origin_header:
        return response
    origin = _origin_allowed(config, origin_header)
    if origin is None:
        return response
    response.set_header("Access-Control-Allow-Origin", origin)
    if config.get("ExposeHeaders"):
        response.set_header("Access-Control-Expose-Headers", ",".join(config["ExposeHeaders"]))
    if config.get("AllowCredentials"):
        response.set_header("Access-Control-Allow-Credentials", "true")
    return response
