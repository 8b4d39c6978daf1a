"""The loop that deletes log events once they are older than their group's retention.

Reads already hide expired events; this loop reclaims their space (AWS itself deletes them "up to
72 hours" late). It sleeps until the next event is due to expire, at most one AWS hour, and wakes
early when a retention policy changes.
"""

from __future__ import annotations

from overcast.platform import Platform
from overcast.services.logs.models import RETENTION_SIGNAL, LogStore

MAX_IDLE_AWS_SECONDS = 3600
MIN_WAIT_REAL_SECONDS = 0.05


async def expire_events(platform: Platform) -> None:
    """One round: delete what has expired, then wait for the next expiry or a policy change."""
    due = platform.component(LogStore).expire()
    clock = platform.clock
    wait = clock.scaled(MAX_IDLE_AWS_SECONDS)
    if due is not None:
        wait = min(wait, due - clock.now())
    await platform.signals.wait(RETENTION_SIGNAL, max(wait, MIN_WAIT_REAL_SECONDS))
