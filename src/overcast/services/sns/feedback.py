"""Delivery status logging: which deliveries of a topic get a status record, and where.

A topic logs the deliveries of a protocol once `<Protocol>SuccessFeedbackRoleArn` or
`<Protocol>FailureFeedbackRoleArn` is set (HTTP, SQS, Lambda, Application, Firehose); successes go to
the log group `sns/<region>/<account>/<topic>` for `<Protocol>SuccessFeedbackSampleRate` percent of
them (unset: none), failures to `sns/<region>/<account>/<topic>/Failure`
([AWS](https://docs.aws.amazon.com/sns/latest/dg/sns-topic-attributes.html)). The outbox writes the
record when the delivery completes (`overcast.delivery.status`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from overcast import arns
from overcast.delivery.status import STATUS_OPTION, status_option
from overcast.services.sns.formats import Notification
from overcast.services.sns.store import Subscription, Topic

#: the attribute prefix of each protocol
PREFIX = {"sqs": "SQS", "lambda": "Lambda", "http": "HTTP", "https": "HTTP", "application": "Application",
          "firehose": "Firehose"}


def add_status(options: dict[str, Any], topic: Topic, sub: Subscription, note: Notification, destination: str) -> None:
    """Ask the outbox for a status record of this delivery when the topic logs its protocol."""
    prefix = PREFIX.get(sub.protocol)
    attrs = topic.attributes
    if prefix is None:
        return
    success_role, failure_role = attrs.get(f"{prefix}SuccessFeedbackRoleArn"), attrs.get(f"{prefix}FailureFeedbackRoleArn")
    if not success_role and not failure_role:
        return
    parsed = arns.parse(topic.arn)
    group = f"arn:aws:logs:{parsed.region}:{parsed.account}:log-group:sns/{parsed.region}/{parsed.account}/{topic.name}"
    try:
        rate = int(attrs.get(f"{prefix}SuccessFeedbackSampleRate") or 0)
    except ValueError:
        rate = 0
    response, code = _managed_answer(sub.protocol)
    options[STATUS_OPTION] = status_option(
        _notification(note, sub), destination, success_group=group if success_role else None,
        failure_group=group + "/Failure" if failure_role else None, sample_rate=rate, response=response,
        status_code=code)


def _notification(note: Notification, sub: Subscription) -> dict[str, Any]:
    stamp = dt.datetime.fromtimestamp(note.timestamp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return {"messageMD5Sum": hashlib.md5(note.for_protocol(sub.protocol).encode()).hexdigest(),
            "messageId": note.message_id, "topicArn": note.topic_arn, "timestamp": stamp}


def _managed_answer(protocol: str) -> tuple[str, int]:
    """What an AWS-managed endpoint answers a successful delivery (an HTTP endpoint's own answer is used)."""
    if protocol == "lambda":  # an asynchronous invocation is accepted with 202
        return json.dumps({"lambdaRequestId": str(uuid.uuid4())}, separators=(",", ":")), 202
    if protocol == "sqs":
        return json.dumps({"sqsRequestId": str(uuid.uuid4())}, separators=(",", ":")), 200
    return "", 200
