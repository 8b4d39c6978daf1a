"""Check parsed input against the model's constraints, wording errors the way AWS does.

AWS's JSON services answer constraint violations with messages such as
``1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must
not be null`` — member paths in lowerCamelCase, one clause per violation, joined with '; '.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from botocore.model import Shape

from overcast.errors import ValidationError

MAX_REPORTED = 10


@lru_cache(maxsize=2048)
def _pattern(expr: str) -> re.Pattern[str] | None:
    try:
        return re.compile(expr, re.DOTALL)
    except re.error:
        return None  # Java-only syntax; AWS's own check still applies server-side


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bytes):
        return "java.nio.HeapByteBuffer"
    if isinstance(value, list):  # blobs inside stay short (a 500-record PutRecords must not echo 5 MiB)
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_show(item)}" for key, item in value.items()) + "}"
    return str(value)


@dataclass(frozen=True)
class Wording:
    """How one service words its constraint violations (from its ProtocolOptions).

    `member_paths`: list items are `.N.member` and map values `.key.member` in paths
    (`keySchema.2.member.keyType`, `requestItems.t.member.keys`), as DynamoDB words them; `enum_order`: the order a service lists an enum's values in its message, by shape
    name, when it is not the model's; `limits`: constraints the service still enforces that the
    model no longer states, by (structure shape, member) → {"min": n, "max": n}; `whole_list`:
    string list items that break their constraints are reported once, on the list, with all the
    item's constraints (`Value '[a, b]' at 'labels' failed to satisfy constraint: Member must satisfy
    constraint: [Member must have length less than or equal to 100, Member must have length greater
    than or equal to 1]`), as SSM words them; `enums_only`: of the model's constraints only required
    members and enum values are checked (lengths, ranges and patterns are the service's own), for
    services whose front door checks enums but words its other limits itself (IAM, elbv2)."""

    patterns: bool = True
    raw: frozenset[str] = frozenset()
    member_paths: bool = False
    enum_order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    limits: Mapping[tuple[str, str], Mapping[str, int]] = field(default_factory=dict)
    whole_list: bool = False
    enums_only: bool = False


def violations(shape: Shape, value: Any, path: str = "", *, patterns: bool = True,
               raw: frozenset[str] = frozenset(), wording: Wording | None = None) -> list[str]:
    """All constraint violations of `value` against `shape`, as AWS words them. Values of `raw`
    shapes (handed to the service as they came) are the service's to check."""
    found: list[str] = []
    _check(shape, value, path, found, wording or Wording(patterns, raw))
    return found


def _check(shape: Shape, value: Any, path: str, found: list[str], wording: Wording,
           limits: Mapping[str, int] | None = None) -> None:
    if value is None or shape.name in wording.raw:
        return
    type_name = shape.type_name
    meta = {**shape.metadata, **limits} if limits else shape.metadata
    if type_name == "structure":
        if shape.metadata.get("document") or not isinstance(value, dict):
            return  # a document member holds any JSON value (a string too): the model constrains none
        for required in shape.required_members:
            if value.get(required) is None:
                found.append(f"Value null at '{_join(path, required)}' failed to satisfy constraint: Member must not be null")
        for name, member_value in value.items():
            member = shape.members.get(name)
            if member is not None:
                _check(member, member_value, _join(path, name), found, wording, wording.limits.get((shape.name, name)))
        return
    if wording.enums_only:
        meta = {"enum": meta["enum"]} if "enum" in meta else {}
    if type_name == "list":
        _length(meta, len(value), value, path, found, "length")
        if wording.whole_list and shape.member.type_name == "string":
            _whole_list(shape.member, value, path, found, wording)
            return
        suffix = ".member" if wording.member_paths else ""
        for index, item in enumerate(value, 1):
            _check(shape.member, item, f"{path}.{index}{suffix}" if path else f"{index}{suffix}", found, wording)
        return
    if type_name == "map":
        _length(meta, len(value), value, path, found, "length")
        suffix = ".member" if wording.member_paths else ""
        for key, item in value.items():
            _check(shape.value, item, f"{path}.{key}{suffix}" if path else f"{key}{suffix}", found, wording)
        return
    if type_name == "string":
        _length(meta, len(value), value, path, found, "length")
        enum = meta.get("enum")
        if enum and value not in enum:
            listed = wording.enum_order.get(shape.name, enum)
            found.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(listed)}]"
            )
        pattern = meta.get("pattern") if wording.patterns and not wording.enums_only else None
        if pattern:
            compiled = _pattern(pattern)
            if compiled is not None and not compiled.fullmatch(value):
                found.append(
                    f"Value '{value}' at '{path}' failed to satisfy constraint: "
                    f"Member must satisfy regular expression pattern: {pattern}"
                )
        return
    if type_name == "blob":
        if isinstance(value, bytes | bytearray | str):  # a streamed body is checked by its reader
            _length(meta, len(value), value, path, found, "length")
        return
    if type_name in ("integer", "long", "float", "double") and not isinstance(value, bool):
        if "min" in meta and value < meta["min"]:
            found.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {meta['min']}"
            )
        if "max" in meta and value > meta["max"]:
            found.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {meta['max']}"
            )


def _whole_list(member: Shape, items: list, path: str, found: list[str], wording: Wording) -> None:
    """One clause for the whole list when any string item breaks its constraints, listing every
    constraint of the item: longest length first, then shortest, then the pattern."""
    broken: list[str] = []
    for item in items:
        _check(member, item, path, broken, wording)
    if not broken:
        return
    meta = member.metadata
    rules = [f"Member must have length less than or equal to {meta['max']}"] if "max" in meta else []
    if "min" in meta:
        rules.append(f"Member must have length greater than or equal to {meta['min']}")
    if meta.get("pattern") and wording.patterns:
        rules.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    if meta.get("enum"):
        rules.append(f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]")
    found.append(f"Value '{_show(items)}' at '{path}' failed to satisfy constraint: "
                 f"Member must satisfy constraint: [{', '.join(rules)}]")


def _length(meta: dict, length: int, value: Any, path: str, found: list[str], what: str) -> None:
    if "min" in meta and length < meta["min"]:
        found.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must have {what} greater than or equal to {meta['min']}"
        )
    if "max" in meta and length > meta["max"]:
        found.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must have {what} less than or equal to {meta['max']}"
        )


def _join(path: str, name: str) -> str:
    return f"{path}.{_camel(name)}" if path else _camel(name)


def validate(shape: Shape | None, params: dict[str, Any], *, code: str = "ValidationException",
             patterns: bool = True, required_only: bool = False, raw: frozenset[str] = frozenset(),
             wording: Wording | None = None) -> None:
    """Raise the service's validation error when `params` break the model's constraints."""
    if shape is None:
        return
    if required_only:
        problems = [
            f"Value null at '{_camel(name)}' failed to satisfy constraint: Member must not be null"
            for name in shape.required_members
            if params.get(name) is None
        ]
    else:
        problems = violations(shape, params, patterns=patterns, raw=raw, wording=wording)
    if not problems:
        return
    shown = problems[:MAX_REPORTED]
    noun = "error" if len(problems) == 1 else "errors"
    raise ValidationError(f"{len(problems)} validation {noun} detected: " + "; ".join(shown), code=code)
