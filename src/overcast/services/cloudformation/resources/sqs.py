"""AWS::SQS::Queue and AWS::SQS::QueuePolicy."""

from __future__ import annotations

import json
from typing import Any

from overcast.services.cloudformation.errors import ResourceFailure
from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import as_json, tags_map

#: template properties that are queue attributes (everything but the name and tags)
_ATTRIBUTES = (
    "ContentBasedDeduplication", "DeduplicationScope", "DelaySeconds", "FifoQueue", "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId", "MaximumMessageSize", "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds", "RedriveAllowPolicy", "RedrivePolicy", "SqsManagedSseEnabled",
    "VisibilityTimeout",
)


def _attributes(props: dict[str, Any]) -> dict[str, str]:
    out = {}
    for name in _ATTRIBUTES:
        value = props.get(name)
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        out[name] = as_json(value) if isinstance(value, dict) else str(value)
    return out


def _fifo(props: dict[str, Any]) -> bool:
    return str(props.get("FifoQueue", "")).lower() == "true"


class QueueProvider(Provider):
    """Ref is the queue URL; GetAtt Arn, QueueName, QueueUrl."""

    types = ("AWS::SQS::Queue",)
    replace = frozenset({"QueueName", "FifoQueue"})
    name_property = "QueueName"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        suffix = ".fifo" if _fifo(props) else ""
        name = d.name("QueueName", 80, suffix=suffix)
        result = await d.call("sqs", "CreateQueue", {"QueueName": name, "Attributes": _attributes(props),
                                                     "Tags": tags_map(props.get("Tags"))})
        return self._outcome(d, result["QueueUrl"], name)

    def _outcome(self, d: Deployment, url: str, name: str) -> Outcome:
        arn = d.arn("sqs", name)
        return Outcome(url, {"Arn": arn, "QueueName": name, "QueueUrl": url})

    async def update(self, d: Deployment) -> Outcome:
        url = d.physical_id or ""
        new, old = _attributes(d.properties), _attributes(d.old_properties)
        defaults = {"DelaySeconds": "0", "MaximumMessageSize": "262144", "MessageRetentionPeriod": "345600",
                    "ReceiveMessageWaitTimeSeconds": "0", "VisibilityTimeout": "30", "RedrivePolicy": "",
                    "RedriveAllowPolicy": "", "KmsMasterKeyId": ""}
        changes = {k: v for k, v in new.items() if old.get(k) != v}
        changes.update({k: defaults[k] for k in old if k not in new and k in defaults})
        if changes:
            await d.call("sqs", "SetQueueAttributes", {"QueueUrl": url, "Attributes": changes})
        old_tags, new_tags = tags_map(d.old_properties.get("Tags")), tags_map(d.properties.get("Tags"))
        gone = [k for k in old_tags if k not in new_tags]
        if gone:
            await d.call("sqs", "UntagQueue", {"QueueUrl": url, "TagKeys": gone})
        if new_tags != old_tags and new_tags:
            await d.call("sqs", "TagQueue", {"QueueUrl": url, "Tags": new_tags})
        return self._outcome(d, url, url.rstrip("/").rsplit("/", 1)[-1])

    async def recover(self, d: Deployment) -> str | None:
        if not d.reserved_name:
            return None
        try:
            return str((await d.call("sqs", "GetQueueUrl", {"QueueName": d.reserved_name}))["QueueUrl"])
        except ResourceFailure:
            return None

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("sqs", "DeleteQueue", {"QueueUrl": d.physical_id})


class QueuePolicyProvider(Provider):
    """Sets each queue's Policy attribute; Ref is an id CloudFormation makes up."""

    types = ("AWS::SQS::QueuePolicy",)

    async def create(self, d: Deployment) -> Outcome:
        await self._apply(d, d.properties.get("Queues") or [], d.properties.get("PolicyDocument"))
        return Outcome(d.physical_id or d.generated_name(128))

    async def update(self, d: Deployment) -> Outcome:
        removed = [q for q in d.old_properties.get("Queues") or [] if q not in (d.properties.get("Queues") or [])]
        await self._apply(d, removed, None)
        return await self.create(d)

    async def delete(self, d: Deployment) -> None:
        await self._apply(d, d.properties.get("Queues") or [], None, quiet=True)

    async def _apply(self, d: Deployment, queues: list[str], document: Any, quiet: bool = False) -> None:
        policy = json.dumps(document) if isinstance(document, dict) else (document or "")
        for url in queues:
            params = {"QueueUrl": url, "Attributes": {"Policy": policy}}
            if quiet:
                await d.call_quietly("sqs", "SetQueueAttributes", params)
            else:
                await d.call("sqs", "SetQueueAttributes", params)


PROVIDERS = [QueueProvider(), QueuePolicyProvider()]
