"""Distributions on their own ports: a distribution tagged `overcast:port` = `N` is served at
`http://127.0.0.1:N/` too (its paths at the root, as a viewer of the real domain sees them), by a
small HTTP server that a background loop opens and closes as distributions change. A port that is
taken (or privileged) is skipped and logged; the shared-port URL forms always work."""

from __future__ import annotations

import json
import logging
from typing import Any

from overcast.edge.messages import Request, Response
from overcast.invocation.http.ports import OwnPorts
from overcast.platform import Platform
from overcast.services.cloudfront.models import CHANGED, TABLE

log = logging.getLogger("overcast.cloudfront")

#: The tag that asks for a distribution's own port.
PORT_TAG = "overcast:port"


def wanted_port(doc: dict[str, Any]) -> int | None:
    """The port a distribution's `overcast:port` tag asks for, if it is a valid port number."""
    value = next((t.get("Value", "") for t in doc.get("_tags") or [] if t.get("Key") == PORT_TAG), "")
    return int(value) if value.isdigit() and 0 < int(value) < 65536 else None


class DistributionPorts(OwnPorts):
    """`platform.component(DistributionPorts)`: port → running server, and the distribution served
    (viewer request bodies are capped at `OwnPorts`' MAX_READ: CloudFront's own limit is far larger
    for uploads, but Lambda@Edge sees at most 1 MB)."""

    what = "distribution"

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform, log)

    def desired(self) -> dict[int, str]:
        wanted: dict[int, str] = {}
        for row in self.platform.db.query(f"SELECT doc FROM {TABLE} WHERE kind='distribution'"):
            doc = json.loads(row["doc"])
            port = wanted_port(doc)
            if port is not None and port != self.platform.config.port:
                wanted.setdefault(port, doc["Id"])
        return wanted

    def too_large(self) -> Response:
        return Response(413, [("Server", "CloudFront")], b"")

    async def answer(self, req: Request, port: int, served: str) -> Response:
        from overcast.services.cloudfront.dataplane import serve_distribution

        return await serve_distribution(self.platform, req, served, req.raw_path or "/")


def ports_loop(platform: Platform) -> Any:
    """Follow distribution changes (woken by the store's signal; a periodic check retries taken ports)."""

    async def loop() -> None:
        await platform.component(DistributionPorts).reconcile()
        await platform.signals.wait(CHANGED, 30.0)

    return loop
