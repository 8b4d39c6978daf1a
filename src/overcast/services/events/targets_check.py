"""PutTargets' checks of each target, with AWS's messages where known."""

from __future__ import annotations

from typing import Any

from overcast import arns
from overcast.platform import Platform
from overcast.services.events.errors import Validation
from overcast.services.events.transform import RESERVED, parse_path

INPUTS = ("Input", "InputPath", "InputTransformer")


def check_targets(targets: list[dict[str, Any]]) -> None:
    for target in targets:
        check_target(target)


def check_target(target: dict[str, Any]) -> None:
    arn = target["Arn"]
    if not arns.is_arn(arn):
        raise Validation(f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format.")
    if sum(1 for key in INPUTS if target.get(key) is not None) > 1:
        raise Validation("Only one of Input, InputPath, or InputTransformer must be provided.")
    if target.get("InputPath") is not None and parse_path(target["InputPath"]) is None:
        raise Validation(f"Target {target['Id']} has an invalid InputPath: {target['InputPath']}")
    _check_transformer(target)
    parsed = arns.parse(arn)
    group = (target.get("SqsParameters") or {}).get("MessageGroupId")
    if parsed.service == "sqs" and parsed.resource.endswith(".fifo") and not group:
        raise Validation(f"Parameter(s) SqsParameters must be specified for target: {target['Id']}.")
    dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dead_letter is not None and not arns.is_arn(dead_letter):
        raise Validation(f"Parameter {dead_letter} is not valid. Reason: Provided Arn is not in correct format.")


def _check_transformer(target: dict[str, Any]) -> None:
    transformer = target.get("InputTransformer")
    if transformer is None:
        return
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        if name in RESERVED:
            raise Validation(f"InputTransformer for target {target['Id']} uses the reserved variable name {name}.")
        if parse_path(path) is None:
            raise Validation(f"InputTransformer for target {target['Id']} has an invalid JSON path: {path}")


def check_fifo_queues(platform: Platform, targets: list[dict[str, Any]]) -> None:
    """AWS: "If you specify an SQS FIFO queue as a target, the queue must have content-based
    deduplication enabled" (PutTargets' SqsParameters)."""
    from overcast.services.sqs.inbox import get_queue

    for target in targets:
        parsed = arns.parse(target["Arn"])
        if parsed.service != "sqs" or not parsed.resource.endswith(".fifo"):
            continue
        queue = get_queue(platform, target["Arn"])
        if queue is not None and queue.attributes.get("ContentBasedDeduplication") != "true":
            raise Validation(f"Parameter(s) SqsParameters is not valid for target: {target['Id']}. Reason: "
                             "the FIFO queue must have content-based deduplication enabled.")
