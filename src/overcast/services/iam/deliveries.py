"""IAM for deliveries between services and for Lambda's pollers (docs/iam.md): the one check the
outbox and the event source mappings make when `--iam` is `report` or `enforce`.

AWS's rules: a service delivering to a resource (EventBridge to a queue, SNS to a function, S3 to a
topic) needs the target's resource policy to allow the service principal, usually with
`aws:SourceArn`/`aws:SourceAccount` conditions; a delivery made with a role (a function's
destinations and dead-letter queue, an event source mapping reading its source) needs the role's
policies to allow it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from overcast import arns
from overcast.authz.evaluation import ROOT, SERVICE, Principal, denial_message
from overcast.authz.keys import delivery_keys
from overcast.platform import Platform
from overcast.services.iam.enforcement import Enforcer
from overcast.services.iam.kms_access import KeyCheck, grant_allows
from overcast.services.iam.via_service import sqs_key_checks

#: the action a delivery performs on its target, by the target's service
TARGET_ACTIONS = {
    "sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction",
    "events": "events:PutEvents", "kinesis": "kinesis:PutRecord", "firehose": "firehose:PutRecord",
    "s3": "s3:PutObject", "states": "states:StartExecution", "logs": "logs:PutLogEvents",
}


def _target_resource(target_arn: str) -> str:
    """The resource a delivery acts on (an S3 destination is a bucket: its objects' ARN pattern)."""
    return f"{target_arn}/*" if target_arn.startswith("arn:aws:s3:::") and "/" not in target_arn else target_arn


def authorize_delivery(platform: Platform, target_arn: str, auth: dict[str, str]) -> str | None:
    """AWS's denial message when the delivery is not allowed and IAM is enforced; None otherwise
    (under `report` a denial is only recorded)."""
    try:
        service = arns.parse(target_arn).service
    except ValueError:
        return None
    action = TARGET_ACTIONS.get(service)
    if action is None:
        return None
    enforcer = platform.component(Enforcer)
    resource = _target_resource(target_arn)
    if auth.get("service"):
        principal = Principal(auth["service"], auth.get("source_account") or "", SERVICE)
        context = delivery_keys(auth.get("source_arn"), auth.get("source_account"))
    elif auth.get("account"):  # the source's own account (delivery.as_account): its root user
        account = auth["account"]
        principal = Principal(f"arn:aws:iam::{account}:root", account, ROOT, user_id=account)
        context = delivery_keys(auth.get("source_arn"), account) | {"aws:sourceowner": account}
    elif auth.get("role"):
        principal = enforcer.role(auth["role"], auth.get("session") or "delivery")
        context = {}
    else:
        return None
    checks: list[tuple[str, str, dict[str, Any], Callable[[], bool] | None]] = [(action, resource, context, None)]
    for check in sqs_key_checks(platform, "SendMessage", target_arn) if service == "sqs" else []:
        # into an encrypted queue: the deliverer uses its key through SQS (the key policy must allow
        # a service principal: sns.amazonaws.com, events.amazonaws.com, s3.amazonaws.com)
        via = {**context, "kms:viaservice": f"sqs.{target_arn.split(':')[3]}.amazonaws.com",
               "kms:encryptioncontext:aws:sqs:arn": target_arn}
        checks.append((check.action, check.resource, via, grant_allows(principal, check)))
    for act, res, keys, grant in checks:
        decision = enforcer.decide(principal, act, res, keys, grant=grant)
        if not decision.allowed and enforcer.enforcing:
            return f"User: {principal.arn} is not authorized to perform: {act} on resource: {res} " \
                   f"{decision.because(act)}"
    return None


def authorize_poll(platform: Platform, role_arn: str, function_name: str, action: str, source_arn: str) -> str | None:
    """What an event source mapping reports (LastProcessingResult) when the function's execution
    role may not read its source (or decrypt an encrypted queue's messages) under `--iam enforce`;
    None when it may (or IAM only reports)."""
    denied = authorize_source(platform, role_arn, function_name, action, source_arn)
    if denied is not None or action != "sqs:ReceiveMessage":
        return denied
    enforcer = platform.component(Enforcer)
    return _queue_key(platform, enforcer, enforcer.role(role_arn, function_name), source_arn)


def authorize_source(platform: Platform, role_arn: str, function_name: str, action: str,
                     source_arn: str) -> str | None:
    """`authorize_poll` without the queue's KMS key: what CreateEventSourceMapping checks."""
    enforcer = platform.component(Enforcer)
    session = enforcer.role(role_arn, function_name)
    decision = enforcer.decide(session, action, source_arn, {})
    if decision.allowed or not enforcer.enforcing:
        return None
    return source_refusal(source_arn)


def _queue_key(platform: Platform, enforcer: Enforcer, session: Principal, queue_arn: str) -> str | None:
    """An encrypted queue's messages are read with `kms:Decrypt` on its KMS key, through SQS
    ([AWS](https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions)): the
    key policy, the execution role's policies and the key's grants decide, as for a direct call."""
    from overcast.services.kms.inbox import key_of
    from overcast.services.sqs.inbox import get_queue

    queue = get_queue(platform, queue_arn)
    key_id = queue.attributes.get("KmsMasterKeyId") if queue is not None else None
    if not key_id:
        return None
    parts = queue_arn.split(":")
    found = key_of(platform, parts[4], parts[3], str(key_id))
    if found is None:  # no such key (yet): the receive itself fails with SQS's KMS error
        return None
    check = KeyCheck("kms:Decrypt", found[0], found[2])
    context = {"kms:calleraccount": session.account, "kms:viaservice": f"sqs.{parts[3]}.amazonaws.com"}
    decision = enforcer.decide(session, check.action, check.resource, context, grant=grant_allows(session, check))
    if decision.allowed or not enforcer.enforcing:
        return None
    return "The provided execution role does not have permissions to call Decrypt on KMS"


def poll_action(source_arn: str) -> str:
    """What a mapping calls on its source: SQS's ReceiveMessage, the streams' GetRecords."""
    service = source_arn.split(":")[2] if source_arn.count(":") >= 2 else ""
    return {"sqs": "sqs:ReceiveMessage", "dynamodb": "dynamodb:GetRecords"}.get(service, "kinesis:GetRecords")


def source_refusal(source_arn: str) -> str:
    """Lambda's message when the execution role cannot read an event source."""
    if ":sqs:" in source_arn:
        return "The provided execution role does not have permissions to call ReceiveMessage on SQS"
    listing = "ListStreams" if ":dynamodb:" in source_arn else "ListShards"
    return (f"Cannot access stream {source_arn}. Please ensure the role can perform the GetRecords, "
            f"GetShardIterator, DescribeStream, and {listing} Actions on your stream in IAM.")


def authorize_role(platform: Platform, role_arn: str, session: str, resource: str,
                   action: str | None = None) -> str | None:
    """AWS's denial message when a session of `role_arn` may not perform `action` (by default what
    a delivery to `resource` performs, `TARGET_ACTIONS`) on `resource` under `--iam enforce`; None
    when it may (or IAM only reports). For the calls a service makes in process with a role it was
    given (a pipe's RoleArn reading its source, invoking its enrichment and target)."""
    if action is None:
        try:
            action = TARGET_ACTIONS.get(arns.parse(resource).service)
        except ValueError:
            return None
        if action is None:
            return None
    enforcer = platform.component(Enforcer)
    principal = enforcer.role(role_arn, session)
    target = _target_resource(resource)
    decision = enforcer.decide(principal, action, target, {})
    if decision.allowed or not enforcer.enforcing:
        return None
    return denial_message(principal, action, target, decision)
