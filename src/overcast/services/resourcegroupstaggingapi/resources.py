"""Finding, reading and tagging the resources `Taggable` declarations describe, through the
declaring services' own operations (`calls.Caller`). Tags are read and written in whatever shape
each service's model gives them (a map, a list of Key/Value, key/value or TagKey/TagValue
structures, CloudFront's `Items`), turned into and from a plain dict here."""

from __future__ import annotations

import dataclasses
from typing import Any

import jmespath

from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.resourcegroupstaggingapi.calls import Caller
from overcast.services.resourcegroupstaggingapi.catalog import CATALOG
from overcast.services.resourcegroupstaggingapi.errors import InvalidParameterException
from overcast.services.tagging import Taggable


def declarations(platform: Platform) -> list[Taggable]:
    """Every taggable kind of resource of the hosted services: their specs' declarations, then
    the catalog's for services that declare none of that type."""
    gateway = platform.gateway
    specs = gateway.specs if gateway is not None else {}
    found: list[Taggable] = []
    for name, spec in specs.items():
        found.extend(dataclasses.replace(t, service=t.service or name) for t in spec.tagging)
    declared = {t.resource_type for t in found}
    found.extend(t for t in CATALOG if t.service in specs and t.resource_type not in declared)
    return found


def _norm(name: str) -> str:
    return name.replace("-", "").lower()


def matches_type(kind: Taggable, filters: list[str] | None) -> bool:
    """ResourceTypeFilters: `service` takes every type of the service, `service:type` one (compared
    without case or hyphens: `logs:loggroup` is `logs:log-group`)."""
    if not filters:
        return True
    return any(_norm(f) == _norm(kind.resource_type) or f == kind.resource_type.split(":")[0] for f in filters)


async def listing(caller: Caller, kind: Taggable) -> list[tuple[str, str]]:
    """(ARN, item) of every resource of `kind` in the caller's account and region."""
    if kind.home_region and caller.region != kind.home_region:
        return []
    inputs: list[dict[str, Any]] = [dict(kind.list_params)]
    if kind.each is not None:
        operation, path, member = kind.each
        parents = jmespath.search(path, await caller.call(kind.service, operation, {})) or []
        inputs = [{**kind.list_params, member: parent} for parent in parents]
    items: list[str] = []
    for params in inputs:
        items.extend(await _pages(caller, kind, params))
    return [(_arn(caller, kind, item), item) for item in items]


async def _pages(caller: Caller, kind: Taggable, params: dict[str, Any]) -> list[str]:
    items: list[str] = []
    path = kind.items.replace("{region}", caller.region)
    for _ in range(1000):  # a bound, should a service ever answer the same token again
        out = await caller.call(kind.service, kind.list, params)
        items.extend(str(item) for item in jmespath.search(path, out) or [])
        token = jmespath.search(kind.token[1], out) if kind.token else None
        if not token:
            break
        params = {**params, kind.token[0]: token}  # type: ignore[index]
    return items


def _arn(caller: Caller, kind: Taggable, item: str) -> str:
    if kind.arn is None:
        return item
    return kind.arn.format(item=item, region=caller.region, account=caller.account, last=item.rsplit("/", 1)[-1],
                           bare=item.lstrip("/"))


def _target(kind: Taggable, arn: str, item: str) -> dict[str, Any]:
    return {kind.id_member: item if kind.by_item else arn, **kind.extra}


async def read_tags(caller: Caller, kind: Taggable, arn: str, item: str) -> dict[str, str]:
    try:
        out = await caller.call(kind.service, kind.list_tags, _target(kind, arn, item))
    except ServiceError:  # S3's NoSuchTagSet: no tags
        return {}
    return as_dict(jmespath.search(kind.tags_out, out))


async def add_tags(caller: Caller, kind: Taggable, arn: str, item: str, tags: dict[str, str]) -> None:
    if kind.tag is None:
        await _replace(caller, kind, arn, item, {**await read_tags(caller, kind, arn, item), **tags})
        return
    params = _target(kind, arn, item)
    _set(params, kind.tags_member, shaped(caller.input_shape(kind.service, kind.tag), kind.tags_member, tags))
    await caller.call(kind.service, kind.tag, params)


async def remove_tags(caller: Caller, kind: Taggable, arn: str, item: str, keys: list[str]) -> None:
    if kind.untag is None:
        current = await read_tags(caller, kind, arn, item)
        await _replace(caller, kind, arn, item, {k: v for k, v in current.items() if k not in keys})
        return
    params = _target(kind, arn, item)
    _set(params, kind.keys_member, list(keys))
    await caller.call(kind.service, kind.untag, params)


async def _replace(caller: Caller, kind: Taggable, arn: str, item: str, tags: dict[str, str]) -> None:
    if not tags and kind.clear:
        await caller.call(kind.service, kind.clear, _target(kind, arn, item))
        return
    if kind.replace is None:
        raise InvalidParameterException(f"Resources of type {kind.resource_type} can't be tagged or untagged through "
                                        "this API; use the service's own operations.")
    params = _target(kind, arn, item)
    _set(params, kind.tags_member, shaped(caller.input_shape(kind.service, kind.replace), kind.tags_member, tags))
    await caller.call(kind.service, kind.replace, params)


def _set(params: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for name in parents:
        params = params.setdefault(name, {})
    params[last] = value


def _key_value_names(members: Any) -> tuple[str, str]:
    names = list(members)
    key = next((n for n in names if n.lower().endswith("key")), "Key")
    value = next((n for n in names if n.lower().endswith("value")), "Value")
    return key, value


def shaped(shape: Any, path: str, tags: dict[str, str]) -> Any:
    """`tags` in the shape of the member at `path` of an input shape."""
    for name in path.split("."):
        shape = shape.members[name]
    if shape.type_name == "map":
        return dict(tags)
    key, value = _key_value_names(shape.member.members)
    return [{key: k, value: v} for k, v in tags.items()]


def as_dict(tags: Any) -> dict[str, str]:
    """Tags in any of the services' shapes as a dict."""
    if not tags:
        return {}
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    out: dict[str, str] = {}
    for tag in tags:
        key, value = _key_value_names(tag)
        out[str(tag[key])] = str(tag.get(value, ""))
    return out
