"""Subscription filters delivering log events
([AWS](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html)).

Every append to a log group (PutLogEvents, Lambda's function logs, deliveries) is matched, in its
own transaction, against the group's subscription filters and the account's subscription filter
policies; the events each one matches are recorded in the outbox as one message per batch:

    {"messageType": "DATA_MESSAGE", "owner": <account>, "logGroup", "logStream",
     "subscriptionFilters": [<filter name>], "logEvents": [{"id", "timestamp", "message"}]}

gzipped, and for a Lambda function wrapped as `{"awslogs": {"data": <base64>}}` (an asynchronous
invocation); a Kinesis stream or a Firehose delivery stream gets the gzipped bytes as one record.
So a matched event is delivered even if overcast stops right after storing it.
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from overcast import arns, delivery
from overcast.platform import Platform
from overcast.services.logs.filter_pattern import FilterPatternError, Matcher, compile_pattern

#: the uncompressed size of one message's events: Lambda's asynchronous payloads are at most 256 KB,
#: Kinesis and Firehose records about 1 MB
MAX_LAMBDA_BATCH = 200_000
MAX_RECORD_BATCH = 900_000
SUBSCRIPTION_POLICY = "SUBSCRIPTION_FILTER_POLICY"


@dataclass(frozen=True)
class Subscription:
    name: str
    pattern: str
    destination_arn: str
    distribution: str = "ByLogStream"


@functools.lru_cache(maxsize=256)
def matcher(pattern: str) -> Matcher:
    return compile_pattern(pattern)


def subscriptions(platform: Platform, account: str, region: str, group: str) -> list[Subscription]:
    """The group's subscription filters, then the account policies that select it."""
    rows = platform.db.query("SELECT name, pattern, destination_arn, distribution FROM logs_subscriptions "
                             "WHERE account=? AND region=? AND group_name=? ORDER BY name", (account, region, group))
    found = [Subscription(r["name"], r["pattern"], r["destination_arn"], r["distribution"]) for r in rows]
    for row in platform.db.query("SELECT doc FROM logs_account_policies WHERE account=? AND region=? AND type=?",
                                 (account, region, SUBSCRIPTION_POLICY)):
        policy = json.loads(row["doc"])
        if selects(policy.get("selectionCriteria"), group):
            found.append(policy_subscription(policy))
    return found


def policy_subscription(policy: dict[str, Any]) -> Subscription:
    doc = json.loads(policy.get("policyDocument") or "{}")
    return Subscription(policy["policyName"], str(doc.get("FilterPattern", "")), str(doc.get("DestinationArn", "")),
                        str(doc.get("Distribution", "ByLogStream")))


def selects(criteria: str | None, group: str) -> bool:
    """AWS's only selection criteria: `LogGroupName NOT IN ["a", "b"]` (names excluded)."""
    if not criteria:
        return True
    _, _, listed = criteria.partition("NOT IN")
    try:
        excluded = json.loads(listed.strip() or "[]")
    except ValueError:
        return True
    return group not in excluded


def record_matches(platform: Platform, account: str, region: str, group: str, stream: str,
                   events: Sequence[tuple[int, int, str]], found: Sequence[Subscription]) -> None:
    """Record the delivery of `(id, timestamp_ms, message)` events to every one of the group's
    subscriptions (`subscriptions()`) they match (inside the caller's transaction)."""
    for subscription in found:
        try:
            match = matcher(subscription.pattern)
        except FilterPatternError:
            continue
        chosen = [e for e in events if match(e[2])]
        if not chosen:
            continue
        limit = MAX_LAMBDA_BATCH if _service(subscription.destination_arn) == "lambda" else MAX_RECORD_BATCH
        for batch in _batches(chosen, limit):
            message = {"messageType": "DATA_MESSAGE", "owner": account, "logGroup": group, "logStream": stream,
                       "subscriptionFilters": [subscription.name],
                       "logEvents": [{"id": _event_id(ts, rowid), "timestamp": ts, "message": text}
                                     for rowid, ts, text in batch]}
            send(platform, subscription.destination_arn, message,
                 partition_key=stream if subscription.distribution == "ByLogStream" else None,
                 source_arn=f"arn:aws:logs:{region}:{account}:log-group:{group}:*", account=account)


def send(platform: Platform, destination_arn: str, message: dict[str, Any], partition_key: str | None = None,
         *, source_arn: str = "", account: str = "") -> None:
    """Record one subscription message for its destination (Lambda, Kinesis or Firehose)."""
    data = gzip.compress(json.dumps(message, separators=(",", ":")).encode())
    service = _service(destination_arn)
    if service == "lambda":
        payload = json.dumps({"awslogs": {"data": base64.b64encode(data).decode()}})
        # IAM: the function's policy must allow logs.amazonaws.com for this log group (docs/iam.md)
        auth = delivery.as_service("logs.amazonaws.com", source_arn, account) if source_arn else None
        delivery.record(platform, destination_arn, payload, options={"InvocationType": "Event"}, on_behalf=auth)
    elif service == "kinesis":
        delivery.record(platform, destination_arn, data, options={"PartitionKey": partition_key or str(uuid.uuid4())})
    elif service == "firehose":
        delivery.record(platform, destination_arn, data)


def _service(arn: str) -> str:
    try:
        return arns.parse(arn).service
    except ValueError:
        return ""


def _event_id(ts: int, rowid: int) -> str:
    """The 56-digit event id FilterLogEvents reports for the same event."""
    return f"{max(ts, 0):016d}{max(rowid, 0):040d}"


def _batches(events: list[tuple[int, int, str]], limit: int) -> list[list[tuple[int, int, str]]]:
    batches: list[list[tuple[int, int, str]]] = [[]]
    size = 0
    for event in events:
        cost = len(event[2].encode()) + 80
        if batches[-1] and size + cost > limit:
            batches.append([])
            size = 0
        batches[-1].append(event)
        size += cost
    return batches
