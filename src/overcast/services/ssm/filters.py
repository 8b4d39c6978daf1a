"""ParameterFilters (DescribeParameters, GetParametersByPath) and DescribeParameters' older
Filters, checked and matched as AWS does
([ParameterStringFilter](https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ParameterStringFilter.html)):
`Name` (Equals, BeginsWith, Contains), `Path` (OneLevel, Recursive), `Type`, `KeyId`, `Tier`,
`DataType` (Equals, BeginsWith) and `tag:<key>` for DescribeParameters; `Type`, `KeyId`, `Label`
and `tag:<key>` for GetParametersByPath."""

from __future__ import annotations

import re
from typing import Any

from overcast.services.ssm.errors import (
    InvalidFilterKey,
    InvalidFilterOption,
    InvalidFilterValue,
    ValidationException,
)

_KEY = re.compile(r"^(tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$")
_TYPES = ("String", "StringList", "SecureString")
_TIERS = ("Standard", "Advanced", "Intelligent-Tiering")
_PATH = re.compile(r"^[a-zA-Z0-9_.\-/]*$")


def _option(f: dict[str, Any]) -> str:
    return f.get("Option") or ("OneLevel" if f["Key"] == "Path" else "Equals")


def check(filters: list[dict[str, Any]] | None, by_path: bool) -> None:
    """AWS's errors for filters a request may not use."""
    errors = [f"Value '{f['Key']}' at 'parameterFilters.{i}.member.key' failed to satisfy constraint: Member "
              "must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier"
              for i, f in enumerate(filters or [], 1) if not _KEY.match(f["Key"])]
    if errors:
        count = len(errors)
        raise ValidationException(f"{count} validation error{'s' if count > 1 else ''} detected: "
                                  + "; ".join(errors))
    seen: set[str] = set()
    for f in filters or []:
        key, option, values = f["Key"], _option(f), f.get("Values") or []
        if not by_path and key == "Label":
            raise InvalidFilterKey("The following filter key is not valid: Label. Valid filter keys include: "
                                   "[Path, Name, Type, KeyId, Tier].")
        if by_path and key in ("Name", "Path", "Tier", "DataType"):
            raise InvalidFilterKey(f"The following filter key is not valid: {key}. Valid filter keys include: "
                                   "[Type, KeyId].")
        if key in ("Name", "Type", "Path", "Tier", "KeyId", "DataType", "Label") and not values:
            raise InvalidFilterValue(f"The following filter values are missing : null for filter key {key}.")
        if key in seen:
            raise InvalidFilterKey(f"The following filter is duplicated in the request: {key}. A request can "
                                   "contain only one occurrence of a specific filter.")
        seen.add(key)
        _check_one(key, option, values)


def _check_one(key: str, option: str, values: list[str]) -> None:
    if key == "Path":
        if option not in ("Recursive", "OneLevel"):
            raise InvalidFilterOption(f"The following filter option is not valid: {option}. Valid options "
                                      "include: [Recursive, OneLevel].")
        for value in values:
            if value.lower().startswith(("/aws", "/ssm")):
                raise ValidationException('Filters for common parameters can\'t be prefixed with "aws" or "ssm" '
                                          "(case-insensitive). When using global parameters, please specify "
                                          "within a global namespace.")
            if "//" in value or not value.startswith("/") or not _PATH.match(value):
                raise ValidationException(
                    'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin '
                    'with a forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It '
                    "must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ "
                    "(underscore). Special characters are not allowed. All sub-paths, if specified, must use the "
                    'forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.')
        return
    for name, allowed in (("Tier", _TIERS), ("Type", _TYPES)):
        if key == name:
            for value in values:
                if value not in allowed:
                    raise InvalidFilterOption(f"The following filter value is not valid: {value}. Valid values "
                                              f"include: [{', '.join(allowed)}].")
    options: tuple[str, ...] = ("Equals", "BeginsWith", "Contains") if key == "Name" else ("Equals", "BeginsWith")
    if key == "Label":
        options = ("Equals",)
    if option not in options:  # AWS names these two, even for Name (which also takes Contains)
        raise InvalidFilterOption(f"The following filter option is not valid: {option}. Valid options include: "
                                  "[BeginsWith, Equals].")


def _subject(doc: dict[str, Any], key: str, labels: list[str]) -> list[str]:
    if key == "Name" or key == "Path":
        return ["/" + doc["Name"].lstrip("/")]
    if key == "Label":
        return labels
    if key.startswith("tag:"):
        tags = doc.get("Tags") or {}
        return [tags[key[4:]]] if key[4:] in tags else []
    value = doc.get(key)
    return [value] if value else []


def matches(doc: dict[str, Any], filters: list[dict[str, Any]] | None, labels: list[str] | None = None) -> bool:
    """True when the parameter's current document passes every filter (`labels`: its labels, for
    GetParametersByPath's Label filter: any label of any version)."""
    for f in filters or []:
        key, option, values = f["Key"], _option(f), f.get("Values") or []
        subject = _subject(doc, key, labels or [])
        if not subject:
            return False
        if key.startswith("tag:") and not values:
            continue  # the tag's presence is the filter
        if key == "Name" and option != "Contains":
            values = ["/" + v.lstrip("/") for v in values]
        if key == "Path":
            if not _in_path(subject[0], values, option == "Recursive"):
                return False
        elif option == "BeginsWith":
            if not any(s.startswith(v) for s in subject for v in values):
                return False
        elif option == "Contains":
            if not any(v in s for s in subject for v in values):
                return False
        elif not any(s == v for s in subject for v in values):
            return False
    return True


def _in_path(name: str, paths: list[str], recursive: bool) -> bool:
    for path in paths:
        prefix = "/" + path.strip("/") + "/" if path.strip("/") else "/"
        if name.startswith(prefix) and (recursive or "/" not in name[len(prefix):]):
            return True
    return False


def matches_legacy(doc: dict[str, Any], filters: list[dict[str, Any]] | None) -> bool:
    """DescribeParameters' Filters (Name: begins with; Type, KeyId: equals), any value of each."""
    for f in filters or []:
        key, values = f["Key"], f.get("Values") or []
        subject = doc.get(key) or ""
        if key == "Name" and not any(subject.startswith(v) for v in values):
            return False
        if key != "Name" and subject not in values:
            return False
    return True
