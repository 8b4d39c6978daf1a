"""A pipe's chain on a real (in-memory) platform: what a Step Functions target records in the
outbox for the `states` deliverer, and how a refusing target fails the batch."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from overcast.config import Config
from overcast.delivery import DeliveryError, Registry
from overcast.invocation.esm.invoke import FUNCTION_ERROR, OK
from overcast.invocation.esm.pipe_chain import PipeChain
from overcast.invocation.outbox import attempt
from overcast.platform import Platform
from overcast.testing import FakeClock

MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:orders"
QUEUE = "arn:aws:sqs:us-east-1:000000000000:out"
RECORD = {"messageId": "m1", "body": '{"order": 1}', "eventSource": "aws:sqs"}


class Spec:
    """The part of a ServiceSpec the registry reads."""

    def __init__(self, name: str, deliver: Any) -> None:
        self.name, self.deliver = name, deliver
        self.failure_attributes = self.event_source = None
        self.deliver_for: tuple[str, ...] = ()


@pytest.fixture
def platform() -> Iterator[Platform]:
    platform = Platform(Config(in_memory=True), clock=FakeClock())
    yield platform
    platform.close()


def pipe(target: str, **params: Any) -> dict[str, Any]:
    return {"Name": "p", "Arn": "arn:aws:pipes:us-east-1:000000000000:pipe/p", "Source": QUEUE.replace("out", "in"),
            "Target": target, "TargetParameters": params}


def test_a_state_machine_target_starts_one_execution_per_batch_through_the_outbox(platform: Platform) -> None:
    received: list[tuple[str, bytes, dict[str, Any]]] = []
    platform.component(Registry).install([Spec("states", lambda p, arn, body, options: received.append(
        (arn, body, options)))])
    chain = PipeChain(platform, pipe(MACHINE, InputTemplate='{"order": <$.body.order>}',
                                     StepFunctionStateMachineParameters={"InvocationType": "FIRE_AND_FORGET"}))
    result = asyncio.run(chain.invoke({"Records": [RECORD, {**RECORD, "body": '{"order": 2}'}]}))
    assert result.status == OK
    [row] = platform.db.query("SELECT * FROM outbox")
    asyncio.run(attempt(platform, row))
    [(arn, body, options)] = received
    assert arn == MACHINE
    assert json.loads(body) == [{"order": 1}, {"order": 2}]
    assert options["StepFunctionStateMachineParameters"] == {"InvocationType": "FIRE_AND_FORGET"}


def test_a_target_that_refuses_an_event_fails_the_batch(platform: Platform) -> None:
    def refuse(p: Platform, arn: str, body: bytes, options: dict[str, Any]) -> None:
        raise DeliveryError("Queue out does not exist", code="AWS.SimpleQueueService.NonExistentQueue",
                            retryable=False)

    platform.component(Registry).install([Spec("sqs", refuse)])
    result = asyncio.run(PipeChain(platform, pipe(QUEUE)).invoke({"Records": [RECORD]}))
    assert result.status == FUNCTION_ERROR
    assert "NonExistentQueue" in result.message


def test_an_express_workflow_enriches_synchronously_through_the_states_deliverer(platform: Platform) -> None:
    asked: list[tuple[bytes, dict[str, Any]]] = []
    sent: list[bytes] = []

    def workflow(p: Platform, arn: str, body: bytes, options: dict[str, Any]) -> tuple[int, bytes]:
        asked.append((body, options))
        return 200, json.dumps([{"order": e["order"], "checked": True} for e in json.loads(body)]).encode()

    platform.component(Registry).install([Spec("states", workflow),
                                          Spec("sqs", lambda p, arn, body, options: sent.append(body))])
    chain = PipeChain(platform, {**pipe(QUEUE), "Enrichment": MACHINE,
                                 "EnrichmentParameters": {"InputTemplate": '{"order": <$.body.order>}'}})
    assert asyncio.run(chain.invoke({"Records": [RECORD]})).status == OK
    assert asked == [(b'[{"order": 1}]', {"StepFunctionStateMachineParameters": {"InvocationType": "REQUEST_RESPONSE"}})]
    assert [json.loads(b) for b in sent] == [{"order": 1, "checked": True}]


def test_without_a_states_deliverer_a_workflow_enrichment_fails_the_batch(platform: Platform) -> None:
    platform.component(Registry).install([Spec("sqs", lambda p, arn, body, options: None)])
    chain = PipeChain(platform, {**pipe(QUEUE), "Enrichment": MACHINE})
    result = asyncio.run(chain.invoke({"Records": [RECORD]}))
    assert result.status != OK and "states" in result.message
