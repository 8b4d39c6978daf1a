"""Invoking a mapping's function with one batch, synchronously, and classifying the result."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from overcast import tracing
from overcast.delivery import RetryPolicy
from overcast.invocation.sync import Invoker
from overcast.platform import Platform
from overcast.services.lambda_.errors import LambdaError, TooManyRequests
from overcast.services.lambda_.esm import MappingStore
from overcast.services.lambda_.models import FunctionStore
from overcast.services.lambda_.names import FunctionRef

log = logging.getLogger("overcast.esm")

OK, FUNCTION_ERROR, THROTTLED, SYSTEM_ERROR = "ok", "function-error", "throttled", "system-error"
#: a throttled batch (or a poller's failed round) waits a second and is tried again; it does not use
#: up a retry attempt
THROTTLE = RetryPolicy(max_attempts=None, max_age=None, first=1.0, cap=1.0, factor=1.0)
#: the mapping was deleted while its poller ran: the poller stops (nothing more is invoked for it)
GONE = "mapping-gone"


@dataclass
class BatchResult:
    status: str
    payload: bytes = b""
    request_id: str = ""
    executed_version: str = "$LATEST"
    function_error: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK


class MappingInvoker:
    """Invokes the function of one mapping."""

    def __init__(self, platform: Platform, uuid_: str) -> None:
        self.platform = platform
        self.uuid = uuid_
        self.store = platform.component(MappingStore)
        self.invoker = platform.component(Invoker)
        self.functions = platform.component(FunctionStore)
        self._source: str | None = None

    def _source_arn(self) -> str | None:
        if self._source is None:
            try:
                self._source = str(self.store.get(self.uuid).get("EventSourceArn") or "")
            except LambdaError:
                return None
        return self._source or None

    def ref(self) -> FunctionRef:
        account, region, function, qualifier = self.store.function_of(self.uuid)
        return FunctionRef(account, region, function, qualifier)

    async def invoke(self, event: dict[str, Any], trace: str | None = None) -> BatchResult:
        """`trace`: the records' X-Ray trace header (SQS's AWSTraceHeader), for recursion detection."""
        request_id = str(uuid.uuid4())
        payload = json.dumps(event, separators=(",", ":")).encode()
        try:
            ref = self.ref()
        except LambdaError:
            return BatchResult(GONE, request_id=request_id, message="the event source mapping was deleted")
        try:
            with tracing.triggered("EventSourceMapping", self._source_arn()):
                outcome = await self.invoker.invoke(ref, payload, request_id=request_id, trace=trace)
        except TooManyRequests as error:
            self.store.set_result(self.uuid, "PROBLEM: Function call failed")
            return BatchResult(THROTTLED, request_id=request_id, message=error.message)
        except LambdaError as error:
            log.warning("event source mapping %s: %s %s", self.uuid, error.code, error.message)
            self.store.set_result(self.uuid, "PROBLEM: Function call failed")
            return BatchResult(SYSTEM_ERROR, request_id=request_id, message=error.message)
        if outcome.function_error:
            self.store.set_result(self.uuid, "PROBLEM: Function call failed")
            return BatchResult(FUNCTION_ERROR, outcome.payload, request_id, outcome.executed_version,
                               outcome.function_error)
        self.store.set_result(self.uuid, "OK")
        return BatchResult(OK, outcome.payload, request_id, outcome.executed_version)
