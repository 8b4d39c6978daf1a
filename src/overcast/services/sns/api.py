"""SNS operations, one plain method each."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from overcast import arns
from overcast import delivery as targets
from overcast.context import RequestContext
from overcast.errors import ServiceError, client_error
from overcast.platform import Platform
from overcast.services.sns import formats
from overcast.services.sns.api_mobile import MobileOperations
from overcast.services.sns.api_policy import PolicyOperations
from overcast.services.sns.api_sms import SmsOperations, is_phone_number
from overcast.services.sns.checks import (
    check_arn,
    check_batch_ids,
    check_json,
    check_tags,
    check_topic_policy,
    page,
)
from overcast.services.sns.encryption import check_key
from overcast.services.sns.publish import (
    HTTP_RETRY,
    MAX_SIZE,
    check_message,
    check_shape,
    message_size,
    publish,
)
from overcast.services.sns.signing import Signer
from overcast.services.sns.store import SnsStore, Subscription, Topic, invalid, not_found
from overcast.services.sns.subscriptions import (
    SUBSCRIPTION_DEFAULTS,
    check_subscription_attributes,
    subscription_attributes,
)

TOPIC_ATTRIBUTES = (
    "DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig",
    "ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope", "DataProtectionPolicy", "FifoTopic",
)
PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _default_policy(arn: str, account: str) -> str:
    actions = ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
               "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"]
    return json.dumps({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [{
        "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": actions,
        "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": account}}}]})


EFFECTIVE_DELIVERY_POLICY = json.dumps({"http": {
    "defaultHealthyRetryPolicy": {"minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3,
                                  "numMaxDelayRetries": 0, "numNoDelayRetries": 0, "numMinDelayRetries": 0,
                                  "backoffFunction": "linear"},
    "disableSubscriptionOverrides": False, "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"}}})


class SnsApi(MobileOperations, SmsOperations, PolicyOperations):
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(SnsStore)
        self.clock = platform.clock

    # -- topics -------------------------------------------------------------------------------

    def create_topic(self, ctx: RequestContext, name: str, attributes: dict[str, str] | None = None,
                     tags: list[dict[str, str]] | None = None, data_protection_policy: str | None = None) -> dict[str, Any]:
        attributes = dict(attributes or {})
        fifo = str(attributes.get("FifoTopic", "")).lower() == "true"
        base = name[:-5] if fifo and name.endswith(".fifo") else name
        if (fifo and not name.endswith(".fifo")) or not _TOPIC_NAME.match(base):
            raise invalid("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase "
                          "ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
                          if fifo or name.endswith(".fifo") else "Topic Name")
        for key in attributes:
            if key not in TOPIC_ATTRIBUTES and not key.endswith(("FeedbackRoleArn", "FeedbackSampleRate")):
                raise invalid("Attributes Reason: Unknown attribute " + key)
        if attributes.get("Policy"):
            check_topic_policy(attributes["Policy"])
        if attributes.get("DeliveryPolicy"):
            check_json(attributes["DeliveryPolicy"], "DeliveryPolicy")
        arn = arns.build("sns", ctx.region, ctx.account, name)
        tag_map = check_tags(tags)
        existing = self.store.find_topic(arn)
        if existing is not None:
            if any(existing.attributes.get(k) != v for k, v in attributes.items() if k not in ("Policy", "FifoTopic")):
                raise invalid("Attributes Reason: Topic already exists with different attributes")
            if tags is not None and tag_map != existing.tags:
                raise invalid("Tags Reason: Topic already exists with different tags")
            return {"TopicArn": arn}
        values = {"DisplayName": "", "Policy": _default_policy(arn, ctx.account), **attributes}
        if fifo:
            values.update(FifoTopic="true", ContentBasedDeduplication=values.get("ContentBasedDeduplication", "false"))
        else:
            values.pop("FifoTopic", None)
        self.store.put_topic(Topic(arn, ctx.account, ctx.region, name, fifo, values, tag_map))
        return {"TopicArn": arn}

    def delete_topic(self, ctx: RequestContext, topic_arn: str) -> dict[str, Any]:
        self.store.delete_topic(check_arn(ctx, topic_arn))
        return {}

    def list_topics(self, ctx: RequestContext, next_token: str | None = None) -> dict[str, Any]:
        # NextToken is opaque on AWS; here it is the base64 of an offset
        chunk, token = page(self.store.topics(ctx.account, ctx.region), next_token)
        out: dict[str, Any] = {"Topics": [{"TopicArn": arn} for arn in chunk]}
        if token:
            out["NextToken"] = token
        return out

    def get_topic_attributes(self, ctx: RequestContext, topic_arn: str) -> dict[str, Any]:
        topic = self.store.topic(check_arn(ctx, topic_arn))
        subs = self.store.subscriptions(topic_arn)
        values = {
            **topic.attributes,
            "TopicArn": topic.arn,
            "Owner": topic.account,
            "SubscriptionsConfirmed": str(sum(s.confirmed for s in subs)),
            "SubscriptionsPending": str(sum(not s.confirmed for s in subs)),
            "SubscriptionsDeleted": "0",
            "EffectiveDeliveryPolicy": EFFECTIVE_DELIVERY_POLICY,
        }
        return {"Attributes": values}

    def set_topic_attributes(self, ctx: RequestContext, topic_arn: str, attribute_name: str,
                             attribute_value: str | None = None) -> dict[str, Any]:
        topic = self.store.topic(check_arn(ctx, topic_arn))
        if attribute_name == "FifoTopic" or (attribute_name not in TOPIC_ATTRIBUTES
                                             and not attribute_name.endswith(("FeedbackRoleArn", "FeedbackSampleRate"))):
            raise invalid("AttributeName")
        if attribute_name == "ContentBasedDeduplication" and not topic.fifo:
            raise invalid("ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics")
        if attribute_name == "Policy" and attribute_value:
            check_topic_policy(attribute_value)
        if attribute_name == "DeliveryPolicy" and attribute_value:
            check_json(attribute_value, attribute_name)
        values = {**topic.attributes, attribute_name: attribute_value or ""}
        self.store.put_topic(Topic(topic.arn, topic.account, topic.region, topic.name, topic.fifo, values, topic.tags))
        return {}

    # -- tags ---------------------------------------------------------------------------------

    def _tagged(self, arn: str) -> Topic:
        topic = self.store.find_topic(arn)
        if topic is None:
            raise client_error("ResourceNotFound", "Resource does not exist", status=404)
        return topic

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        topic = self._tagged(resource_arn)
        merged = {**topic.tags, **check_tags(tags)}
        if len(merged) > 50:
            raise client_error("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded")
        self.store.put_topic(Topic(topic.arn, topic.account, topic.region, topic.name, topic.fifo, topic.attributes, merged))
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        topic = self._tagged(resource_arn)
        kept = {k: v for k, v in topic.tags.items() if k not in set(tag_keys)}
        self.store.put_topic(Topic(topic.arn, topic.account, topic.region, topic.name, topic.fifo, topic.attributes, kept))
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        return {"Tags": [{"Key": k, "Value": v} for k, v in self._tagged(resource_arn).tags.items()]}

    # -- subscriptions ------------------------------------------------------------------------

    def subscribe(self, ctx: RequestContext, topic_arn: str, protocol: str, endpoint: str | None = None,
                  attributes: dict[str, str] | None = None, return_subscription_arn: bool = False) -> dict[str, Any]:
        topic = self.store.topic(check_arn(ctx, topic_arn))
        protocol = protocol.lower()
        if protocol not in PROTOCOLS:
            raise invalid(f"Amazon SNS does not support this protocol string: {protocol}")
        endpoint = endpoint or ""
        _check_endpoint(protocol, endpoint)
        if topic.fifo and protocol != "sqs":
            raise invalid("Invalid protocol type: " + protocol)
        if protocol == "sqs" and not topic.fifo and endpoint.endswith(".fifo"):
            raise invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
        clean = check_subscription_attributes(attributes or {}, {}, subscribe=True)
        for sub in self.store.subscriptions(topic_arn):
            if sub.protocol == protocol and sub.endpoint == endpoint:
                # an attribute given with its default value matches a subscription without it
                if any(sub.attributes.get(k, SUBSCRIPTION_DEFAULTS.get(k)) != v for k, v in clean.items()):
                    raise invalid("Attributes Reason: Subscription already exists with different attributes")
                return {"SubscriptionArn": sub.arn if sub.confirmed or return_subscription_arn else "pending confirmation"}
        pending = protocol in ("http", "https", "email", "email-json")
        sub = Subscription(f"{topic_arn}:{uuid.uuid4()}", topic_arn, ctx.account, protocol, endpoint, clean,
                           confirmed=not pending, token=uuid.uuid4().hex * 2 if pending else None,
                           created_at=self.clock.now(), principal=ctx.caller_arn)
        with self.platform.db.tx():
            self.store.put_subscription(sub)
            if protocol in ("http", "https"):
                self._send_confirmation(ctx, sub)
        if pending and not return_subscription_arn:
            return {"SubscriptionArn": "pending confirmation"}
        return {"SubscriptionArn": sub.arn}

    def _send_confirmation(self, ctx: RequestContext, sub: Subscription) -> None:
        message_id = str(uuid.uuid4())
        topic = self.store.topic(sub.topic_arn)
        body = formats.confirmation(sub.topic_arn, sub.token or "", ctx.endpoint, message_id, self.clock.now(),
                                    self.platform.component(Signer).sign,
                                    topic.attributes.get("SignatureVersion") or "1")
        targets.record(self.platform, sub.arn, body, retry=HTTP_RETRY,
                       options={"MessageType": "SubscriptionConfirmation", "MessageId": message_id})

    def confirm_subscription(self, ctx: RequestContext, topic_arn: str, token: str,
                             authenticate_on_unsubscribe: str | None = None) -> dict[str, Any]:
        sub = self.store.by_token(token)  # AWS checks the token first
        if sub is None:
            raise invalid("Token")
        self.store.topic(check_arn(ctx, topic_arn))
        if sub.topic_arn != topic_arn:
            raise invalid("Token")
        if not sub.confirmed:
            self.store.put_subscription(sub.with_(confirmed=True))
        return {"SubscriptionArn": sub.arn}

    def unsubscribe(self, ctx: RequestContext, subscription_arn: str) -> dict[str, Any]:
        check_arn(ctx, subscription_arn, "SubscriptionArn")
        # AWS answers 200 for a well-formed ARN of no subscription
        self.store.delete_subscription(subscription_arn)
        return {}

    def _listing(self, subs: list[Subscription], token: str | None) -> dict[str, Any]:
        chunk, nxt = page(subs, token)  # opaque tokens, as AWS's
        out: dict[str, Any] = {"Subscriptions": [
            {"SubscriptionArn": s.arn if s.confirmed else "PendingConfirmation", "Owner": s.owner,
             "Protocol": s.protocol, "Endpoint": s.endpoint, "TopicArn": s.topic_arn} for s in chunk]}
        if nxt:
            out["NextToken"] = nxt
        return out

    def list_subscriptions(self, ctx: RequestContext, next_token: str | None = None) -> dict[str, Any]:
        return self._listing(self.store.subscriptions(account=ctx.account), next_token)

    def list_subscriptions_by_topic(self, ctx: RequestContext, topic_arn: str, next_token: str | None = None) -> dict[str, Any]:
        self.store.topic(check_arn(ctx, topic_arn))
        return self._listing(self.store.subscriptions(topic_arn), next_token)

    def _subscription(self, arn: str) -> Subscription:
        sub = self.store.subscription(arn)
        if sub is None:
            raise not_found("Subscription")
        return sub

    def get_subscription_attributes(self, ctx: RequestContext, subscription_arn: str) -> dict[str, Any]:
        check_arn(ctx, subscription_arn, "SubscriptionArn")
        return {"Attributes": subscription_attributes(self._subscription(subscription_arn), EFFECTIVE_DELIVERY_POLICY)}

    def set_subscription_attributes(self, ctx: RequestContext, subscription_arn: str, attribute_name: str,
                                    attribute_value: str | None = None) -> dict[str, Any]:
        sub = self._subscription(check_arn(ctx, subscription_arn, "SubscriptionArn"))
        clean = check_subscription_attributes({attribute_name: attribute_value or ""}, sub.attributes, subscribe=False)
        if attribute_name == "FilterPolicy" and not attribute_value:
            clean.pop("FilterPolicyScope", None)  # AWS: an empty FilterPolicy drops the scope too
        self.store.put_subscription(sub.with_(attributes={k: v for k, v in clean.items() if v != ""}))
        return {}

    # -- publish ------------------------------------------------------------------------------

    def publish(self, ctx: RequestContext, message: str, topic_arn: str | None = None, target_arn: str | None = None,
                phone_number: str | None = None, subject: str | None = None, message_structure: str | None = None,
                message_attributes: dict[str, Any] | None = None, message_deduplication_id: str | None = None,
                message_group_id: str | None = None) -> dict[str, Any]:
        arn = topic_arn if topic_arn is not None else target_arn
        if arn is None:
            if phone_number is not None:
                return self.publish_to_phone(ctx, phone_number, message, subject, message_attributes)
            raise invalid("TopicArn or TargetArn Reason: no value for required parameter")
        if topic_arn is None and ":endpoint/" in arn:
            check_arn(ctx, arn, "TargetArn")
            return self.publish_to_endpoint(ctx, arn, message, subject, message_structure, message_attributes)
        topic = self.store.topic(check_arn(ctx, arn, "TopicArn" if topic_arn is not None else "TargetArn"))
        check_key(self.platform, topic)
        structure = check_message(topic, message, subject, message_structure, message_attributes,
                                  message_group_id, message_deduplication_id)
        sent = publish(self.platform, topic, message, subject=subject, structure=structure,
                       attributes=message_attributes, group_id=message_group_id,
                       dedup_id=message_deduplication_id, endpoint=ctx.endpoint, trace=ctx.trace_header)
        out: dict[str, Any] = {"MessageId": sent.message_id}
        if sent.sequence_number:
            out["SequenceNumber"] = sent.sequence_number
        return out

    def publish_batch(self, ctx: RequestContext, topic_arn: str, publish_batch_request_entries: list[dict[str, Any]]) -> dict[str, Any]:
        entries = publish_batch_request_entries or []
        topic = self.store.topic(check_arn(ctx, topic_arn))
        check_batch_ids(entries)
        check_key(self.platform, topic)
        size = sum(message_size(e.get("Message") or "", e.get("MessageAttributes")) for e in entries)
        if size > MAX_SIZE:
            raise client_error("BatchRequestTooLong", "The length of all the messages put together is more than the limit.")
        for entry in entries:  # AWS: an entry's FIFO, structure or attribute error fails the whole call
            check_shape(topic, entry.get("Message") or "{}", entry.get("MessageStructure"),
                        entry.get("MessageAttributes"), entry.get("MessageGroupId"), entry.get("MessageDeduplicationId"))
        successful, failed = [], []
        for entry in entries:
            try:
                result = self.publish(ctx, entry["Message"], topic_arn=topic.arn, subject=entry.get("Subject"),
                                      message_structure=entry.get("MessageStructure"),
                                      message_attributes=entry.get("MessageAttributes"),
                                      message_deduplication_id=entry.get("MessageDeduplicationId"),
                                      message_group_id=entry.get("MessageGroupId"))
                successful.append({"Id": entry["Id"], **result})
            except ServiceError as error:
                failed.append({"Id": entry["Id"], "Code": error.code, "Message": error.message,
                               "SenderFault": error.sender_fault})
        out: dict[str, Any] = {"Successful": successful}
        if failed:
            out["Failed"] = failed
        return out


def _check_endpoint(protocol: str, endpoint: str) -> None:
    if protocol in ("sqs", "lambda", "firehose", "application"):
        service = {"sqs": "sqs", "lambda": "lambda", "firehose": "firehose", "application": "sns"}[protocol]
        if not arns.is_arn(endpoint) or arns.parse(endpoint).service != service:
            names = {"sqs": "SQS endpoint ARN", "lambda": "Lambda endpoint ARN", "firehose": "Firehose endpoint ARN",
                     "application": "Application endpoint ARN"}
            raise invalid(names[protocol])
    elif protocol in ("http", "https") and not endpoint.lower().startswith(f"{protocol}://"):
        raise invalid("Endpoint must match the specified protocol")
    elif protocol in ("email", "email-json") and "@" not in endpoint:
        raise invalid("Email address")
    elif protocol == "sms" and not is_phone_number(endpoint):
        raise invalid(f"Invalid SMS endpoint: {endpoint}")
