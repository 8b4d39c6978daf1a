"""A pipe's chain: what a batch read from the source goes through — enrichment, then the target
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes.html). It stands where a
mapping's function stands for Lambda's pollers (`invoke(event) -> BatchResult`), so batching,
filtering, partial batch failures and checkpoints are the pollers' own.

A batch fails as a whole when the enrichment fails or a target refuses an event: the poller then
treats it as a failed invocation (SQS: the messages reappear after the visibility timeout; streams:
the batch is retried). A Lambda target (synchronous) or enrichment may report partial batch
failures (`batchItemFailures`), as AWS lets them."""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from typing import Any

from overcast import delivery
from overcast.delivery import Registry
from overcast.errors import ServiceError
from overcast.invocation.esm.invoke import FUNCTION_ERROR, OK, SYSTEM_ERROR, BatchResult
from overcast.invocation.sync import Invoker
from overcast.platform import Platform
from overcast.services.lambda_.errors import LambdaError
from overcast.services.lambda_.models import FunctionStore
from overcast.services.lambda_.names import FunctionRef, parse_function
from overcast.services.pipes.models import PipeStore
from overcast.services.pipes.targets import target_delivery
from overcast.services.pipes.template import render

log = logging.getLogger("overcast.pipes")


class ChainFailed(Exception):
    """The enrichment or the target did not take the batch."""

    def __init__(self, message: str, status: str = FUNCTION_ERROR) -> None:
        super().__init__(message)
        self.status = status


class _Results:
    """Where a poller reports a mapping's LastProcessingResult: a pipe has none to report."""

    def set_result(self, uuid_: str, result: str) -> None:
        return None


