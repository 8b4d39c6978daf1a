"""Function URLs in RESPONSE_STREAM mode: the response goes out as the function writes it.

A Node.js handler wrapped in `awslambda.streamifyResponse` that calls
`awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies})` writes a JSON prelude
and eight NUL bytes before its body (content type `application/vnd.awslambda.http-integration-response`):
the prelude gives the HTTP status and headers, the rest is the body, chunk by chunk. A stream
without the prelude is a 200 with the stream's content type; a function that does not stream is
answered like a BUFFERED URL's. See
https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from overcast.invocation.http.responses import MalformedResponse, v2_response
from overcast.platform import Platform

HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response"
SEPARATOR = b"\0" * 8
Answer = tuple[int, list[tuple[str, str]], bytes | AsyncIterator[bytes]]
FAILED: Answer = (502, [("Content-Type", "text/plain")], b"Internal Server Error")


async def _chunks(queue: asyncio.Queue[bytes | None], first: bytes, task: asyncio.Future[Any]) -> AsyncIterator[bytes]:
    if first:
        yield first
    while (chunk := await queue.get()) is not None:
        yield chunk
    await asyncio.wait({task})  # the invocation's logs and bookkeeping finish with it


async def _prelude(queue: asyncio.Queue[bytes | None]) -> tuple[dict[str, Any], bytes]:
    """The JSON prelude and what followed its separator in the same chunk."""
    buffered = b""
    while SEPARATOR not in buffered:
        chunk = await queue.get()
        if chunk is None:
            return {}, buffered
        buffered += chunk
    head, _, rest = buffered.partition(SEPARATOR)
    try:
        prelude = json.loads(head or b"{}")
    except ValueError:
        prelude = {}
    return prelude if isinstance(prelude, dict) else {}, rest


def _headers(prelude: dict[str, Any]) -> list[tuple[str, str]]:
    headers = [(str(k), str(v)) for k, v in (prelude.get("headers") or {}).items()]
    headers += [("Set-Cookie", str(cookie)) for cookie in prelude.get("cookies") or []]
    return headers


async def stream(platform: Platform, function: str, event: dict[str, Any], *, account: str, region: str,
                 request_id: str, trace: str | None = None) -> Answer:
    """Invoke `function` with a function URL's event and answer as it streams."""
    from overcast.execution.environment import StreamSink
    from overcast.invocation.sync import Invoker
    from overcast.services.lambda_.errors import LambdaError, TooManyRequests
    from overcast.services.lambda_.names import parse_function

    sink = StreamSink(started=asyncio.get_running_loop().create_future())
    try:
        ref = parse_function(function, account, region)
    except LambdaError:
        return FAILED
    task = asyncio.ensure_future(platform.component(Invoker).invoke(
        ref, json.dumps(event).encode(), request_id=request_id, sink=sink, trace=trace))
    waiting: set[asyncio.Future[Any]] = {task, sink.started}
    await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    if not sink.started.done():
        try:
            outcome = task.result()
        except TooManyRequests:
            return 429, [("Content-Type", "application/json")], b'{"Message":"Rate Exceeded."}'
        except LambdaError:
            return 500, [("Content-Type", "text/plain")], b"Internal Server Error"
        if outcome.function_error:
            return FAILED
        try:
            response = v2_response(outcome.payload, compact=True)
        except MalformedResponse:
            return FAILED
        return response.status, response.headers, response.body
    content_type = sink.started.result()
    if content_type == HTTP_INTEGRATION:
        prelude, first = await _prelude(sink.chunks)
        return int(prelude.get("statusCode") or 200), _headers(prelude), _chunks(sink.chunks, first, task)
    return 200, [("Content-Type", content_type)], _chunks(sink.chunks, b"", task)
