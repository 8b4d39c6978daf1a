"""Delivery status records: what SNS writes to CloudWatch Logs about each delivery it completes.

A recorder that wants a status record puts `status_option(...)` in a delivery's options under
`STATUS_OPTION`; when the outbox finishes that delivery (delivered, or given up after its retries)
it calls `report`, which records one JSON line for the CloudWatch Logs deliverer, in AWS's shape
([AWS](https://docs.aws.amazon.com/sns/latest/dg/sns-topic-attributes.html)):

    {"notification": {"messageMD5Sum", "messageId", "topicArn", "timestamp"},
     "delivery": {"deliveryId", "destination", "providerResponse", "dwellTimeMs", "attempts",
                  "statusCode"},
     "status": "SUCCESS" | "FAILURE"}

Successes are written to the success log group for the sampled share of deliveries
(`SuccessFeedbackSampleRate` percent); failures always go to the failure log group.
"""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

from overcast.delivery.retry import RetryPolicy
from overcast.delivery.targets import record
from overcast.errors import ServiceError
from overcast.platform import Platform

STATUS_OPTION = "DeliveryStatus"
#: the log write is retried a little, like any delivery, then dropped (with a log line)
LOG_RETRY = RetryPolicy(max_attempts=3, max_age=3600)


def status_option(notification: dict[str, Any], destination: str, *, success_group: str | None,
                  failure_group: str | None, sample_rate: int, response: str, status_code: int) -> dict[str, Any]:
    """What a recorder attaches to a delivery: the log group ARNs (None: not logged), the success
    sample rate in percent, the notification part and the provider's answer on success."""
    return {"notification": notification, "destination": destination, "success": success_group,
            "failure": failure_group, "sample": sample_rate, "response": response, "code": status_code}


def report(platform: Platform, options: dict[str, Any], attempts: int, dwell_seconds: float,
           error: ServiceError | None, answer: tuple[int, str] | None = None,
           rng: random.Random | None = None) -> None:
    """Record the status line of a finished delivery whose options ask for one (else nothing).
    `answer` is what an HTTP endpoint answered (status, body); others answer as the recorder said."""
    spec = options.get(STATUS_OPTION)
    if not isinstance(spec, dict):
        return
    group = spec.get("failure") if error is not None else spec.get("success")
    if not group:
        return
    if error is None and (rng or random).random() * 100 >= float(spec.get("sample") or 0):
        return
    line = {
        "notification": spec["notification"],
        "delivery": {
            "deliveryId": str(uuid.uuid4()),
            "destination": spec["destination"],
            "providerResponse": _response(spec, error, answer),
            "dwellTimeMs": int(dwell_seconds * 1000),
            "attempts": attempts,
            "statusCode": _status_code(spec, error, answer),
        },
        "status": "SUCCESS" if error is None else "FAILURE",
    }
    # AWS creates the log groups itself, with the topic's feedback role
    record(platform, group, json.dumps(line, separators=(",", ":")).encode(),
           options={"CreateGroup": True}, retry=LOG_RETRY)


def _response(spec: dict[str, Any], error: ServiceError | None, answer: tuple[int, str] | None) -> str:
    if error is not None:
        return str(getattr(error, "provider_response", None) or error.message)
    return answer[1] if answer else str(spec["response"])


def _status_code(spec: dict[str, Any], error: ServiceError | None, answer: tuple[int, str] | None) -> int:
    if error is not None:
        return int(getattr(error, "provider_status", None) or 500)
    return int(answer[0]) if answer else int(spec["code"])
