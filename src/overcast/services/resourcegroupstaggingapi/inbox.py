"""The Resource Groups Tagging API for the rest of overcast.

`tags_of`: the tags of one resource named by its ARN, for any hosted service, through the same
`Taggable` declarations and the same operations the Resource Groups Tagging API uses (read at once,
without listing the service's resources). IAM's `aws:ResourceTag/<key>` condition keys are read this way
(docs/iam.md).

A sub-resource's ARN names its parent's tags, as AWS evaluates them: a Lambda function's version
or alias ARN the function's, a DynamoDB index's or stream's the table's, a log stream's (and the
`log-group:<name>:*` form IAM uses) the log group's, a Kinesis consumer's the stream's.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

import jmespath

from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.resourcegroupstaggingapi.calls import Caller, NotImmediate
from overcast.services.resourcegroupstaggingapi.resources import as_dict, declarations
from overcast.services.tagging import Taggable

log = logging.getLogger("overcast.tagging")

__all__ = ["NotImmediate", "as_dict", "call_at_once", "parent_arn", "tags_of"]

#: (service, pattern of a sub-resource's ARN resource part) → the parent's resource part (`\1`)
_PARENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("lambda", re.compile(r"^(function:[^:]+):[^:]+$")),
    ("dynamodb", re.compile(r"^(table/[^/]+)/(?:index|stream)/.+$")),
    ("logs", re.compile(r"^(log-group:.+?)(?::log-stream:.*|:\*)$")),
    ("kinesis", re.compile(r"^(stream/[^/]+)/consumer/.+$")),
)


def parent_arn(arn: str) -> str:
    """The ARN whose tags a sub-resource's ARN carries (the ARN itself for other resources)."""
    parts = arn.split(":", 5)
    for service, pattern in _PARENTS:
        if parts[2] == service:
            match = pattern.match(parts[5])
            if match:
                return ":".join([*parts[:5], match.group(1)])
    return arn


@lru_cache(maxsize=256)
def _template(template: str) -> re.Pattern[str]:
    """A declaration's ARN template as a pattern that gives back its item."""
    fields = {"region": r"[^:]*", "account": r"[^:]*", "item": r"(?P<item>.+)", "bare": r"(?P<bare>.+)",
              "last": r"(?P<last>[^/:]+)"}
    out, pos = [], 0
    for match in re.finditer(r"\{(\w+)\}", template):
        out.append(re.escape(template[pos:match.start()]))
        out.append(fields[match.group(1)])
        pos = match.end()
    out.append(re.escape(template[pos:]))
    return re.compile("".join(out))


def _items(kind: Taggable, arn: str) -> list[str]:
    """What the declaration's tagging operations take for `arn` (none: the ARN is not of this kind)."""
    if kind.arn is None:
        return [arn]
    match = _template(kind.arn).fullmatch(arn)
    if match is None:
        return []
    if not kind.by_item:
        return [arn]
    found = match.groupdict()
    if found.get("item") is not None:
        return [found["item"]]
    if found.get("bare") is not None:  # a leading `/` the ARN drops (SSM's `/app/db`): both forms
        bare = found["bare"]
        return [f"/{bare}", bare] if "/" in bare else [bare, f"/{bare}"]
    if kind.item_from_arn is not None:
        parts = arn.split(":", 5)
        return [kind.item_from_arn.format(region=parts[3], account=parts[4], last=found["last"])]
    return []


def tags_of(platform: Platform, arn: str, *, account: str, region: str) -> dict[str, str]:
    """The tags of the resource `arn` names (empty when it has none, does not exist, or its service
    declares no taggable resources). `account` and `region` stand in for the fields an ARN leaves
    empty (S3's, IAM's)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or platform.gateway is None:
        return {}
    arn = parent_arn(arn)
    caller = Caller(platform, parts[4] or account, parts[3] or region)
    for kind in declarations(platform):
        if kind.resource_type.split(":")[0] != parts[2] or (kind.home_region and caller.region != kind.home_region):
            continue
        for item in _items(kind, arn):
            params = {kind.id_member: item if kind.by_item else arn, **kind.extra}
            try:
                out = caller.call_sync(kind.service, kind.list_tags, params)
                return as_dict(jmespath.search(kind.tags_out, out))
            except (ServiceError, NotImmediate):  # not this kind's, or no such resource
                continue
            except Exception:  # a tag read must never fail the request that asked: no tags
                log.exception("reading the tags of %s (%s) failed", arn, kind.resource_type)
                return {}
    return {}


def call_at_once(platform: Platform, account: str, region: str, service: str, operation: str,
                 params: dict[str, Any]) -> dict[str, Any]:
    """A hosted service's operation called in process (JSON in and out, as the tagging API calls
    them), for one whose method answers at once: a read IAM's condition keys need (an object's
    tags, a table's key schema). Raises the service's ServiceError, or `NotImmediate`."""
    return Caller(platform, account, region).call_sync(service, operation, params)
