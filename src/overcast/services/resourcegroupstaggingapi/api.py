"""GetResources, GetTagKeys, GetTagValues, TagResources and UntagResources across every hosted
service's taggable resources (docs/tagging.md). Like AWS, the listing operations show resources
that carry tags (GetResources with ResourceARNList shows the named ones whatever their tags)."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.resourcegroupstaggingapi import resources
from overcast.services.resourcegroupstaggingapi.calls import Caller
from overcast.services.resourcegroupstaggingapi.errors import (
    InvalidParameterException,
    PaginationTokenExpiredException,
)
from overcast.services.tagging import Taggable

log = logging.getLogger("overcast.tagging")


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError):
        raise PaginationTokenExpiredException("The pagination token is not valid or has expired.") from None
    if not isinstance(offset, int) or offset < 0:
        raise PaginationTokenExpiredException("The pagination token is not valid or has expired.")
    return offset


def _page(items: list[Any], token: str | None, size: int) -> tuple[list[Any], str]:
    start = _offset(token)
    end = start + size
    return items[start:end], _token(end) if end < len(items) else ""


def _passes(tags: dict[str, str], filters: list[dict[str, Any]] | None) -> bool:
    """TagFilters: every filter's key present, with one of its values when it lists any."""
    for f in filters or []:
        if f["Key"] not in tags:
            return False
        if f.get("Values") and tags[f["Key"]] not in f["Values"]:
            return False
    return True


class ResourcegroupstaggingapiApi:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    def _caller(self, ctx: RequestContext) -> Caller:
        return Caller(self.platform, ctx.account, ctx.region)

    async def _tagged(self, ctx: RequestContext, type_filters: list[str] | None = None,
                      arns: list[str] | None = None) -> list[tuple[str, dict[str, str]]]:
        caller = self._caller(ctx)
        wanted = set(arns or [])
        found: list[tuple[str, dict[str, str]]] = []
        for kind in resources.declarations(self.platform):
            if not resources.matches_type(kind, type_filters):
                continue
            try:
                listed = await resources.listing(caller, kind)
            except ServiceError as error:  # one service's failure must not hide the others' resources
                log.warning("listing %s for the tagging API failed: %s", kind.resource_type, error)
                continue
            for arn, item in listed:
                if wanted and arn not in wanted:
                    continue
                tags = await resources.read_tags(caller, kind, arn, item)
                if tags or wanted:
                    found.append((arn, tags))
        return sorted(found)

    async def get_resources(self, ctx: RequestContext, pagination_token: str | None = None,
                            tag_filters: list[dict[str, Any]] | None = None, resources_per_page: int | None = None,
                            tags_per_page: int | None = None, resource_type_filters: list[str] | None = None,
                            resource_arn_list: list[str] | None = None, **_: Any) -> dict[str, Any]:
        if resource_arn_list and (pagination_token or resources_per_page or tags_per_page):
            raise InvalidParameterException("You can't specify both ResourceARNList and any of the pagination "
                                            "parameters (ResourcesPerPage, TagsPerPage, PaginationToken).")
        found = await self._tagged(ctx, resource_type_filters, resource_arn_list)
        mapped = [{"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}
                  for arn, tags in found if _passes(tags, tag_filters)]
        chunk, token = _page(mapped, pagination_token, resources_per_page or 100)
        return {"PaginationToken": token, "ResourceTagMappingList": chunk}

    async def get_tag_keys(self, ctx: RequestContext, pagination_token: str | None = None) -> dict[str, Any]:
        keys = sorted({key for _, tags in await self._tagged(ctx) for key in tags})
        chunk, token = _page(keys, pagination_token, 500)
        return {"PaginationToken": token, "TagKeys": chunk}

    async def get_tag_values(self, ctx: RequestContext, key: str,
                             pagination_token: str | None = None) -> dict[str, Any]:
        values = sorted({tags[key] for _, tags in await self._tagged(ctx) if key in tags})
        chunk, token = _page(values, pagination_token, 500)
        return {"PaginationToken": token, "TagValues": chunk}

    async def tag_resources(self, ctx: RequestContext, resource_arn_list: list[str],
                            tags: dict[str, str]) -> dict[str, Any]:
        return {"FailedResourcesMap": await self._each(ctx, resource_arn_list, "tag", tags)}

    async def untag_resources(self, ctx: RequestContext, resource_arn_list: list[str],
                              tag_keys: list[str]) -> dict[str, Any]:
        return {"FailedResourcesMap": await self._each(ctx, resource_arn_list, "untag", tag_keys)}

    async def _each(self, ctx: RequestContext, arns: list[str], action: str, what: Any) -> dict[str, Any]:
        """Tag or untag each resource through its own service; a FailureInfo per ARN that failed."""
        caller = self._caller(ctx)
        failed: dict[str, Any] = {}
        for arn in dict.fromkeys(arns):
            try:
                kind, item = await self._find(caller, arn)
                if action == "tag":
                    await resources.add_tags(caller, kind, arn, item, what)
                else:
                    await resources.remove_tags(caller, kind, arn, item, what)
            except ServiceError as error:
                failed[arn] = {"StatusCode": error.status, "ErrorMessage": error.message,
                               "ErrorCode": "InternalServiceException" if error.status >= 500
                               else "InvalidParameterException"}
        return failed

    async def _find(self, caller: Caller, arn: str) -> tuple[Taggable, str]:
        parts = arn.split(":", 5)
        service = parts[2] if len(parts) == 6 and parts[0] == "arn" else ""
        kinds = [k for k in resources.declarations(self.platform) if k.resource_type.split(":")[0] == service]
        if not kinds:
            raise ServiceError(f"overcast does not host resources of the service {service or arn!r} for tagging",
                               code="InternalServiceException", status=500)
        for kind in kinds:
            for found, item in await resources.listing(caller, kind):
                if found == arn:
                    return kind, item
        raise InvalidParameterException(f"The resource {arn} does not exist in this account and region.")
