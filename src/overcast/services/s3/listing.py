"""Listing keys the way S3 does: UTF-8 binary order, `Prefix`, `Delimiter` roll-ups into
`CommonPrefixes`, and resumption after a marker.

An entry is a key or a common prefix; entries come out in order, each at most once, and only entries
after the marker (`Marker`, `StartAfter`, a continuation token, `KeyMarker`). A page of `MaxKeys`
counts keys and common prefixes together, as S3 does.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from overcast.services.s3.errors import invalid_argument
from overcast.services.s3.models import ObjectVersion, S3Store, version_from_row

BATCH = 1000
#: sorts after every key that starts with a given prefix (past any valid UTF-8 continuation)
_TOP = "\U0010ffff"


@dataclass
class Page:
    keys: list[ObjectVersion]
    prefixes: list[str]
    truncated: bool
    last: str | None          # the last entry (key or common prefix) of the page
    last_version: str | None  # its version id, for version listings


def _rows(store: S3Store, bucket: str, after: str, inclusive: bool, versions: bool) -> Iterator[Any]:
    """Rows from `after` on, in key order (versions: newest first within a key), fetched in batches."""
    latest = "" if versions else "AND is_latest = 1 AND delete_marker = 0"
    order = "key, seq DESC" if versions else "key"
    where = f"key {'>=' if inclusive else '>'} ?"
    params: tuple[Any, ...] = (after,)
    while True:
        rows = store.db.query(f"SELECT * FROM s3_objects WHERE bucket = ? AND {where} {latest} ORDER BY {order} "
                              "LIMIT ?", (bucket, *params, BATCH))
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1]
        if versions:
            where, params = "(key > ? OR (key = ? AND seq < ?))", (last["key"], last["key"], last["seq"])
        else:
            where, params = "key > ?", (last["key"],)


def walk(store: S3Store, bucket: str, prefix: str = "", delimiter: str = "", marker: str = "",
         versions: bool = False, version_marker: str | None = None) -> Iterator[tuple[str, Any]]:
    """("key", ObjectVersion) and ("prefix", str) entries after `marker` (and, in a version listing,
    after `version_marker` of that key), in S3's order."""
    resume_inside = versions and bool(version_marker) and bool(marker)
    after, inclusive = (marker, resume_inside) if marker >= prefix else (prefix, True)
    passed = not resume_inside
    while True:
        for row in _rows(store, bucket, after, inclusive, versions):
            key = row["key"]
            if not key.startswith(prefix):
                return  # rows start at or after the prefix: this one is past its range
            if not passed and key == marker:
                passed = row["version_id"] == version_marker
                continue
            cut = key.find(delimiter, len(prefix)) if delimiter else -1
            if cut < 0:
                yield "key", version_from_row(row)
                continue
            common = key[: cut + len(delimiter)]
            if common > marker:
                yield "prefix", common
            after, inclusive = common + _TOP, False  # jump past everything rolled into it
            break
        else:
            return


def page(entries: Iterator[tuple[str, Any]], max_keys: int) -> Page:
    """The first `max_keys` entries. AWS: `max-keys=0` answers an empty page that is not truncated
    (there is nothing to resume from)."""
    result = Page([], [], False, None, None)
    if max_keys == 0:
        return result
    for count, (kind, value) in enumerate(entries):
        if count >= max_keys:
            result.truncated = True
            break
        if kind == "prefix":
            result.prefixes.append(value)
            result.last, result.last_version = value, None
        else:
            result.keys.append(value)
            result.last, result.last_version = value.key, value.version_id
    return result


# -- continuation tokens ---------------------------------------------------------------------------


def make_token(last: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last}).encode()).decode()


def read_token(token: str) -> str:
    try:
        return str(json.loads(base64.urlsafe_b64decode(token.encode()))["after"])
    except (ValueError, KeyError, TypeError):
        raise invalid_argument("The continuation token provided is incorrect", "continuation-token",
                               token or None) from None


def check_max_keys(max_keys: int | None, default: int = 1000) -> int:
    if max_keys is None:
        return default
    if max_keys < 0:
        raise invalid_argument("Provided max-keys not an integer or within integer range", "max-keys", max_keys)
    return min(max_keys, default)


def check_argument(name: str, value: int | None, default: int, cap: bool = True) -> int:
    """A paging argument of ListParts/ListMultipartUploads: AWS refuses a negative one with
    "Argument <name> must be an integer between 0 and 2147483647"; a count is capped at `default`."""
    if value is None:
        return default
    if not 0 <= value <= 2147483647:
        raise invalid_argument(f"Argument {name} must be an integer between 0 and 2147483647", name, value)
    return min(value, default) if cap else value
