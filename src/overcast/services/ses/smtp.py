"""SES receiving over SMTP: with `OVERCAST_SES_SMTP_PORT` set, overcast listens on that port (on its
host) with aiosmtpd's SMTP protocol, on the platform's own event loop, and runs each message through
the active receipt rule set of the default account and region (as `POST /_overcast/ses/inbound` does).
SES answers 250 once it has the message, as it does once the message is safely received."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from overcast.platform import Platform
from overcast.services.ses.receiving import Receiver

log = logging.getLogger("overcast.ses")


class _Handler:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        config = self.platform.config
        receiver = Receiver(self.platform, config.default_account, config.default_region)
        peer = session.peer[0] if isinstance(session.peer, tuple) else "127.0.0.1"
        try:
            await receiver.receive(envelope.original_content or envelope.content, list(envelope.rcpt_tos),
                                   envelope.mail_from, source_ip=peer)
        except Exception as error:  # an unreadable message: refuse it, as an SMTP server does
            log.warning("ses: SMTP message refused: %s", error)
            return "554 Transaction failed"
        return "250 Ok"


def smtp_loops(platform: Platform) -> list[Any]:
    """The SMTP listener as a background loop (none when the port is not configured)."""
    port = platform.config.ses_smtp_port
    if not port:
        return []

    async def serve() -> None:
        from aiosmtpd.smtp import SMTP

        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(_Handler(platform), decode_data=False),
                                          platform.config.host, port)
        log.warning("ses: SMTP receiving on %s:%d", platform.config.host, port)
        try:
            await asyncio.Event().wait()
        finally:
            server.close()

    return [serve]
