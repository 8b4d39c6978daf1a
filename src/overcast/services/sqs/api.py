"""SQS operations, one plain method each (the same methods answer the json and the query protocol)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.sqs import attributes as qattrs
from overcast.services.sqs import metrics
from overcast.services.sqs.batches import MAX_BATCH_BYTES, check_batch, entry_size, run_batch
from overcast.services.sqs.encryption import check_key
from overcast.services.sqs.errors import (
    QUERY_NO_QUEUE,
    BatchRequestTooLong,
    InvalidAttributeValue,
    InvalidParameterValue,
    PurgeQueueInProgress,
    QueueDeletedRecently,
    QueueDoesNotExist,
    QueueNameExists,
    invalid_value,
)
from overcast.services.sqs.messages import Messages, signal_key
from overcast.services.sqs.movetasks import MoveTasks
from overcast.services.sqs.query_protocol import refuse_account_action
from overcast.services.sqs.queues import Queue, QueueStore, arn_from_url, queue_arn
from overcast.services.sqs.shapes import check_fifo_entry, outgoing, render

PURGE_INTERVAL = 60     # AWS: one PurgeQueue per queue every 60 seconds
RECREATE_WAIT = 60      # AWS: a deleted queue's name can be reused after 60 seconds


def _token(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def _untoken(token: str | None) -> str:
    if not token:
        return ""
    try:
        return base64.b64decode(token).decode()
    except ValueError:
        raise InvalidParameterValue("Invalid or expired next token.") from None


#: tags per queue (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html)
MAX_TAGS = 50
TOO_MANY_TAGS = "Too many tags added for queue. Maximum number of tags allowed per queue is 50."


class SqsApi:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.clock = platform.clock
        self.queues = platform.component(QueueStore)
        self.messages = platform.component(Messages)
        self.tasks = platform.component(MoveTasks)
        self.default_region = platform.config.default_region

    def _queue(self, ctx: RequestContext, queue_url: str) -> Queue:
        with _wording(ctx):
            return self.queues.get(arn_from_url(queue_url, ctx.account, ctx.region))

    # -- queues -------------------------------------------------------------------------------

    def create_queue(self, ctx: RequestContext, queue_name: str, attributes: dict[str, str] | None = None,
                     tags: dict[str, str] | None = None) -> dict[str, Any]:
        refuse_account_action("CreateQueue", ctx.request)
        attributes = attributes or {}
        fifo = str(attributes.get("FifoQueue", "")).lower() == "true"
        qattrs.check_queue_name(queue_name, fifo)
        if tags and len(tags) > MAX_TAGS:  # the per-queue tag quota holds at creation too
            raise InvalidParameterValue(TOO_MANY_TAGS)
        clean = qattrs.check(attributes, fifo=fifo, creating=True)
        arn = queue_arn(ctx.region, ctx.account, queue_name)
        existing = self.queues.find(arn)
        if existing is not None:
            for name, value in clean.items():
                if existing.attributes.get(name, "") != value:
                    raise QueueNameExists(f"A queue already exists with the same name and a different value for attribute {name}")
            return {"QueueUrl": existing.url(ctx.endpoint, self.default_region)}
        deleted_at = self.queues.deleted.get(arn)
        if deleted_at is not None and self.clock.aws_elapsed(deleted_at) < RECREATE_WAIT:
            raise QueueDeletedRecently(
                "You must wait 60 seconds after deleting a queue before you can create another with the same name."
            )
        values = {**qattrs.defaults(fifo), **clean}
        self._check_redrive(arn, fifo, values.get("RedrivePolicy"))
        now = self.clock.now()
        queue = Queue(arn, ctx.account, ctx.region, queue_name, fifo, values, dict(tags or {}), now, now)
        self.queues.put(queue)
        return {"QueueUrl": queue.url(ctx.endpoint, self.default_region)}

    def _check_redrive(self, source_arn: str, fifo: bool, policy: str | None) -> None:
        if not policy:
            return
        target = self.queues.find(json.loads(policy)["deadLetterTargetArn"])
        reason = None
        if target is None:
            reason = "Dead letter target does not exist."
        elif target.fifo != fifo:
            reason = "Dead-letter queue must be same type of queue as the source."
        elif not qattrs.allows_source(target.attributes.get("RedriveAllowPolicy"), source_arn):
            reason = "Dead-letter target owner does not allow this queue to use it as a dead-letter queue."
        if reason:
            raise InvalidAttributeValue(f"Value {policy} for parameter RedrivePolicy is invalid. Reason: {reason}")

    def get_queue_url(self, ctx: RequestContext, queue_name: str,
                      queue_owner_aws_account_id: str | None = None) -> dict[str, Any]:
        account = queue_owner_aws_account_id or ctx.account
        with _wording(ctx):
            return {"QueueUrl": self.queues.get(queue_arn(ctx.region, account, queue_name)).url(ctx.endpoint, self.default_region)}

    def list_queues(self, ctx: RequestContext, queue_name_prefix: str = "", next_token: str | None = None,
                    max_results: int | None = None) -> dict[str, Any]:
        refuse_account_action("ListQueues", ctx.request)
        if max_results is not None and not 1 <= max_results <= 1000:
            raise invalid_value(max_results, "MaxResults", "MaxResults must be an integer between 1 and 1000")
        after = _untoken(next_token)
        queues = [q for q in self.queues.names(ctx.account, ctx.region, queue_name_prefix or "") if q.name > after]
        page = queues[: max_results or 1000]
        out: dict[str, Any] = {}
        if page:
            out["QueueUrls"] = [q.url(ctx.endpoint, self.default_region) for q in page]
        if max_results and len(queues) > len(page):
            out["NextToken"] = _token(page[-1].name)
        return out

    def delete_queue(self, ctx: RequestContext, queue_url: str) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        self.queues.delete(queue.arn)
        self.queues.deleted[queue.arn] = self.clock.now()
        self.platform.signals.notify(signal_key(queue.arn))
        return {}

    def get_queue_attributes(self, ctx: RequestContext, queue_url: str,
                             attribute_names: list[str] | None = None) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        if not attribute_names:
            return {}
        visible, in_flight, delayed = self.messages.counts(queue)
        available = {name: value for name, value in queue.attributes.items() if value != ""}
        if "KmsMasterKeyId" in available:  # the reuse period is reported only while a KMS key is set
            available.setdefault("KmsDataKeyReusePeriodSeconds", "300")
        else:
            available.pop("KmsDataKeyReusePeriodSeconds", None)
        available.update(
            QueueArn=queue.arn,
            ApproximateNumberOfMessages=str(visible),
            ApproximateNumberOfMessagesNotVisible=str(in_flight),
            ApproximateNumberOfMessagesDelayed=str(delayed),
            CreatedTimestamp=str(int(queue.created_at)),
            LastModifiedTimestamp=str(int(queue.modified_at)),
        )
        picked = qattrs.selected(attribute_names, available)
        return {"Attributes": picked} if picked else {}

    def set_queue_attributes(self, ctx: RequestContext, queue_url: str, attributes: dict[str, str]) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        clean = qattrs.check(attributes or {}, fifo=queue.fifo, creating=False)
        self._check_redrive(queue.arn, queue.fifo, clean.get("RedrivePolicy"))
        values = {**queue.attributes, **clean}
        self.queues.put(Queue(queue.arn, queue.account, queue.region, queue.name, queue.fifo, values, queue.tags,
                              queue.created_at, self.clock.now(), queue.purged_at))
        return {}

    def purge_queue(self, ctx: RequestContext, queue_url: str) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        if queue.purged_at is not None and self.clock.aws_elapsed(queue.purged_at) < PURGE_INTERVAL:
            raise PurgeQueueInProgress(f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.")
        self.messages.purge(queue)
        self.queues.put(Queue(queue.arn, queue.account, queue.region, queue.name, queue.fifo, queue.attributes,
                              queue.tags, queue.created_at, queue.modified_at, self.clock.now()))
        return {}

    def list_dead_letter_source_queues(self, ctx: RequestContext, queue_url: str, next_token: str | None = None,
                                       max_results: int | None = None) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        after = _untoken(next_token)
        sources = [q for q in self.queues.sources_of(queue.arn) if q.name > after]
        page = sources[: max_results or 1000]
        out: dict[str, Any] = {"queueUrls": [q.url(ctx.endpoint, self.default_region) for q in page]}
        if max_results and len(sources) > len(page):
            out["NextToken"] = _token(page[-1].name)
        return out

    # -- tags and permissions ---------------------------------------------------------------------

    def _retag(self, queue: Queue, tags: dict[str, str]) -> None:
        self.queues.put(Queue(queue.arn, queue.account, queue.region, queue.name, queue.fifo, queue.attributes,
                              tags, queue.created_at, queue.modified_at, queue.purged_at))

    def tag_queue(self, ctx: RequestContext, queue_url: str, tags: dict[str, str]) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        merged = {**queue.tags, **(tags or {})}
        if len(merged) > MAX_TAGS:
            raise InvalidParameterValue(TOO_MANY_TAGS)
        self._retag(queue, merged)
        return {}

    def untag_queue(self, ctx: RequestContext, queue_url: str, tag_keys: list[str]) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        self._retag(queue, {k: v for k, v in queue.tags.items() if k not in set(tag_keys or [])})
        return {}

    def list_queue_tags(self, ctx: RequestContext, queue_url: str) -> dict[str, Any]:
        tags = self._queue(ctx, queue_url).tags
        return {"Tags": tags} if tags else {}

    def add_permission(self, ctx: RequestContext, queue_url: str, label: str, aws_account_ids: list[str],
                       actions: list[str]) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        # AWS's policy: Version 2008-10-17, Id "<arn>/SQSDefaultPolicy", a single value as a string
        policy = json.loads(queue.attributes.get("Policy") or json.dumps(
            {"Version": "2008-10-17", "Id": f"{queue.arn}/SQSDefaultPolicy", "Statement": []}))
        if any(s.get("Sid") == label for s in policy["Statement"]):
            raise invalid_value(label, "Label", "Already exists.")
        policy["Statement"].append({
            "Sid": label, "Effect": "Allow",
            "Principal": {"AWS": _one_or_list([f"arn:aws:iam::{a}:root" for a in aws_account_ids])},
            "Action": _one_or_list([f"SQS:{a}" for a in actions]), "Resource": queue.arn,
        })
        return self.set_queue_attributes(ctx, queue_url, {"Policy": json.dumps(policy)})

    def remove_permission(self, ctx: RequestContext, queue_url: str, label: str) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        policy = json.loads(queue.attributes.get("Policy") or '{"Statement":[]}')
        kept = [s for s in policy["Statement"] if s.get("Sid") != label]
        if len(kept) == len(policy["Statement"]):
            raise invalid_value(label, "Label", "can't find label on existing policy.")
        policy["Statement"] = kept
        return self.set_queue_attributes(ctx, queue_url, {"Policy": json.dumps(policy) if kept else ""})

    # -- messages -----------------------------------------------------------------------------

    def send_message(self, ctx: RequestContext, queue_url: str, message_body: str, delay_seconds: int | None = None,
                     message_attributes: dict[str, Any] | None = None,
                     message_system_attributes: dict[str, Any] | None = None,
                     message_deduplication_id: str | None = None, message_group_id: str | None = None) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        check_key(self.platform, queue, ctx.request_id)
        out = outgoing(queue, message_body, delay_seconds, message_attributes,
                       _with_trace(ctx, message_system_attributes), message_group_id, message_deduplication_id)
        return _sent(self.messages.send(queue, out, ctx.account))

    def send_message_batch(self, ctx: RequestContext, queue_url: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        check_batch(entries, "SendMessageBatchRequestEntry")
        check_key(self.platform, queue, ctx.request_id)
        size = sum(entry_size(e) for e in entries)
        if size > MAX_BATCH_BYTES:
            raise BatchRequestTooLong(f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {size} bytes.")
        if queue.fifo:
            for entry in entries:
                check_fifo_entry(queue, entry)

        def one(entry: dict[str, Any]) -> dict[str, Any]:
            out = outgoing(queue, entry.get("MessageBody"), entry.get("DelaySeconds"), entry.get("MessageAttributes"),
                           _with_trace(ctx, entry.get("MessageSystemAttributes")), entry.get("MessageGroupId"),
                           entry.get("MessageDeduplicationId"))
            return {"Id": entry["Id"], **_sent(self.messages.send(queue, out, ctx.account))}

        with self.platform.db.tx():
            return run_batch(entries, one)

    async def receive_message(self, ctx: RequestContext, queue_url: str, attribute_names: list[str] | None = None,
                              message_system_attribute_names: list[str] | None = None,
                              message_attribute_names: list[str] | None = None,
                              max_number_of_messages: int | None = None, visibility_timeout: int | None = None,
                              wait_time_seconds: int | None = None,
                              receive_request_attempt_id: str | None = None) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        check_key(self.platform, queue, ctx.request_id)
        count = 1 if max_number_of_messages is None else max_number_of_messages
        if not 1 <= count <= 10:
            raise invalid_value(count, "MaxNumberOfMessages", "Must be between 1 and 10, if provided")
        wait = queue.number("ReceiveMessageWaitTimeSeconds") if wait_time_seconds is None else wait_time_seconds
        if not 0 <= wait <= 20:
            raise invalid_value(wait, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided")
        if visibility_timeout is not None and not 0 <= visibility_timeout <= 43_200:
            raise invalid_value(visibility_timeout, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided")
        names = [*(attribute_names or []), *(message_system_attribute_names or [])]
        deadline = self.clock.monotonic() + self.clock.scaled(wait)
        while True:
            got = self.messages.receive(queue, count, visibility_timeout, receive_request_attempt_id)
            remaining = deadline - self.clock.monotonic()
            if got or remaining <= 0:
                break
            await self.platform.signals.wait(signal_key(queue.arn), remaining)
            queue = self.queues.get(queue.arn)
        if not got:
            # NumberOfEmptyReceives: ReceiveMessage calls that returned no message
            metrics.count(self.platform, queue.account, queue.region, queue.name, "NumberOfEmptyReceives", 1.0)
            return {}
        return {"Messages": [render(m, queue.fifo, names, message_attribute_names) for m in got]}

    def delete_message(self, ctx: RequestContext, queue_url: str, receipt_handle: str) -> dict[str, Any]:
        self.messages.delete(self._queue(ctx, queue_url), receipt_handle)
        return {}

    def delete_message_batch(self, ctx: RequestContext, queue_url: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        check_batch(entries, "DeleteMessageBatchRequestEntry")

        def one(entry: dict[str, Any]) -> dict[str, Any]:
            self.messages.delete(queue, entry["ReceiptHandle"])
            return {"Id": entry["Id"]}

        with self.platform.db.tx():
            return run_batch(entries, one)

    def change_message_visibility(self, ctx: RequestContext, queue_url: str, receipt_handle: str,
                                  visibility_timeout: int) -> dict[str, Any]:
        self.messages.change_visibility(self._queue(ctx, queue_url), receipt_handle, visibility_timeout)
        return {}

    def change_message_visibility_batch(self, ctx: RequestContext, queue_url: str,
                                        entries: list[dict[str, Any]]) -> dict[str, Any]:
        queue = self._queue(ctx, queue_url)
        check_batch(entries, "ChangeMessageVisibilityBatchRequestEntry")

        def one(entry: dict[str, Any]) -> dict[str, Any]:
            self.messages.change_visibility(queue, entry["ReceiptHandle"], entry.get("VisibilityTimeout") or 0)
            return {"Id": entry["Id"]}

        with self.platform.db.tx():
            return run_batch(entries, one)

    # -- message move tasks -------------------------------------------------------------------

    def start_message_move_task(self, ctx: RequestContext, source_arn: str, destination_arn: str | None = None,
                                max_number_of_messages_per_second: int | None = None) -> dict[str, Any]:
        return {"TaskHandle": self.tasks.start(source_arn, destination_arn, max_number_of_messages_per_second)}

    def cancel_message_move_task(self, ctx: RequestContext, task_handle: str) -> dict[str, Any]:
        return {"ApproximateNumberOfMessagesMoved": self.tasks.cancel(task_handle)}

    def list_message_move_tasks(self, ctx: RequestContext, source_arn: str, max_results: int | None = None) -> dict[str, Any]:
        return {"Results": self.tasks.list(source_arn, 1 if max_results is None else max_results)}


def _sent(sent: Any) -> dict[str, Any]:
    out = {"MessageId": sent.message_id, "MD5OfMessageBody": sent.md5_body}
    if sent.md5_attributes:
        out["MD5OfMessageAttributes"] = sent.md5_attributes
    if sent.md5_system:
        out["MD5OfMessageSystemAttributes"] = sent.md5_system
    if sent.sequence_number:
        out["SequenceNumber"] = sent.sequence_number
    return out


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _with_trace(ctx: RequestContext, system: dict[str, Any] | None) -> dict[str, Any] | None:
    """AWS turns the request's X-Amzn-Trace-Id header (which SDKs inside a Lambda function send) into
    the AWSTraceHeader system attribute (an explicit AWSTraceHeader wins); Lambda's recursive loop
    detection follows it."""
    trace = ctx.trace_header
    if not trace or (system and "AWSTraceHeader" in system):
        return system
    return {**(system or {}), "AWSTraceHeader": {"DataType": "String", "StringValue": trace}}


def _is_query(ctx: RequestContext) -> bool:
    return ctx.request is not None and not ctx.request.headers.get("x-amz-target")


@contextmanager
def _wording(ctx: RequestContext) -> Iterator[None]:
    """QueueDoesNotExist in the query protocol's words."""
    try:
        yield
    except QueueDoesNotExist as error:
        if _is_query(ctx) and error.message == QueueDoesNotExist().message:
            raise QueueDoesNotExist(QUERY_NO_QUEUE) from None
        raise