class PipeChain:
    """Enrichment and target of one pipe, invoked by a Lambda event source mapping poller."""

    def __init__(self, platform: Platform, pipe: dict[str, Any]) -> None:
        self.platform = platform
        self.pipe = pipe
        self.store = _Results()
        self.functions = platform.component(FunctionStore)
        self.invoker = platform.component(Invoker)
        self.account, self.region = pipe["Arn"].split(":")[4], pipe["Arn"].split(":")[3]

    def ref(self) -> FunctionRef:
        """The target function (its timeout bounds how long SQS messages are held)."""
        target = self.pipe["Target"]
        if target.split(":")[2:3] != ["lambda"]:
            raise LookupError("the pipe's target is not a function")
        return parse_function(target, self.account, self.region)

    def events(self, batch: dict[str, Any]) -> list[Any]:
        """The pipe's events for a poller's batch: Lambda's records; Kinesis records flattened, as
        Pipes delivers them (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-kinesis.html)."""
        out = []
        for record in batch.get("Records", []):
            if record.get("eventSource") == "aws:kinesis" and isinstance(record.get("kinesis"), dict):
                rest = {k: v for k, v in record.items() if k != "kinesis"}
                record = {**record["kinesis"], **rest}
            out.append(record)
        return out

    async def invoke(self, batch: dict[str, Any], trace: str | None = None) -> BatchResult:
        """Run the batch through the chain: OK, or the failure the poller acts on."""
        request_id = str(uuid.uuid4())
        events = self.events(batch)
        try:
            enrichment = self.pipe.get("Enrichment")
            if enrichment:
                events = await self._enrich(enrichment, events, trace)
                if not events:  # an enrichment that returns nothing ends the batch here
                    return BatchResult(OK, b"", request_id)
            payload = await self._target(events, trace)
        except ChainFailed as failure:
            log.info("pipe %s: %s", self.pipe["Name"], failure)
            return BatchResult(failure.status, request_id=request_id, message=str(failure))
        return BatchResult(OK, payload, request_id)

    def _shaped(self, events: list[Any], params: dict[str, Any] | None) -> list[Any]:
        template = (params or {}).get("InputTemplate")
        if not template:
            return events
        now = self.platform.clock.now()
        return [render(template, event, self.pipe, now) for event in events]

    def _permit(self, arn: str, action: str | None = None) -> None:
        """The pipe calls its enrichment and target with its role (`--iam enforce`, docs/iam.md):
        a refusal fails the batch, which the source then retries."""
        role = self.pipe.get("RoleArn") or ""
        if self.platform.config.iam == "off" or not role:
            return
        from overcast.services.iam.deliveries import authorize_role

        refused = authorize_role(self.platform, role, self.pipe["Name"], arn, action)
        if refused is not None:
            raise ChainFailed(refused)

    def _on_behalf(self) -> dict[str, str] | None:
        """What the outbox checks for a target reached through it: the pipe's role."""
        role = self.pipe.get("RoleArn") or ""
        return delivery.as_role(role, self.pipe["Name"]) if role and self.platform.config.iam != "off" else None

    async def _call(self, arn: str, events: list[Any], trace: str | None) -> bytes:
        """A synchronous invocation of the function `arn` with the events (a JSON array)."""
        self._permit(arn, "lambda:InvokeFunction")
        try:
            ref = parse_function(arn, self.account, self.region)
            outcome = await self.invoker.invoke(ref, json.dumps(events).encode(), request_id=str(uuid.uuid4()),
                                                trace=trace)
        except LambdaError as error:
            raise ChainFailed(f"{arn}: {error.code} {error.message}", SYSTEM_ERROR) from None
        if outcome.function_error:
            raise ChainFailed(f"{arn} failed: {outcome.payload[:200]!r}")
        return outcome.payload

    async def _enrich(self, arn: str, events: list[Any], trace: str | None) -> list[Any]:
        """The enrichment's answer is the events the target gets: a JSON array is one event per
        item; any other value one event."""
        events = self._shaped(events, self.pipe.get("EnrichmentParameters"))
        if ":api-destination/" in arn:
            return [await self._ask_api(arn, event) for event in events]
        service = arn.split(":")[2:3]
        if service == ["states"]:  # an EXPRESS workflow, run synchronously with the batch
            answer = await self._run_workflow(arn, events)
        elif service == ["lambda"]:
            answer = await self._call(arn, events, trace)
        else:
            raise ChainFailed(f"overcast's pipes cannot enrich with {arn}", SYSTEM_ERROR)
        try:
            value = json.loads(answer) if answer.strip() else None
        except ValueError:
            return [answer.decode("utf-8", "replace")]
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    async def _run_workflow(self, arn: str, events: list[Any]) -> bytes:
        """A synchronous execution of the EXPRESS state machine `arn` with the batch as its input,
        through the `states` deliverer: with `InvocationType: REQUEST_RESPONSE` it answers
        `(status, output)` once the execution ends (see docs/pipes.md)."""
        options = {"StepFunctionStateMachineParameters": {"InvocationType": "REQUEST_RESPONSE"}}
        self._permit(arn, "states:StartSyncExecution")
        try:
            answer = self._deliverer(arn)(self.platform, arn, json.dumps(events).encode(), options)
            if inspect.isawaitable(answer):
                answer = await answer
        except ServiceError as error:
            raise ChainFailed(f"{arn}: {error.code} {error.message}") from None
        return answer[1] if isinstance(answer, tuple) else b""

    async def _ask_api(self, arn: str, event: Any) -> Any:
        """One event sent to an API destination (with EnrichmentParameters.HttpParameters); its
        response body (JSON, or text) is the enriched event."""
        http = (self.pipe.get("EnrichmentParameters") or {}).get("HttpParameters") or {}
        payload = (event if isinstance(event, str) else json.dumps(event)).encode()
        self._permit(arn, "events:InvokeApiDestination")
        try:
            answer = self._deliverer(arn)(self.platform, arn, payload, {"HttpParameters": http})
            if inspect.isawaitable(answer):
                answer = await answer
        except ServiceError as error:
            raise ChainFailed(f"{arn}: {error.code} {error.message}") from None
        body = answer[1] if isinstance(answer, tuple) else b""
        try:
            return json.loads(body) if body.strip() else None
        except ValueError:
            return body.decode("utf-8", "replace")

    async def _target(self, events: list[Any], trace: str | None) -> bytes:
        params = self.pipe.get("TargetParameters") or {}
        originals, events = events, self._shaped(events, params)
        target = self.pipe["Target"]
        service = target.split(":")[2] if target.count(":") >= 5 else ""
        if service == "lambda":
            invocation = (params.get("LambdaFunctionParameters") or {}).get("InvocationType", "REQUEST_RESPONSE")
            if invocation == "REQUEST_RESPONSE":  # the answer may carry batchItemFailures
                return await self._call(target, events, trace)
            # FIRE_AND_FORGET: an Event invocation
            delivery.record(self.platform, target, json.dumps(events), on_behalf=self._on_behalf())
            return b""
        if service == "states":
            machine = params.get("StepFunctionStateMachineParameters") or {}
            if machine.get("InvocationType") == "REQUEST_RESPONSE":  # EXPRESS, synchronously
                return await self._run_workflow(target, events)
            # an execution per batch, started through the outbox by the service's deliverer
            delivery.record(self.platform, target, json.dumps(events),
                            options={"StepFunctionStateMachineParameters": machine}, on_behalf=self._on_behalf())
            return b""
        deliver = self._deliverer(target)
        self._permit(target)
        for event, original in zip(events, originals, strict=True):
            payload, options = target_delivery(self.pipe, service, event, original, params)
            try:
                answer = deliver(self.platform, target, payload, options)
                if inspect.isawaitable(answer):
                    await answer
            except ServiceError as error:
                raise ChainFailed(f"{target}: {error.code} {error.message}") from None
        return b""

    def _deliverer(self, target: str) -> Any:
        try:
            return self.platform.component(Registry).deliverer(target)
        except ServiceError as error:
            raise ChainFailed(error.message, SYSTEM_ERROR) from None


def chain_for(platform: Platform, arn: str) -> PipeChain | None:
    pipe = platform.component(PipeStore).by_arn(arn)
    return PipeChain(platform, pipe) if pipe else None
