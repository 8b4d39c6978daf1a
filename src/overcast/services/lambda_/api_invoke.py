"""Lambda's Invoke (all three invocation types) and the legacy InvokeAsync."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_.api_base import ApiBase
from overcast.services.lambda_.api_durable import invoke_durable
from overcast.services.lambda_.catalogue import error

INVOKE_ASYNC_LIMIT = 262_144         # the legacy InvokeAsync keeps 256 KB


def decode_client_context(value: str | None) -> str | None:
    """X-Amz-Client-Context is base64 JSON; the runtime receives the decoded JSON."""
    if not value:
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode()
        json.loads(decoded)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise error("client_context") from None
    return decoded


class InvokeOperations(ApiBase):
    async def invoke(self, ctx: RequestContext, function_name: str, payload: bytes | None = None,
                     invocation_type: str | None = None, log_type: str | None = None,
                     client_context: str | None = None, qualifier: str | None = None,
                     durable_execution_name: str | None = None, **_: Any) -> dict[str, Any]:
        from overcast.invocation import async_
        from overcast.invocation.sync import ASYNC_PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT, Invoker, check_payload

        ref = self._ref(ctx, function_name, qualifier)
        kind = invocation_type or "RequestResponse"
        invoker = self.platform.component(Invoker)
        if kind == "Event":
            body = check_payload(payload, ASYNC_PAYLOAD_LIMIT, "Event")
            resolved = self.functions.resolve(ref)
            if resolved.config.get("DurableConfig"):  # a durable execution (api_durable.py)
                return await invoke_durable(self.platform, ctx, resolved, kind, body, durable_execution_name)
            if durable_execution_name:
                raise error("function_not_durable", arn=resolved.invoked_arn)
            async_.enqueue(self.platform, resolved, body, request_id=ctx.request_id, trace=ctx.trace_header)
            return {"StatusCode": 202}  # AWS's 202 carries no X-Amz-Executed-Version
        body = check_payload(payload, SYNC_PAYLOAD_LIMIT, "RequestResponse")
        if kind == "DryRun":
            self.functions.resolve(ref)
            return {"StatusCode": 204}
        resolved = self.functions.resolve(ref)
        if resolved.config.get("DurableConfig"):
            return await invoke_durable(self.platform, ctx, resolved, kind, body, durable_execution_name)
        if durable_execution_name:
            raise error("function_not_durable", arn=resolved.invoked_arn)
        outcome = await invoker.invoke(ref, body, tail=log_type == "Tail", resolved=resolved,
                                       client_context=decode_client_context(client_context), request_id=ctx.request_id,
                                       trace=ctx.trace_header)
        ctx.response_headers.append(("Content-Type", outcome.content_type or "application/json"))
        result: dict[str, Any] = {"StatusCode": 200, "Payload": outcome.payload,
                                  "ExecutedVersion": outcome.executed_version}
        if outcome.function_error:
            result["FunctionError"] = outcome.function_error
        if outcome.log_result is not None:
            result["LogResult"] = outcome.log_result
        return result

    def invoke_async(self, ctx: RequestContext, function_name: str, invoke_args: Any) -> dict[str, Any]:
        from overcast.invocation import async_
        from overcast.invocation.sync import check_payload

        raw = invoke_args if isinstance(invoke_args, bytes) else b""
        body = check_payload(raw, INVOKE_ASYNC_LIMIT, "Event")
        resolved = self.functions.resolve(self._ref(ctx, function_name))
        async_.enqueue(self.platform, resolved, body, request_id=ctx.request_id)
        return {"Status": 202}
