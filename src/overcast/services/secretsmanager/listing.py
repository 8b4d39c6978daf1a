"""ListSecrets' filters, sort and pages (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Filter.html).

Filters combine with AND, the values of one filter with OR; a value starting with `!` negates.
`name`, `tag-key`, `tag-value`, `primary-region` and `owning-service` are case-sensitive prefix
matches; `description` and `all` split the value and the attributes into words (at `/ - _ + = . @`
and at capital letters) and match each word as a prefix, ignoring case (`all` searches the name,
description, tag keys and tag values).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from overcast.services.secretsmanager.errors import InvalidNextTokenException, InvalidParameterException

Doc = dict[str, Any]
_SEPARATORS = re.compile(r"[/\-_+=.@\s]+")
_CAMEL = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
DEFAULT_PAGE = 100


def _words(text: str) -> list[str]:
    words: list[str] = []
    for part in _SEPARATORS.split(text):
        words += [w.lower() for w in _CAMEL.findall(part)] or ([part.lower()] if part else [])
    return words


def _word_match(pattern: str, values: list[str]) -> bool:
    wanted = _words(pattern)
    if not wanted:
        return False
    found = [w for value in values for w in _words(value)]
    return all(any(w.startswith(p) for w in found) for p in wanted)


def _attributes(doc: Doc, key: str) -> list[str]:
    tags = doc.get("Tags") or []
    if key == "name":
        return [doc["Name"]]
    if key == "description":
        return [doc["Description"]] if doc.get("Description") else []
    if key == "tag-key":
        return [t["Key"] for t in tags]
    if key == "tag-value":
        return [t["Value"] for t in tags]
    if key == "primary-region":
        return [doc.get("PrimaryRegion") or ""] if doc.get("PrimaryRegion") else []
    if key == "owning-service":
        return [doc["OwningService"]] if doc.get("OwningService") else []
    return [doc["Name"], *([doc["Description"]] if doc.get("Description") else []),
            *(t["Key"] for t in tags), *(t["Value"] for t in tags)]


def _one(pattern: str, key: str, values: list[str]) -> bool:
    if key in ("description", "all"):
        return _word_match(pattern, values)
    return any(v.startswith(pattern) for v in values)


def _filter(key: str, patterns: list[str]) -> Callable[[Doc], bool]:
    def test(doc: Doc) -> bool:
        values = _attributes(doc, key)
        for pattern in patterns:
            if pattern.startswith("!"):
                if not _one(pattern[1:], key, values):
                    return True
            elif _one(pattern, key, values):
                return True
        return False
    return test


def matching(docs: list[Doc], filters: list[dict[str, Any]]) -> list[Doc]:
    tests = []
    for item in filters:
        if not item.get("Key"):
            raise InvalidParameterException("Invalid filter key")
        if not item.get("Values"):
            raise InvalidParameterException(f"Invalid filter values for key: {item.get('Key')}")
        tests.append(_filter(item["Key"], item["Values"]))
    return [d for d in docs if all(test(d) for test in tests)]


_SORT_KEYS = {"created-date": "CreatedDate", "last-accessed-date": "LastAccessedDate",
              "last-changed-date": "LastChangedDate", "name": "Name"}


def sort(docs: list[Doc], by: str | None, order: str | None) -> list[Doc]:
    """Sorted by `by` (default: creation date), ascending unless `order` is `desc`."""
    key = _SORT_KEYS.get(by or "created-date", "CreatedDate")
    default: Any = "" if key == "Name" else 0.0
    return sorted(docs, key=lambda d: (d.get(key) or default, d.get("CreatedDate") or 0.0),
                  reverse=(order or "").lower() == "desc")


def page(items: list[Any], token: str | None, limit: int | None) -> tuple[list[Any], str | None]:
    start = 0
    if token:
        if not token.isdigit() or int(token) > len(items):
            raise InvalidNextTokenException("The NextToken value is invalid.")
        start = int(token)
    size = limit or DEFAULT_PAGE
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)
