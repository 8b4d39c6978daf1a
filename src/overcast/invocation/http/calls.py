"""A front door's synchronous call to a function: invoke, wait at most the integration timeout,
and classify what went wrong (front doors answer each case with their own status)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from overcast import tracing
from overcast.invocation import traces
from overcast.platform import Platform

log = logging.getLogger("overcast.frontdoor")

_APIGW_URI = re.compile(r"^arn:aws[a-zA-Z-]*:apigateway:[a-z0-9-]+:lambda:path/[0-9-]+/functions/(?P<fn>.+?)"
                        r"/invocations/?$")


#: the status API Gateway answers each failure with (as the stage's segment records it)
_STATUS = {"function": 502, "throttled": 429, "invoke": 500, "timeout": 504}


class IntegrationFailure(Exception):
    """Why a call produced no usable answer: `function` (the function raised or timed out),
    `throttled`, `invoke` (Lambda refused the call), `timeout` (the integration timeout passed)."""

    def __init__(self, kind: str, detail: str = "", payload: bytes = b"") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.payload = payload


@dataclass
class CallResult:
    payload: bytes
    request_id: str


def function_arn(uri: str) -> str:
    """The function an integration URI names: API Gateway's
    `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`, or an ARN/name."""
    match = _APIGW_URI.match(uri or "")
    return match.group("fn") if match else uri


class FrontDoorCalls:
    """Runs front-door invocations; an invocation outliving its integration timeout keeps running to
    completion in the background, as on AWS (`platform.component(FrontDoorCalls)`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._orphans: set[asyncio.Future[Any]] = set()

    async def invoke(self, function: str, event: Any, *, account: str, region: str,
                     timeout: float | None, request_id: str | None = None, trace: str | None = None,
                     stage: tuple[str, str] | None = None, on_behalf: dict[str, str] | None = None) -> CallResult:
        """Invoke `function` (name or ARN, maybe qualified) with `event` (JSON-encoded here).
        `timeout` is real seconds (integration timeouts are not AWS timers to scale); `trace` the
        request's X-Amzn-Trace-Id, which the invocation continues. `stage` (`api-id/stage`, the
        stage's ARN): an API Gateway stage, recorded as the X-Ray segment the invocation hangs under.
        `on_behalf` (`delivery.as_service(...)` or `delivery.as_role(...)`): the service principal the
        function's policy must allow, or the role whose policies must allow `lambda:InvokeFunction`,
        when IAM is evaluated (docs/iam.md); a refusal is an `invoke` failure whose detail starts
        with `AccessDeniedException: `."""
        if on_behalf is not None and self.platform.config.iam != "off":
            self._authorize(function, account, region, on_behalf)
        if stage is None or not trace:
            return await self._invoke(function, event, account=account, region=region, timeout=timeout,
                                      request_id=request_id, trace=trace)
        seg_id, start, status = tracing.new_id(), self.platform.clock.now(), 200
        try:
            return await self._invoke(function, event, account=account, region=region, timeout=timeout,
                                      request_id=request_id, trace=tracing.with_parent(trace, seg_id))
        except IntegrationFailure as failure:
            status = _STATUS.get(failure.kind, 500)
            raise
        finally:
            traces.record_stage(self.platform, stage=stage, account=account, region=region, header=trace,
                                seg_id=seg_id, start=start, status=status)

    async def _invoke(self, function: str, event: Any, *, account: str, region: str,
                      timeout: float | None, request_id: str | None, trace: str | None) -> CallResult:
        from overcast.invocation.sync import Invoker
        from overcast.services.lambda_.errors import LambdaError, TooManyRequests
        from overcast.services.lambda_.names import parse_function

        try:
            ref = parse_function(function, account, region)
        except LambdaError as exc:
            raise IntegrationFailure("invoke", exc.message) from None
        payload = event if isinstance(event, bytes) else json.dumps(event).encode()
        task = asyncio.ensure_future(self.platform.component(Invoker).invoke(ref, payload, request_id=request_id,
                                                                                   trace=trace))
        try:
            done, _ = await asyncio.wait({task}, timeout=timeout)
        except asyncio.CancelledError:
            self._orphan(task)
            raise
        if not done:
            self._orphan(task)
            raise IntegrationFailure("timeout", f"no answer within {timeout:.3f} s")
        try:
            outcome = task.result()
        except TooManyRequests as exc:
            raise IntegrationFailure("throttled", exc.message) from None
        except LambdaError as exc:
            raise IntegrationFailure("invoke", f"{exc.code}: {exc.message}") from None
        if outcome.function_error:
            raise IntegrationFailure("function", outcome.function_error, outcome.payload)
        return CallResult(outcome.payload, outcome.request_id)

    def _authorize(self, function: str, account: str, region: str, on_behalf: dict[str, str]) -> None:
        """Lambda refuses the call (API Gateway: 500) when the function's policy does not allow the
        front door's service principal for this source (`--iam enforce`)."""
        from overcast.services.iam.deliveries import authorize_delivery
        from overcast.services.lambda_.errors import LambdaError
        from overcast.services.lambda_.names import parse_function

        try:
            arn = parse_function(function, account, region).qualified_arn()
        except LambdaError:
            return  # the invocation reports the bad name
        refused = authorize_delivery(self.platform, arn, on_behalf)
        if refused is not None:
            log.warning("a front door may not invoke %s: %s", arn, refused)
            raise IntegrationFailure("invoke", f"AccessDeniedException: {refused}")

    def _orphan(self, task: asyncio.Future[Any]) -> None:
        self._orphans.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._orphans.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.info("a front-door invocation that outlived its caller failed: %s", task.exception())
