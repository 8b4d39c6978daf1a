"""Data transformation with a Lambda processor
([AWS](https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html)).

Firehose invokes the function synchronously with `{invocationId, deliveryStreamArn, region,
records: [{recordId, approximateArrivalTimestamp, data}]}` (data base64) and expects
`{records: [{recordId, result, data}]}` back, one per record, `result` Ok, Dropped or
ProcessingFailed. An invocation that fails is retried `NumberOfRetries` times (default 3); then
its records, and each record answered ProcessingFailed or not answered at all, are failures that
go to the S3 error output (`processing-failed`).
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from overcast.delivery import as_role
from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure
from overcast.platform import Platform
from overcast.services.firehose.models import Buffered, DeliveryStream

#: real seconds Firehose waits for one invocation (AWS: the function's timeout, at most 5 minutes)
INVOKE_TIMEOUT = 300.0
#: the processor's default buffer, and how much overcast sends in one invocation
DEFAULT_BUFFER_MIB = 1
RETRY_DELAY_AWS_SECONDS = 1.0
FUNCTION_ERROR = ("Lambda.FunctionError",
                  "The Lambda function was successfully invoked but it returned an error result.")


@dataclass
class Failure:
    record: Buffered
    code: str
    message: str
    attempts: int


@dataclass
class Outcome:
    ok: list[tuple[Buffered, bytes]] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    dropped: int = 0
    #: dynamic partitioning keys the function gave (`metadata.partitionKeys`), by buffered record id
    keys: dict[int, dict[str, str]] = field(default_factory=dict)


async def transform(platform: Platform, stream: DeliveryStream, function: str, retries: int,
                    records: list[Buffered], role: str = "") -> Outcome:
    """Run `records` through the processor function, in invocations of at most 1 MiB of data,
    invoked with the destination's `role` (checked when IAM is evaluated, docs/iam.md)."""
    outcome = Outcome()
    on_behalf = as_role(role, stream.name) if role and platform.config.iam != "off" else None
    for chunk in _chunks(records, DEFAULT_BUFFER_MIB * 1024 * 1024):
        await _one(platform, stream, function, retries, chunk, outcome, on_behalf)
    return outcome


def _chunks(records: list[Buffered], limit: int) -> list[list[Buffered]]:
    chunks: list[list[Buffered]] = [[]]
    size = 0
    for record in records:
        if chunks[-1] and size + len(record.data) > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(record)
        size += len(record.data)
    return [c for c in chunks if c]


async def _one(platform: Platform, stream: DeliveryStream, function: str, retries: int, records: list[Buffered],
               outcome: Outcome, on_behalf: dict[str, str] | None = None) -> None:
    event: dict[str, Any] = {"invocationId": str(uuid.uuid4()), "deliveryStreamArn": stream.arn}
    source = (stream.doc.get("Source") or {}).get("KinesisStreamSourceDescription")
    if source:  # AWS: Kinesis-sourced batches name their stream, and each record its Kinesis metadata
        event["sourceKinesisStreamArn"] = source.get("KinesisStreamARN")
    event["region"] = stream.region
    event["records"] = [{"recordId": r.record_id, "approximateArrivalTimestamp": int(r.arrival * 1000),
                         "data": base64.b64encode(r.data).decode(),
                         **({"kinesisRecordMetadata": r.meta} if r.meta else {})} for r in records]
    calls = platform.component(FrontDoorCalls)
    error = FUNCTION_ERROR
    attempts = 0
    while attempts <= retries:
        attempts += 1
        try:
            result = await calls.invoke(function, event, account=stream.account, region=stream.region,
                                        timeout=INVOKE_TIMEOUT, on_behalf=on_behalf)
        except IntegrationFailure as failure:
            error = _invoke_error(failure)
            if attempts <= retries:
                await platform.clock.sleep(RETRY_DELAY_AWS_SECONDS)
            continue
        _settle(result.payload, records, attempts, outcome)
        return
    outcome.failed.extend(Failure(r, error[0], error[1], attempts) for r in records)


def _invoke_error(failure: IntegrationFailure) -> tuple[str, str]:
    if failure.kind == "throttled":
        return "Lambda.InvokeLimitExceeded", "The Lambda concurrent execution limit is exceeded."
    if failure.kind == "invoke" and failure.detail.startswith("AccessDeniedException: "):
        return "Lambda.InvokeAccessDenied", "Access was denied. Ensure that the access policy allows access to " \
                                            "the Lambda function."
    if failure.kind == "invoke":
        return "Lambda.InvokeFailed", f"The Lambda function could not be invoked: {failure.detail}"
    if failure.kind == "timeout":
        return "Lambda.FunctionTimedOut", "The Lambda function invocation timed out."
    return FUNCTION_ERROR


def _settle(payload: bytes, records: list[Buffered], attempts: int, outcome: Outcome) -> None:
    """Sort the function's answer into delivered, dropped and failed records."""
    try:
        answer = json.loads(payload)
        answered = {str(r["recordId"]): r for r in answer["records"]}
    except (ValueError, KeyError, TypeError):
        outcome.failed.extend(Failure(r, "Lambda.JsonProcessingException",
                                      "There was an error parsing returned records from the Lambda function.",
                                      attempts) for r in records)
        return
    for record in records:
        entry = answered.get(record.record_id)
        result = entry.get("result") if isinstance(entry, dict) else None
        if entry is None:
            outcome.failed.append(Failure(record, "Lambda.MissingRecordId",
                                          "One or more record Ids were not returned.", attempts))
        elif result == "Dropped":
            outcome.dropped += 1
        elif result == "Ok":
            partition_keys = (entry.get("metadata") or {}).get("partitionKeys")
            if isinstance(partition_keys, dict):
                outcome.keys[record.id] = {str(k): str(v) for k, v in partition_keys.items()}
            try:
                outcome.ok.append((record, base64.b64decode(entry.get("data") or "", validate=True)))
            except ValueError:
                outcome.failed.append(Failure(record, "Lambda.JsonProcessingException",
                                              "The data returned for a record is not valid base64.", attempts))
        elif result == "ProcessingFailed":
            outcome.failed.append(Failure(record, "Lambda.ProcessingFailedStatus",
                                          "ProcessingFailed status returned from the Lambda function.", attempts))
        else:
            outcome.failed.append(Failure(record, "Lambda.InvalidResult",
                                          f"The record's result {result!r} is not Ok, Dropped or ProcessingFailed.",
                                          attempts))
