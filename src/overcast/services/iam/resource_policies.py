"""The resource-based policy that governs a resource ARN, and the account that owns the resource.

Resource policies overcast evaluates (docs/iam.md): SQS queue policies, SNS topic policies, Lambda
function (and version/alias) policies, S3 bucket policies (for the bucket and its objects),
EventBridge event bus policies, IAM roles' trust policies (for `sts:AssumeRole`), KMS key policies
and Secrets Manager secrets' resource policies.
"""

from __future__ import annotations

import json
from typing import Any

from overcast.authz.evaluation import Policy
from overcast.platform import Platform


def _parse(text: Any, source: str) -> Policy | None:
    if not text:
        return None
    return Policy.parse(text if isinstance(text, str) else json.dumps(text), source)


def _sqs(platform: Platform, arn: str) -> Policy | None:
    from overcast.services.sqs.inbox import resource_policy as queue_policy

    return _parse(queue_policy(platform, arn), arn)


def _sns(platform: Platform, arn: str) -> Policy | None:
    from overcast.services.sns.inbox import resource_policy as topic_policy

    return _parse(topic_policy(platform, arn), arn)


def _lambda(platform: Platform, arn: str) -> Policy | None:
    from overcast.services.lambda_.inbox import resource_policy as function_policy

    return _parse(function_policy(platform, arn), arn)


def _events(platform: Platform, arn: str) -> Policy | None:
    from overcast.services.events.inbox import bus_policy

    return _parse(bus_policy(platform, arn), arn)


def _s3_bucket(platform: Platform, arn: str) -> tuple[Policy | None, str | None]:
    from overcast.services.s3.inbox import bucket_policy

    name = arn.split(":", 5)[5].split("/", 1)[0]
    if not name:
        return None, None
    policy, account = bucket_policy(platform, name)
    return _parse(policy, f"arn:aws:s3:::{name}"), account


def _kms(platform: Platform, arn: str) -> Policy | None:
    from overcast.services.kms.inbox import key_of

    parts = arn.split(":", 5)
    if not parts[5].startswith("key/"):  # an alias has no policy of its own
        return None
    found = key_of(platform, parts[4], parts[3], arn)
    return _parse(found[1], arn) if found is not None else None


def _secretsmanager(platform: Platform, arn: str) -> Policy | None:
    from overcast.services.secretsmanager.inbox import secret_policy

    return _parse(secret_policy(platform, arn), arn)


_LOOKUPS = {"sqs": _sqs, "sns": _sns, "lambda": _lambda, "events": _events, "kms": _kms,
            "secretsmanager": _secretsmanager}


def trusted_action(action: str) -> bool:
    """Whether a role's trust policy governs `action` on the role: the AssumeRole actions, and the
    `sts:TagSession` and `sts:SetSourceIdentity` an AssumeRole with tags or a source identity needs."""
    return action.lower().startswith(("sts:assumerole", "sts:tagsession", "sts:setsourceidentity"))


def primary(arn: str, policy: Policy | None) -> bool:
    """Whether the resource's policy must allow even within its account: a KMS key's policy is the
    primary control of the key (identity policies count only when it delegates to the account)."""
    parts = arn.split(":", 5)
    return policy is not None and len(parts) == 6 and parts[2] == "kms" and parts[5].startswith("key/")


def resource_policy(platform: Platform, arn: str, action: str) -> tuple[Policy | None, str | None]:
    """(The resource's policy or None, the account that owns the resource or None)."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return None, None
    service, account = parts[2], parts[4] or None
    if service == "s3":
        return _s3_bucket(platform, arn)
    if service == "iam" and trusted_action(action) and parts[5].startswith("role/"):
        from overcast.services.iam.principals import Principals

        return platform.component(Principals).trust_policy(parts[4], parts[5].rsplit("/", 1)[-1]), account
    lookup = _LOOKUPS.get(service)
    return (lookup(platform, arn) if lookup is not None else None), account
