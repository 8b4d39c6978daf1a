"""After a restart: carry every stack operation that was in progress to a final status (see
`operations.py` for what resuming means in each phase)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from overcast.platform import Platform
from overcast.services.cloudformation.store import StackStore

log = logging.getLogger("overcast.cloudformation")

IDLE = 3600.0


def recovery_loop(platform: Platform) -> Callable[[], Awaitable[None]]:
    resumed = False

    async def loop() -> None:
        nonlocal resumed
        if not resumed:
            resumed = True
            resume_all(platform)
        await platform.signals.wait("cloudformation:never", IDLE)

    return loop


def resume_all(platform: Platform) -> None:
    from overcast.services.cloudformation.operations import run_operation

    for stack in platform.component(StackStore).in_progress():
        log.info("resuming stack %s (%s)", stack["StackName"], stack["StackStatus"])
        engine = platform.engine
        if engine is not None:
            engine.spawn(f"cloudformation:{stack['StackId']}",
                         run_operation(platform, stack["StackId"], resume=True))
