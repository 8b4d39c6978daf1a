"""Runs one Lambda event source mapping poller per running pipe, with the pipe's chain in place of
a function, and completes the pipes' state transitions: CREATING/UPDATING/STARTING → RUNNING (or
STOPPED when that is the desired state), STOPPING → STOPPED, DELETING → gone."""

from __future__ import annotations

from typing import Any

from overcast.delivery import Registry
from overcast.invocation.esm.manager import PollerManager
from overcast.invocation.esm.pipe_chain import PipeChain
from overcast.platform import Platform
from overcast.services.lambda_.esm import MappingStore
from overcast.services.pipes.models import (
    CHANGED,
    CREATING,
    DELETING,
    FAILED_AFTER,
    RUNNING,
    STARTING,
    STOPPED,
    STOPPING,
    UPDATING,
    PipeStore,
)

#: how Pipes words a transition refused for the role's permissions (its StateReason)
INVALID = "Input parameter is invalid from the request due to : "

#: the source parameters' member for each source service
SOURCE_PARAMETERS = {"sqs": "SqsQueueParameters", "kinesis": "KinesisStreamParameters",
                     "dynamodb": "DynamoDBStreamParameters"}


def mapping_config(pipe: dict[str, Any]) -> dict[str, Any]:
    """The pipe's source parameters as the event source mapping configuration the pollers read.
    Pipes honour partial batch responses (`batchItemFailures`) without being asked."""
    service = pipe["Source"].split(":")[2]
    source = pipe.get("SourceParameters") or {}
    params = dict(source.get(SOURCE_PARAMETERS.get(service, ""), {}) or {})
    config: dict[str, Any] = {"UUID": pipe["Arn"], "FunctionArn": pipe["Arn"], "EventSourceArn": pipe["Source"],
                              "_role": pipe.get("RoleArn", ""), "_pipe": True,
                              "FunctionResponseTypes": ["ReportBatchItemFailures"]}
    if source.get("FilterCriteria"):
        config["FilterCriteria"] = source["FilterCriteria"]
    dead_letter = (params.pop("DeadLetterConfig", None) or {}).get("Arn")
    if dead_letter:
        config["DestinationConfig"] = {"OnFailure": {"Destination": dead_letter}}
    if params.pop("OnPartialBatchItemFailure", None) == "AUTOMATIC_BISECT":
        config["BisectBatchOnFunctionError"] = True
    config.update(params)
    return config


class PipeManager(PollerManager):
    """The pipes' pollers, one per running pipe (`platform.component(PipeManager)`)."""

    KEY, STATE, LOOP = "Arn", "CurrentState", "pipe"
    PENDING, ON, TURNING_OFF, OFF = (CREATING, UPDATING, STARTING), RUNNING, STOPPING, STOPPED
    DELETING, CHANGED = DELETING, CHANGED

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform, platform.component(PipeStore))

    def _wanted(self, pipe: dict[str, Any]) -> bool:
        return bool(pipe.get("DesiredState", RUNNING) == RUNNING)

    def _remove(self, arn: str) -> None:
        self.store.remove(arn)
        self.platform.component(MappingStore).remove(arn)  # the pipe's stream checkpoints

    def _refused(self, pipe: dict[str, Any]) -> str | None:
        """Under `--iam enforce`, Pipes refuses to run a pipe whose role may not read its source
        (`CREATE_FAILED`: "... The provided customer role does not have permissions to call
        ReceiveMessage on SQS") or send to its dead-letter queue."""
        role = pipe.get("RoleArn") or ""
        if self.platform.config.iam == "off" or not role:
            return None
        from overcast.services.iam.deliveries import authorize_role, poll_action, source_refusal

        source = pipe["Source"]
        if authorize_role(self.platform, role, pipe["Name"], source, poll_action(source)) is not None:
            return INVALID + source_refusal(source).replace("execution role", "customer role")
        dead_letter = mapping_config(pipe).get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        if dead_letter and authorize_role(self.platform, role, pipe["Name"], dead_letter) is not None:
            return f"{INVALID}Error occurred while sending message to SQS queue: {dead_letter}"
        return None

    def _failed(self, pipe: dict[str, Any], reason: str) -> None:
        self.store.set_state(pipe["Arn"], FAILED_AFTER.get(pipe["CurrentState"], FAILED_AFTER[CREATING]), reason)

    def _start(self, pipe: dict[str, Any]) -> None:
        opened = self._open(f"pipe {pipe['Name']}", pipe["Source"])
        if opened is None:
            return
        kind, source = opened
        config = mapping_config(pipe)
        chain = PipeChain(self.platform, pipe)
        poller: Any
        if self.platform.component(Registry).is_queue(kind):
            from overcast.invocation.esm.queue import QueuePoller

            poller = QueuePoller(self.platform, config, source, invoker=chain)  # type: ignore[arg-type]
        else:
            from overcast.invocation.esm.stream import StreamPoller

            poller = StreamPoller(self.platform, config, source, invoker=chain)  # type: ignore[arg-type]
        self._launch(pipe["Arn"], poller, poller.run)


def pipe_loops(platform: Platform) -> list[Any]:
    async def manage() -> None:
        await platform.component(PipeManager).round()

    return [manage]
