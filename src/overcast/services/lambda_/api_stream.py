"""Lambda's InvokeWithResponseStream: the function's response as an event stream of
`PayloadChunk` events, sent as the function writes them (Node.js handlers wrapped in
`awslambda.streamifyResponse`), then `InvokeComplete`. A function that does not stream answers in
one chunk, as on AWS."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_.api_base import ApiBase
from overcast.services.lambda_.api_invoke import decode_client_context


def _complete(outcome: Any) -> dict[str, Any]:
    complete: dict[str, Any] = {}
    if outcome.function_error:
        result = outcome.result
        complete["ErrorCode"] = (result.error_type if result is not None else None) or outcome.function_error
        try:
            document = json.loads(outcome.payload)
            complete["ErrorDetails"] = str(document.get("errorMessage", "")) if isinstance(document, dict) else ""
        except ValueError:
            complete["ErrorDetails"] = outcome.payload.decode("utf-8", "replace")
    if outcome.log_result is not None:
        complete["LogResult"] = outcome.log_result
    return complete


async def _events(task: asyncio.Future[Any], sink: Any) -> AsyncIterator[dict[str, Any]]:
    streamed = sink.started.done()
    if streamed:
        while (chunk := await sink.chunks.get()) is not None:
            yield {"PayloadChunk": {"Payload": chunk}}
    outcome = await task
    if not streamed and not outcome.function_error and outcome.payload:
        yield {"PayloadChunk": {"Payload": outcome.payload}}
    yield {"InvokeComplete": _complete(outcome)}


class ResponseStreamOperations(ApiBase):
    async def invoke_with_response_stream(self, ctx: RequestContext, function_name: str,
                                          payload: bytes | None = None, invocation_type: str | None = None,
                                          log_type: str | None = None, client_context: str | None = None,
                                          qualifier: str | None = None, **_: Any) -> dict[str, Any]:
        from overcast.execution.environment import StreamSink
        from overcast.invocation.sync import SYNC_PAYLOAD_LIMIT, Invoker, check_payload

        ref = self._ref(ctx, function_name, qualifier)
        resolved = self.functions.resolve(ref)
        body = check_payload(payload, SYNC_PAYLOAD_LIMIT, "RequestResponse")
        if invocation_type == "DryRun":
            return {"StatusCode": 204}
        loop = asyncio.get_running_loop()
        sink = StreamSink(started=loop.create_future())
        task = asyncio.ensure_future(self.platform.component(Invoker).invoke(
            ref, body, tail=log_type == "Tail", client_context=decode_client_context(client_context),
            request_id=ctx.request_id, resolved=resolved, sink=sink, trace=ctx.trace_header))
        first: set[asyncio.Future[Any]] = {task, sink.started}
        await asyncio.wait(first, return_when=asyncio.FIRST_COMPLETED)
        if task.done() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]  # a service error (throttled, not found...)
        content_type = sink.started.result() if sink.started.done() else task.result().content_type
        return {"StatusCode": 200, "ExecutedVersion": resolved.executed_version,
                "ResponseStreamContentType": content_type or "application/octet-stream",
                "EventStream": _events(task, sink)}
