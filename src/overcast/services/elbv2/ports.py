"""Listeners on their own ports: when a listener asks for a port that is free on overcast's host
(127.0.0.1 by default), the load balancer is served there too, by a small HTTP server (uvicorn's
protocol on an asyncio server) owned by a background loop that follows listener changes. A port
that is taken (or privileged) is skipped; the shared-port URL forms always work."""

from __future__ import annotations

import json
import logging
from typing import Any

from overcast.edge.messages import Request, Response
from overcast.invocation.http.ports import MAX_READ, OwnPorts
from overcast.invocation.http.responses import elb_error
from overcast.platform import Platform
from overcast.services.elbv2.models import CHANGED, TABLE

log = logging.getLogger("overcast.elbv2")

__all__ = ["MAX_READ", "PortListeners", "ports_loop"]  # MAX_READ: a larger body is answered 413 (Lambda takes 1 MB)


class PortListeners(OwnPorts):
    """`platform.component(PortListeners)`: port → running server, and the load balancer served."""

    what = "load balancer"

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform, log)

    def desired(self) -> dict[int, str]:
        """Listener port → load balancer name, for every listener of every account and region."""
        names = {}
        for row in self.platform.db.query(f"SELECT doc FROM {TABLE} WHERE kind='lb'"):
            doc = json.loads(row["doc"])
            names[doc["LoadBalancerArn"]] = doc["LoadBalancerName"]
        wanted: dict[int, str] = {}
        for row in self.platform.db.query(f"SELECT doc FROM {TABLE} WHERE kind='listener'"):
            doc = json.loads(row["doc"])
            if doc["LoadBalancerArn"] in names and doc["Port"] != self.platform.config.port:
                wanted.setdefault(int(doc["Port"]), names[doc["LoadBalancerArn"]])
        return wanted

    def too_large(self) -> Response:
        return elb_error(413)

    async def answer(self, req: Request, port: int, served: str) -> Response:
        from overcast.services.elbv2.dataplane import serve

        return await serve(self.platform, req, served, port, req.raw_path.split("?", 1)[0] or "/")


def ports_loop(platform: Platform) -> Any:
    """Follow listener changes (woken by ElbStore's signal; a periodic check retries taken ports)."""

    async def loop() -> None:
        await platform.component(PortListeners).reconcile()
        await platform.signals.wait(CHANGED, 30.0)

    return loop
