"""Execution status changes on EventBridge's default bus
([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html)): `aws.states`,
`Step Functions Execution Status Change`, with the execution's ARN as the resource and its
description (times in epoch milliseconds) as the detail. Recorded in the outbox in the transaction
that changes the status."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from overcast import arns, delivery
from overcast.platform import Platform
from overcast.services.stepfunctions.models import Execution


def status_change(platform: Platform, execution: Execution) -> None:
    parts = execution.arn.split(":")
    region, account = parts[3], parts[4]
    doc = execution.doc
    detail: dict[str, Any] = {
        "executionArn": execution.arn, "stateMachineArn": execution.machine_arn, "name": execution.name,
        "status": execution.status, "startDate": int(doc["startDate"] * 1000),
        "stopDate": int(doc["stopDate"] * 1000) if doc.get("stopDate") else None,
        "input": doc.get("input"), "output": doc.get("output"),
        "inputDetails": {"included": True}, "outputDetails": {"included": True} if "output" in doc else None,
        "error": doc.get("error"), "cause": doc.get("cause"),
    }
    event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Step Functions Execution Status Change",
             "source": "aws.states", "account": account,
             "time": dt.datetime.fromtimestamp(platform.clock.now(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "region": region, "resources": [execution.arn], "detail": detail}
    bus = arns.build("events", region, account, "event-bus/default")
    delivery.record(platform, bus, json.dumps(event))
