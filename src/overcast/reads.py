"""A hosted service's operation called in process by overcast's own views of what exists (the status
view, Config's recorder): the service method's output as it returns it, read as an AWS client would;
an error (the resource went away meanwhile) reads as nothing."""

from __future__ import annotations

import inspect
import logging
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError

log = logging.getLogger("overcast.reads")


async def read(gateway: Any, service: str, operation: str, ctx: RequestContext, **kwargs: Any) -> dict[str, Any]:
    """`service`'s method `operation` (snake_case) with `kwargs`; {} when it fails."""
    try:
        result = getattr(gateway.api(service), operation)(ctx.internal(service, operation), **kwargs)
        if inspect.isawaitable(result):
            result = await result
    except ServiceError as error:
        log.debug("%s.%s read in process: %s", service, operation, error.message)
        return {}
    return dict(result or {})


async def read_pages(gateway: Any, service: str, operation: str, ctx: RequestContext, items: str,
                     token_in: str, token_out: str, **kwargs: Any) -> list[Any]:
    """The `items` of every page of a list operation."""
    found: list[Any] = []
    token = None
    while True:
        page = await read(gateway, service, operation, ctx, **kwargs, **({token_in: token} if token else {}))
        found += page.get(items, [])
        token = page.get(token_out)
        if not token:
            return found
