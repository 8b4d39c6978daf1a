"""Inside Python execution environments: requests to AWS hosts go to overcast, whatever botocore.

Imported by the zygote (it imports nothing from overcast) and installed in each environment.
botocore versions before `AWS_ENDPOINT_URL` support, and clients given an explicit
`https://<service>.<region>.amazonaws.com` endpoint, would call AWS: their requests are sent over
plain HTTP to the endpoint in `AWS_ENDPOINT_URL`, with the Host header kept so host-based routing
(S3 virtual-hosted buckets) still works. Anything else resolving an AWS hostname gets the
loopback address, so it fails locally instead of reaching AWS.
"""

from __future__ import annotations

import importlib.abc
import re
import socket
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

AWS_HOST = re.compile(r"(^|\.)(amazonaws\.com|amazonaws\.com\.cn|api\.aws|on\.aws)\.?$", re.IGNORECASE)


def is_aws(host: str | None) -> bool:
    return bool(host) and AWS_HOST.search(host or "") is not None


def _patch_botocore(module: Any, endpoint: str) -> None:
    session = getattr(module, "URLLib3Session", None)
    if session is None or getattr(session.send, "_overcast", False):
        return
    original = session.send
    target = urlsplit(endpoint)

    def send(self: Any, request: Any) -> Any:
        parts = urlsplit(request.url)
        if is_aws(parts.hostname):
            if "host" not in request.headers:
                request.headers["Host"] = parts.netloc
            request.url = urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))
        return original(self, request)

    send._overcast = True  # type: ignore[attr-defined]
    session.send = send


def _patched(exec_module: Any, endpoint: str) -> Any:
    def patched(module: Any) -> None:
        exec_module(module)
        _patch_botocore(module, endpoint)

    return patched


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches `botocore.httpsession` when a function imports its own botocore."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "botocore.httpsession":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader.exec_module = _patched(spec.loader.exec_module, self.endpoint)  # type: ignore[method-assign]
                return spec
        return None


def _patch_resolver() -> None:
    original = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, bytes):
            host = host.decode("idna")
        if isinstance(host, str) and is_aws(host):
            host = "127.0.0.1"
        return original(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def install(endpoint: str | None) -> None:
    if not endpoint:
        return
    _patch_resolver()
    if "botocore.httpsession" in sys.modules:
        _patch_botocore(sys.modules["botocore.httpsession"], endpoint)
    else:
        sys.meta_path.insert(0, _PatchOnImport(endpoint))
