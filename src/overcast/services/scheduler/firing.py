"""Schedules fire on the platform clock, and each firing is a delivery through the outbox.

A schedule's next firing is stored with it (`next_fire`: platform time; `scheduled`: the AWS time
it stands for); one loop fires the due ones and sleeps until the next. AWS time runs
`1 / OVERCAST_TIME_SCALE` times faster than the platform clock from the moment the schedule was
created or last updated (its anchor), so `rate(1 minute)` fires every 0.6 s at 0.01, and `at()` and
`cron()` times are reached that much sooner; at scale 1 both clocks are the real UTC clock.

A firing due while the server was down fires once when it is back (at-least-once, as AWS's
delivery allows); the firings missed in between are not made up. Each firing records one delivery
to the target (docs/delivery.md) with the schedule's RetryPolicy and dead-letter queue.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from typing import Any

from overcast import arns
from overcast import delivery as outbox
from overcast.platform import Platform
from overcast.services.events.inbox import format_time, retry_policy
from overcast.services.scheduler import expressions
from overcast.services.scheduler.models import SchedulerStore, schedule_arn
from overcast.storage.full import is_storage_full

log = logging.getLogger("overcast.scheduler")

SIGNAL = "scheduler-schedules"
IDLE_WAIT = 5.0
BATCH = 100
UNIVERSAL = "arn:aws:scheduler:::aws-sdk:"


def _to_aws(platform: Platform, anchor: float, real: float) -> float:
    return anchor + (real - anchor) / platform.clock.scale


def _to_real(platform: Platform, anchor: float, aws: float) -> float:
    return anchor + (aws - anchor) * platform.clock.scale


def next_due(platform: Platform, doc: dict[str, Any], after: float, first: bool = False) -> tuple[float, float] | None:
    """(platform time, AWS time) of the schedule's next firing after platform time `after`; None: never.

    `first`: the schedule was just created or updated (a one-time schedule whose time is already
    past then fires at once)."""
    if doc.get("State") == "DISABLED":
        return None
    anchor = float(doc["_anchor"])
    expression = expressions.parse(doc["ScheduleExpression"], doc.get("ScheduleExpressionTimezone"))
    aws_after = _to_aws(platform, anchor, after)
    if isinstance(expression, expressions.At):  # StartDate and EndDate do not apply to one-time schedules
        if first and expression.moment <= aws_after:
            return after, expression.moment
        when = expression.next_after(aws_after, anchor)
    else:
        start = float(doc.get("StartDate") or anchor)
        when = expression.next_after(max(aws_after, start - 1e-6) if doc.get("StartDate") else aws_after, start)
        end = doc.get("EndDate")
        if when is not None and end is not None and when > float(end):
            return None
    if when is None:
        return None
    offset = _flexible_offset(doc, when)
    return max(after, _to_real(platform, anchor, when + offset)), when


def _flexible_offset(doc: dict[str, Any], when: float) -> float:
    """A FLEXIBLE window's offset: drawn within the window, seeded by the schedule and the firing,
    so the same firing always lands at the same moment (AWS spreads invocations across the window)."""
    window = doc.get("FlexibleTimeWindow") or {}
    if window.get("Mode") != "FLEXIBLE":
        return 0.0
    minutes = int(window.get("MaximumWindowInMinutes") or 0)
    return random.Random(f"{doc['Arn']}@{when}").uniform(0, minutes * 60)


async def schedule_loop(platform: Platform) -> None:
    """One round: fire what is due, then wait for the next due time or a schedule change."""
    store = platform.component(SchedulerStore)
    now = platform.clock.now()
    for row in store.due(now, BATCH):
        try:
            fire(platform, row, now)
        except Exception as exc:  # a bug must not stop every other schedule
            if is_storage_full(exc):
                raise  # nothing was recorded: the firing stays due, and the engine retries the round
            log.exception("schedule %s/%s failed to fire", row["grp"], row["name"])
            store.set_due(row["account"], row["region"], row["grp"], row["name"], None)
    due = store.next_due()
    timeout = IDLE_WAIT if due is None else min(IDLE_WAIT, due - platform.clock.now())
    if timeout > 0:
        await platform.signals.wait(SIGNAL, timeout)


def fire(platform: Platform, row: Any, now: float) -> None:
    """Record the delivery of one firing and schedule the next (or complete the schedule)."""
    store = platform.component(SchedulerStore)
    doc = json.loads(row["doc"])
    account, region, group, name = row["account"], row["region"], row["grp"], row["name"]
    with platform.db.tx():
        record_firing(platform, doc, account, region, float(row["scheduled"]))
        following = next_due(platform, doc, max(now, float(row["next_fire"])))
        if following is None and doc.get("ActionAfterCompletion") == "DELETE":
            store.delete_schedule(account, region, group, name)  # the schedule completed
        else:
            store.set_due(account, region, group, name, following)


def render_input(text: str, arn: str, scheduled: float, execution_id: str, attempt: int = 1) -> str:
    """The target's Input with the context attributes substituted."""
    for key, value in (("scheduled-time", format_time(scheduled)), ("execution-id", execution_id),
                       ("attempt-number", str(attempt)), ("schedule-arn", arn)):
        text = text.replace(f"<aws.scheduler.{key}>", value)
    return text


def record_firing(platform: Platform, doc: dict[str, Any], account: str, region: str, scheduled: float) -> None:
    """Record the delivery of one firing to the schedule's target (inside the caller's transaction)."""
    target = doc["Target"]
    arn = doc.get("Arn") or schedule_arn(account, region, doc["GroupName"], doc["Name"])
    execution_id = str(uuid.uuid4())
    body = render_input(target.get("Input") or "", arn, scheduled, execution_id)
    options: dict[str, Any] = {"ScheduleArn": arn, "TargetArn": target["Arn"], "ExecutionId": execution_id,
                               "ScheduledTime": format_time(scheduled)}
    payload = _payload(target, body, options, account, region, execution_id)
    policy = retry_policy(target)
    dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
    # IAM: the scheduler calls the target with the schedule's role (docs/iam.md)
    auth = outbox.as_role(target["RoleArn"], execution_id) if target.get("RoleArn") else None
    outbox.record(platform, target["Arn"], payload, options=options, retry=policy, failure_arn=dead_letter,
                  failure_style="scheduler" if dead_letter else None, on_behalf=auth)


def _payload(target: dict[str, Any], body: str, options: dict[str, Any], account: str, region: str,
             execution_id: str) -> str:
    """What the target's service receives, and the options it needs (set in `options`)."""
    if target["Arn"].startswith(UNIVERSAL):
        options.update(Account=account, Region=region, RoleArn=target.get("RoleArn", ""))
        return body or "{}"
    service = arns.parse(target["Arn"]).service
    if service == "lambda":
        options["InvocationType"] = "Event"  # Scheduler invokes functions asynchronously
        return body or "{}"
    if service == "sqs":
        group = (target.get("SqsParameters") or {}).get("MessageGroupId")
        if group:
            options.update(MessageGroupId=group, MessageDeduplicationId=execution_id)
        return body
    if service == "kinesis":
        options["PartitionKey"] = (target.get("KinesisParameters") or {}).get("PartitionKey") or execution_id
        return body
    if service == "events":
        params = target.get("EventBridgeParameters") or {}
        entry = {"Source": params.get("Source", ""), "DetailType": params.get("DetailType", ""),
                 "Detail": body or "{}", "Resources": [options["ScheduleArn"]]}
        return json.dumps(entry)
    if service == "states":  # StartExecution; the input is the execution's input
        options["Action"] = "StartExecution"
        return body or "{}"
    return body
