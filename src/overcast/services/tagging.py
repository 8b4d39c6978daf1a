"""The tagging contract: how a hosted service's taggable resources are found, read and tagged by
the Resource Groups Tagging API, declared with the service's own operations (called in process,
as the gateway would call them) rather than by reading its tables.

A service declares one `Taggable` per kind of resource, on its `ServiceSpec` (`tagging=`); the
tagging service also holds the declarations of services that predate the contract. See
docs/tagging.md and the recipe in docs/architecture.md."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Taggable:
    """One kind of taggable resource. Operations are named as in the botocore model, members by
    their model names; `.`-separated member paths reach into nested structures (S3's
    `Tagging.TagSet`, CloudFront's `Tags.Items`)."""

    #: the ResourceTypeFilters name: `service` or `service:type` (`lambda:function`, `sqs`, `s3`)
    resource_type: str
    #: the operation that lists the resources, and a JMESPath to each item of its output
    list: str
    items: str
    #: the operations that read, add and remove tags (None when `replace` sets them all; with
    #: neither, the resources are listed with their tags but not tagged through this API)
    list_tags: str
    tag: str | None
    untag: str | None
    #: the member naming the resource in the tagging operations, and their other fixed input
    id_member: str = "ResourceArn"
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: the tags member of `tag` (and of `replace`), the keys member of `untag`, and a JMESPath to
    #: the tags in `list_tags`' output
    tags_member: str = "Tags"
    keys_member: str = "TagKeys"
    tags_out: str = "Tags"
    #: an operation that replaces every tag (S3's PutBucketTagging), and one that removes them all
    replace: str | None = None
    clear: str | None = None
    #: fixed input of `list`, and its paging members (input, output)
    list_params: Mapping[str, Any] = field(default_factory=dict)
    token: tuple[str, str] | None = ("NextToken", "NextToken")
    #: the ARN of an item (`str.format` with `item`, `region`, `account`); None: the item is the ARN
    arn: str | None = None
    #: the tagging operations take the listed item (a queue URL, a stream name) rather than the ARN
    by_item: bool = False
    #: the item rebuilt from an ARN (`str.format` with `region`, `account`, `last`), when `arn` does
    #: not give it back whole (a queue URL): how a resource's tags are read from its ARN alone
    item_from_arn: str | None = None
    #: list once more for each item of another listing: (operation, JMESPath, input member)
    each: tuple[str, str, str] | None = None
    #: a global resource listed only in this region (CloudFront: us-east-1)
    home_region: str | None = None
    #: the hosting service's name in overcast, when the declaration is not on its own spec
    service: str = ""
