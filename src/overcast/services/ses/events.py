"""Configuration sets' event publishing: each sending event (Send, Delivery, Bounce, Complaint...)
goes to the set's enabled destinations whose MatchingEventTypes include it, in AWS's event shape
(https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html): SNS topics get
the event object as the message, EventBridge buses an `aws.ses` event whose detail is that object
(https://docs.aws.amazon.com/ses/latest/dg/monitoring-eventbridge.html), Firehose streams the event
object as a newline-terminated JSON record, CloudWatch a count on the `AWS/SES` metric of the event
type with the destination's dimensions. Recorded as deliveries in the send's transaction."""

from __future__ import annotations

import json
from typing import Any

from overcast import arns, delivery
from overcast.delivery import RetryPolicy
from overcast.metrics import as_dims
from overcast.platform import Platform
from overcast.protocol.values import format_timestamp

#: AWS's event type name → the key of its details object and the EventBridge detail-type
EVENT_TYPES = {
    "send": ("Send", "send", "Email Sent"),
    "delivery": ("Delivery", "delivery", "Email Delivered"),
    "bounce": ("Bounce", "bounce", "Email Bounced"),
    "complaint": ("Complaint", "complaint", "Email Complaint Received"),
    "reject": ("Reject", "reject", "Email Rejected"),
    "renderingfailure": ("Rendering Failure", "failure", "Email Rendering Failed"),
}
REPORTING_MTA = "a8-70.smtp-out.amazonses.com"
_RETRY = RetryPolicy(max_attempts=100, max_age=86_400, first=1.0, cap=60.0)


def _iso(epoch: float) -> str:
    return format_timestamp(epoch, "iso8601")


def mail_object(account: str, region: str, message: dict[str, Any], config_set: str | None,
                headers: list[tuple[str, str]], tags: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The `mail` object of SES's events and notifications."""
    source = message["Source"]
    recipients = [a for values in message["Destination"].values() for a in values]
    common: dict[str, Any] = {"from": [source], "messageId": message["Id"], "subject": message.get("Subject") or ""}
    if message["Destination"].get("ToAddresses"):
        common["to"] = message["Destination"]["ToAddresses"]
    all_tags = {"ses:operation": [message.get("Operation", "SendEmail")],
                "ses:source-ip": ["127.0.0.1"],
                "ses:from-domain": [source.rpartition("@")[2].rstrip(">")],
                "ses:caller-identity": ["overcast"], **(tags or {})}
    if config_set:
        all_tags["ses:configuration-set"] = [config_set]
    return {
        "timestamp": _iso(message["Timestamp"]), "source": source,
        "sourceArn": arns.build("ses", region, account, f"identity/{source.rpartition('@')[2].rstrip('>')}"),
        "sendingAccountId": account, "messageId": message["Id"], "destination": recipients,
        "headersTruncated": False, "headers": [{"name": n, "value": v} for n, v in headers],
        "commonHeaders": common, "tags": all_tags,
    }


def details(kind: str, message: dict[str, Any], recipients: list[str], now: float) -> dict[str, Any]:
    """The event type's own object (what SES puts under `send`, `delivery`, `bounce`...)."""
    if kind == "delivery":
        return {"timestamp": _iso(now), "processingTimeMillis": 0, "recipients": recipients,
                "smtpResponse": "250 2.6.0 Message received", "reportingMTA": REPORTING_MTA}
    if kind == "bounce":
        return {"bounceType": "Permanent", "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": r, "action": "failed", "status": "5.1.1",
                                       "diagnosticCode": "smtp; 550 5.1.1 user unknown"} for r in recipients],
                "timestamp": _iso(now), "feedbackId": f"{message['Id']}-bounce", "reportingMTA": f"dsn; {REPORTING_MTA}"}
    if kind == "complaint":
        return {"complainedRecipients": [{"emailAddress": r} for r in recipients], "timestamp": _iso(now),
                "feedbackId": f"{message['Id']}-complaint", "userAgent": "Amazon SES Mailbox Simulator",
                "complaintFeedbackType": "abuse", "arrivalDate": _iso(message["Timestamp"])}
    return {}


def publish(platform: Platform, account: str, region: str, config: dict[str, Any] | None, kind: str,
            mail: dict[str, Any], detail: dict[str, Any]) -> None:
    """Record the event for each destination of the configuration set that takes it."""
    if not config:
        return
    name, key, detail_type = EVENT_TYPES[kind]
    event = {"eventType": name, "mail": mail, key: detail}
    for dest in config.get("EventDestinations", []):
        if not dest.get("Enabled", False) or kind not in dest.get("MatchingEventTypes", []):
            continue
        source = arns.build("ses", region, account, f"configuration-set/{config['Name']}")
        if dest.get("SnsTopicArn"):
            delivery.record(platform, dest["SnsTopicArn"], json.dumps(event), retry=_RETRY,
                            on_behalf=_sender(platform, account, source, dest["SnsTopicArn"]))
        if dest.get("Firehose"):
            # one JSON object per record, newline-terminated, as SES writes to a Firehose stream, with
            # the destination's IAMRoleARN
            role = dest["Firehose"].get("IAMRoleARN")
            delivery.record(platform, dest["Firehose"]["DeliveryStreamARN"], json.dumps(event) + "\n", retry=_RETRY,
                            on_behalf=delivery.as_role(role, "ses") if role and platform.config.iam != "off" else None)
        if dest.get("CloudWatch"):
            _metric(platform, account, region, dest["CloudWatch"], name, mail)
        if dest.get("EventBusArn"):
            entry = {"Source": "aws.ses", "DetailType": detail_type, "Detail": event,
                     "Resources": [arns.build("ses", region, account, f"configuration-set/{config['Name']}")]}
            delivery.record(platform, dest["EventBusArn"], json.dumps(entry), retry=_RETRY,
                            on_behalf=_sender(platform, account, source, dest["EventBusArn"]))


def _sender(platform: Platform, account: str, source: str, target: str) -> dict[str, str] | None:
    """How SES sends a configuration set's events, for IAM (docs/iam.md): to a topic or bus of the
    set's own account with the account's authority (a default topic policy allows it), to another
    account's as `ses.amazonaws.com` for the configuration set."""
    if platform.config.iam == "off":
        return None
    if target.split(":")[4:5] == [account]:
        return delivery.as_account(account, source)
    return delivery.as_service("ses.amazonaws.com", source, account)


def _metric(platform: Platform, account: str, region: str, destination: dict[str, Any], name: str,
            mail: dict[str, Any]) -> None:
    """A CloudWatch destination: 1 on the `AWS/SES` metric named for the event type, with the
    destination's dimensions taken from the message's tags or headers (or their defaults)."""
    headers = {h["name"].lower(): h["value"] for h in mail.get("headers", [])}
    dims = []
    for config in destination.get("DimensionConfigurations") or []:
        dim, default = config.get("DimensionName", ""), config.get("DefaultDimensionValue", "")
        source = config.get("DimensionValueSource")
        value = (mail.get("tags", {}).get(dim) or [default])[0] if source == "messageTag" else \
            headers.get(dim.lower(), default) if source == "emailHeader" else default
        dims.append((dim, str(value)))
    platform.metrics.record(account, region, "AWS/SES", name.replace(" ", ""), as_dims(dict(dims)), 1.0)


def record_notification(platform: Platform, topic: str, note: dict[str, Any]) -> None:
    """An identity feedback notification to its SNS topic (through the outbox)."""
    delivery.record(platform, topic, json.dumps(note), retry=_RETRY)
