"""Config's own reads and writes of S3 objects (conformance pack templates, configuration
snapshots), through S3's API in process, as AWS Config's service principal would."""

from __future__ import annotations

import inspect
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform


async def read_object(platform: Platform, ctx: RequestContext, bucket: str, key: str) -> bytes | None:
    """The object's bytes, or None when it cannot be read."""
    gateway = platform.gateway
    if gateway is None or "s3" not in gateway.specs:
        return None
    try:
        out = gateway.api("s3").get_object(ctx.internal("s3", "GetObject"), bucket=bucket, key=key)
        if inspect.isawaitable(out):
            out = await out
    except ServiceError:
        return None
    body = out.get("Body")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    chunks = []
    if hasattr(body, "__aiter__"):
        async for chunk in body:
            chunks.append(chunk)
    elif body is not None:
        chunks = list(body)
    return b"".join(chunks)


async def write_object(platform: Platform, ctx: RequestContext, bucket: str, key: str, data: bytes,
                       content_type: str = "application/json") -> bool:
    """Put the object; False when S3 refuses (no such bucket...)."""
    gateway = platform.gateway
    if gateway is None or "s3" not in gateway.specs:
        return False
    try:
        out: Any = gateway.api("s3").put_object(ctx.internal("s3", "PutObject"), bucket=bucket, key=key, body=data,
                                                content_type=content_type)
        if inspect.isawaitable(out):
            await out
    except ServiceError:
        return False
    return True
