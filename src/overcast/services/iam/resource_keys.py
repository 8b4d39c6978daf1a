"""Condition keys that describe the resource a request acts on, read from the resource itself only
when a policy asks for them (`authz.keys.LazyKeys`):

- `aws:ResourceTag/<key>` ([AWS](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag)):
  the resource's tags, for every resource a hosted service tags, read through the Resource Groups
  Tagging API's declarations (`resourcegroupstaggingapi.inbox`); IAM's own roles, users and
  managed policies from IAM's store. Where a service documents its own name for the key
  (`iam:ResourceTag/…`, `ssm:ResourceTag/…`, `secretsmanager:ResourceTag/…`) it holds the same tags.
- `s3:ExistingObjectTag/<key>` ([AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html)):
  an object's tags, for a request on an object. An S3 general purpose bucket's tags count for
  access only once ABAC is enabled on it ([AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/buckets-tagging-enable-abac.html)),
  which is off by default and not hosted, so buckets have no `aws:ResourceTag/<key>`.
- `iam:PermissionsBoundary` on a request about an existing role or user: its boundary's ARN.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from overcast.authz.keys import LazyKeys, TagSource
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.iam.models import IamStore, NoSuchEntity
from overcast.services.iam.users import UserStore
from overcast.services.resourcegroupstaggingapi.inbox import NotImmediate, as_dict, call_at_once, tags_of

log = logging.getLogger("overcast.iam")

#: services that document a `<service>:ResourceTag/<key>` of their own beside `aws:ResourceTag/<key>`
_OWN_TAG_KEYS = ("iam", "ssm", "secretsmanager")


def iam_entity(platform: Platform, arn: str) -> dict[str, Any] | None:
    """The stored document of the IAM role, user or customer managed policy `arn` names."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return None
    kind, _, rest = parts[5].partition("/")
    name = rest.rsplit("/", 1)[-1]
    try:
        if kind == "role":
            return platform.component(IamStore).get_role(parts[4], name)
        if kind == "user":
            return platform.component(UserStore).find(parts[4], name)
        if kind == "policy" and parts[4] != "aws":
            return platform.component(IamStore).get_policy(parts[4], arn)
    except NoSuchEntity:
        return None
    return None


def _iam_tags(platform: Platform, arn: str) -> dict[str, str]:
    entity = iam_entity(platform, arn)
    return {t["Key"]: t["Value"] for t in (entity or {}).get("Tags") or []}


def _object_tags(platform: Platform, arn: str, account: str, region: str) -> dict[str, str]:
    bucket, _, key = arn.split(":", 5)[5].partition("/")
    try:
        out = call_at_once(platform, account, region, "s3", "GetObjectTagging", {"Bucket": bucket, "Key": key})
        return as_dict(out.get("TagSet"))
    except (ServiceError, NotImmediate):  # no such object (or bucket): no tags
        return {}
    except Exception:  # a tag read must never fail the request that asked: no tags
        log.exception("reading the tags of %s failed", arn)
        return {}


def sources(platform: Platform, resource: str, *, account: str, region: str) -> dict[str, TagSource]:
    """The lazily read tag keys of `resource` (prefix → reader), none for `*`."""
    parts = resource.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return {}
    service = parts[2]

    @cache
    def read() -> Mapping[str, str]:
        if service == "iam":
            return _iam_tags(platform, resource)
        return tags_of(platform, resource, account=account, region=region)

    if service == "s3":
        # a general purpose bucket's tags are aws:ResourceTag only once ABAC is enabled on it
        # (PutBucketAbac, not hosted; disabled by default): an object's tags are its own key
        if "/" not in parts[5]:
            return {}
        return {"s3:existingobjecttag/": cache(lambda: _object_tags(platform, resource, account, region))}
    found: dict[str, Callable[[], Mapping[str, str]]] = {"aws:resourcetag/": read}
    if service in _OWN_TAG_KEYS:
        found[f"{service}:resourcetag/"] = read
    return found


def resource_context(platform: Platform, resource: str, context: Mapping[str, Any], *, account: str,
                     region: str) -> Mapping[str, Any]:
    """The request's context with the resource's keys added, read when first asked for."""
    keys = dict(context)
    if resource.startswith("arn:aws:iam::") and "iam:permissionsboundary" not in keys:
        entity = iam_entity(platform, resource)
        boundary = ((entity or {}).get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if boundary:
            keys["iam:permissionsboundary"] = boundary
    return LazyKeys(keys, sources(platform, resource, account=account, region=region))
