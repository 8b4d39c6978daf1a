"""CloudWatch Logs as a delivery target: EventBridge rules whose target is a log group.

AWS writes each event, as JSON, to a log stream of the target log group named after the event's
id, with the event's time as the log event's timestamp
([AWS](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html)). The log group
must exist; a missing one fails the delivery for good (to the rule's dead-letter queue).

SNS delivery status records are delivered here too, with the option `CreateGroup`: AWS's SNS
creates its `sns/<region>/<account>/<topic>` log groups itself (through the topic's feedback role).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from overcast import arns
from overcast.delivery import DeliveryError
from overcast.platform import Platform
from overcast.services.logs.models import LogStore


def group_of(target_arn: str) -> tuple[str, str, str]:
    """(account, region, log group name) of `arn:aws:logs:<region>:<account>:log-group:<name>[:*]`."""
    arn = arns.parse(target_arn)
    name = arn.resource.split("log-group:", 1)[-1]
    return arn.account, arn.region, name[:-2] if name.endswith(":*") else name


def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any]) -> None:
    """Append one event to the log group `target_arn`."""
    account, region, group = group_of(target_arn)
    store = platform.component(LogStore)
    # `append` creates a missing group and stream
    exists = platform.db.query_one("SELECT 1 FROM logs_groups WHERE account=? AND region=? AND name=?",
                                   (account, region, group)) is not None
    if not exists and not options.get("CreateGroup"):
        raise DeliveryError("The specified log group does not exist.", code="ResourceNotFoundException",
                            retryable=False)
    text = payload.decode() if isinstance(payload, bytes) else str(payload)
    stream, timestamp = _stream_and_time(text, platform.clock.now())
    store.append(account, region, group, stream, [(timestamp, text)])


def _stream_and_time(text: str, now: float) -> tuple[str, int]:
    try:
        event = json.loads(text)
    except ValueError:
        event = None
    stream = str(event["id"]) if isinstance(event, dict) and isinstance(event.get("id"), str) else str(uuid.uuid4())
    when = now
    if isinstance(event, dict) and isinstance(event.get("time"), str):
        try:
            when = dt.datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return stream, int(when * 1000)
