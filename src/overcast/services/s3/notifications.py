"""Bucket notifications: configuration rules, matching, and the events S3 sends.

A write records one outbox row per matching destination (`overcast.delivery.record`) inside its
own transaction, so an acknowledged object always has its notifications on the way:

- Lambda (asynchronous invoke), SQS and SNS get S3's event document (docs/aws-behaviour.md#events-delivered-to-functions):
  `{"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", ...}]}`; SNS with the subject
  "Amazon S3 Notification".
- With `EventBridgeConfiguration`, the bucket's region's default event bus gets an "Object Created" /
  "Object Deleted" event (source `aws.s3`), as a complete EventBridge event document.
- Saving a configuration sends `s3:TestEvent` to its SQS and SNS destinations.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any
from urllib.parse import quote_plus

from overcast import arns
from overcast.delivery import RetryPolicy, as_service, record
from overcast.platform import Platform
from overcast.services.s3.errors import invalid_argument
from overcast.services.s3.models import Bucket, Change, S3Store

EVENT_TYPES = frozenset({
    "s3:ReducedRedundancyLostObject", "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete", "s3:Replication:*",
    "s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleTransition", "s3:IntelligentTiering", "s3:ObjectAcl:Put", "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
})

#: configuration list → (member holding the destination ARN, destination service)
KINDS = {
    "LambdaFunctionConfigurations": ("LambdaFunctionArn", "lambda"),
    "QueueConfigurations": ("QueueArn", "sqs"),
    "TopicConfigurations": ("TopicArn", "sns"),
}

#: S3 retries a delivery for a while; the outbox gives it this budget (AWS seconds).
RETRY = RetryPolicy(max_attempts=10, max_age=86_400, first=1.0, cap=300.0)

_REASONS = {
    "ObjectCreated:Put": "PutObject", "ObjectCreated:Post": "PostObject", "ObjectCreated:Copy": "CopyObject",
    "ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
}


def iso_ms(epoch: float) -> str:
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# -- configuration --------------------------------------------------------------------------------


def normalize(config: dict[str, Any]) -> dict[str, Any]:
    """Check a PutBucketNotificationConfiguration document the way S3 does and give each
    configuration an Id; raises InvalidArgument for what S3 refuses."""
    out: dict[str, Any] = {}
    seen: list[tuple[set[str], str, str]] = []
    for kind, (arn_member, service) in KINDS.items():
        items = []
        for item in config.get(kind) or []:
            arn = item.get(arn_member) or ""
            _check_arn(arn, service)
            events = item.get("Events") or []
            if not events:
                raise invalid_argument("At least one event must be specified", "Event")
            for event in events:
                if event not in EVENT_TYPES:
                    raise invalid_argument("The event is not supported for notifications", event)
            prefix, suffix = _filter_values(item.get("Filter"))
            _check_overlap(seen, set(events), prefix, suffix)
            seen.append((set(events), prefix, suffix))
            items.append({**item, "Id": item.get("Id") or _new_id()})
        if items:
            out[kind] = items
    if config.get("EventBridgeConfiguration") is not None:
        out["EventBridgeConfiguration"] = {}
    return out


def _new_id() -> str:
    return str(uuid.uuid4())


def _check_arn(arn: str, service: str) -> None:
    try:
        parsed = arns.parse(arn)
    except ValueError:
        parsed = None
    if parsed is None or parsed.service != service:
        raise invalid_argument("Unable to validate the following destination configurations", arn, "Invalid ARN")


def _filter_values(filter_: dict[str, Any] | None) -> tuple[str, str]:
    rules = ((filter_ or {}).get("Key") or {}).get("FilterRules") or []
    found: dict[str, str] = {}
    for rule in rules:
        name = (rule.get("Name") or "").lower()
        if name not in ("prefix", "suffix"):
            raise invalid_argument("filter rule name must be either prefix or suffix", "FilterRule.Name",
                                   rule.get("Name"))
        if name in found:
            raise invalid_argument(f"Cannot specify more than one {name} rule in a filter.", "FilterRule.Name",
                                   rule.get("Name"))
        found[name] = rule.get("Value") or ""
    return found.get("prefix", ""), found.get("suffix", "")


def _covers(configured: str, event: str) -> bool:
    """Whether a configured event type (`s3:ObjectCreated:*`) takes an event (`ObjectCreated:Put`)."""
    name = configured.removeprefix("s3:")
    return name == event or (name.endswith(":*") and event.startswith(name[:-1]))


def _events_overlap(a: set[str], b: set[str]) -> bool:
    return any(_covers(x, y.removeprefix("s3:")) or _covers(y, x.removeprefix("s3:")) for x in a for y in b)


def _check_overlap(seen: list[tuple[set[str], str, str]], events: set[str], prefix: str, suffix: str) -> None:
    # AWS: configurations on a bucket cannot share an event type for keys both filters admit.
    for other_events, other_prefix, other_suffix in seen:
        prefixes = prefix.startswith(other_prefix) or other_prefix.startswith(prefix)
        suffixes = suffix.endswith(other_suffix) or other_suffix.endswith(suffix)
        if prefixes and suffixes and _events_overlap(events, other_events):
            raise invalid_argument("Configurations overlap. Configurations on the same bucket cannot share a "
                                   "common event type.", "Event")


def matches(item: dict[str, Any], event: str, key: str) -> bool:
    prefix, suffix = _filter_values(item.get("Filter"))
    if not key.startswith(prefix) or not key.endswith(suffix):
        return False
    return any(_covers(configured, event) for configured in item.get("Events") or [])


# -- events ---------------------------------------------------------------------------------------


class Notifier:
    """Records the notifications of one request's changes (use `on_commit` as the store's hook)."""

    def __init__(self, platform: Platform, *, request_id: str, source_ip: str, principal: str,
                 host_id: str = "", trace: str | None = None) -> None:
        self.platform = platform
        self.trace = trace  # the writer's X-Amzn-Trace-Id: Lambda's recursive loop detection follows it
        self.request_id = request_id
        self.host_id = host_id or request_id
        self.source_ip = source_ip
        self.principal = principal

    def on_commit(self, change: Change) -> None:
        config = change.bucket.settings.get("notification") or {}
        for kind, (arn_member, service) in KINDS.items():
            for item in config.get(kind) or []:
                if matches(item, change.event, change.key):
                    self._send(item[arn_member], service, self.record(change, item["Id"]), change.bucket)
        if "EventBridgeConfiguration" in config:
            self._send_eventbridge(change)
        if change.event.startswith("ObjectCreated") and change.bucket.settings.get("replication"):
            from overcast.services.s3.replication import replicate

            replicate(self.platform.component(S3Store), change, self.on_commit)

    def _send(self, arn: str, service: str, record_: dict[str, Any], bucket: Bucket) -> None:
        options: dict[str, Any] = {"Subject": "Amazon S3 Notification"} if service == "sns" else {}
        if self.trace:  # the writer's trace header goes on with the event, as SQS, SNS and Lambda take it
            if service == "sqs":
                options["MessageSystemAttributes"] = {"AWSTraceHeader": {"DataType": "String",
                                                                         "StringValue": self.trace}}
            else:
                options["trace"] = self.trace
        payload = json.dumps({"Records": [record_]}, separators=(",", ":"))
        # IAM: the destination's resource policy must allow s3.amazonaws.com for this bucket (docs/iam.md)
        auth = as_service("s3.amazonaws.com", bucket.arn, bucket.account)
        record(self.platform, arn, payload, options=options, retry=RETRY, on_behalf=auth)

    def record(self, change: Change, configuration_id: str) -> dict[str, Any]:
        """One entry of `Records`, exactly as S3 sends it."""
        bucket, obj = change.bucket, change.version
        s3_object: dict[str, Any] = {"key": quote_plus(change.key, safe="/")}
        if change.event.startswith(("ObjectCreated", "LifecycleTransition")):
            s3_object.update(size=obj.size, eTag=obj.etag)
        if bucket.versioning is not None and obj.version_id != "null":
            s3_object["versionId"] = obj.version_id
        s3_object["sequencer"] = obj.sequencer
        return {
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": bucket.region,
            "eventTime": iso_ms(self.platform.clock.now()),
            "eventName": change.event,
            "userIdentity": {"principalId": self.principal},
            "requestParameters": {"sourceIPAddress": self.source_ip},
            "responseElements": {"x-amz-request-id": self.request_id, "x-amz-id-2": self.host_id},
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": configuration_id,
                "bucket": {"name": bucket.name, "ownerIdentity": {"principalId": owner_id(bucket.account)},
                           "arn": bucket.arn},
                "object": s3_object,
            },
        }

    def _send_eventbridge(self, change: Change) -> None:
        bucket = change.bucket
        bus = arns.build("events", bucket.region, bucket.account, "event-bus/default")
        record(self.platform, bus, json.dumps(self.eventbridge_event(change), separators=(",", ":")), retry=RETRY)

    def eventbridge_event(self, change: Change) -> dict[str, Any]:
        """The EventBridge event S3 puts on the default bus ("Object Created" / "Object Deleted")."""
        bucket, obj = change.bucket, change.version
        created = change.event.startswith("ObjectCreated")
        moved = change.event == "LifecycleTransition"
        s3_object: dict[str, Any] = {"key": change.key}
        if created or moved:
            s3_object.update(size=obj.size, etag=obj.etag)
        if bucket.versioning is not None:
            s3_object["version-id"] = obj.version_id
        s3_object["sequencer"] = obj.sequencer
        detail: dict[str, Any] = {
            "version": "0",
            "bucket": {"name": bucket.name},
            "object": s3_object,
            "request-id": self.request_id,
            "requester": bucket.account,
            "source-ip-address": self.source_ip,
            "reason": _REASONS.get(change.event, "DeleteObject"),
        }
        if moved:  # AWS: "Object Storage Class Changed", requested by S3 itself
            del detail["reason"], detail["source-ip-address"]
            detail.update({"requester": "s3.amazonaws.com", "destination-storage-class": obj.meta.get("StorageClass")})
        elif not created:
            detail["deletion-type"] = ("Delete Marker Created" if change.event.endswith("DeleteMarkerCreated")
                                       else "Permanently Deleted")
        kind = "Object Created" if created else "Object Storage Class Changed" if moved else "Object Deleted"
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": kind,
            "source": "aws.s3",
            "account": bucket.account,
            "time": iso_ms(self.platform.clock.now()).split(".")[0] + "Z",
            "region": bucket.region,
            "resources": [bucket.arn],
            "detail": detail,
        }

    def test_events(self, bucket: Bucket, config: dict[str, Any]) -> None:
        """S3's `s3:TestEvent` to each SQS and SNS destination of a configuration just saved."""
        payload = json.dumps({
            "Service": "Amazon S3", "Event": "s3:TestEvent", "Time": iso_ms(self.platform.clock.now()),
            "Bucket": bucket.name, "RequestId": self.request_id, "HostId": self.host_id,
        }, separators=(",", ":"))
        sent: set[str] = set()
        for kind in ("QueueConfigurations", "TopicConfigurations"):
            arn_member, service = KINDS[kind]
            for item in config.get(kind) or []:
                arn = item[arn_member]
                if arn not in sent:
                    sent.add(arn)
                    options = {"Subject": "Amazon S3 Notification"} if service == "sns" else {}
                    record(self.platform, arn, payload, options=options, retry=RETRY)


def owner_id(account: str) -> str:
    """A stable canonical-user-like id for an account (S3 shows owners by canonical id)."""
    import hashlib

    return hashlib.sha256(f"overcast-owner-{account}".encode()).hexdigest()
