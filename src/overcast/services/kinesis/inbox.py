"""What Kinesis takes from the outbox (its `ServiceSpec.deliver`): records put by other services
(EventBridge targets, Lambda destinations)."""

from __future__ import annotations

import uuid
from typing import Any

from overcast.delivery import DeliveryError
from overcast.platform import Platform
from overcast.services.kinesis.errors import KinesisError, ResourceNotFound
from overcast.services.kinesis.models import KinesisStreams


def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any]) -> None:
    """One record with `options["PartitionKey"]` (EventBridge's default is the event id; a random key when none is given)."""
    key = str(options.get("PartitionKey") or uuid.uuid4())
    try:
        platform.component(KinesisStreams).put(target_arn, key[:256], payload)
    except ResourceNotFound as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from None
    except KinesisError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from None
