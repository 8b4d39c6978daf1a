"""HTTP semantics S3 applies to reads and writes: conditional requests and byte ranges.

Conditional GET/HEAD (S3 follows RFC 7232's order): If-Match false → 412; else If-Unmodified-Since
false → 412; If-None-Match matching → 304; else If-Modified-Since not modified → 304.
"""

from __future__ import annotations

import re
from email.utils import formatdate
from typing import Any

from overcast.protocol.values import to_epoch
from overcast.services.s3.errors import invalid_range, not_modified, precondition_failed, s3_error
from overcast.services.s3.models import ObjectVersion

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def etag_matches(header: str, etag: str) -> bool:
    for item in header.split(","):
        value = item.strip()
        if value.startswith("W/"):
            value = value[2:]
        if value == "*" or value.strip('"') == etag:
            return True
    return False


def http_date(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)


def check_read(obj: ObjectVersion, if_match: str | None, if_none_match: str | None, if_modified_since: Any,
               if_unmodified_since: Any, prefix: str = "") -> None:
    """Raise 412 PreconditionFailed / 304 Not Modified for a conditional read of `obj`.
    `prefix` names the condition for CopyObject's `x-amz-copy-source-if-*` (then 304 becomes 412)."""
    modified = obj.last_modified
    if if_match is not None:
        if not etag_matches(if_match, obj.etag):
            raise precondition_failed(f"{prefix}If-Match")
    elif if_unmodified_since is not None and modified > to_epoch(if_unmodified_since):
        raise precondition_failed(f"{prefix}If-Unmodified-Since")
    unchanged = None
    if if_none_match is not None:
        if etag_matches(if_none_match, obj.etag):
            unchanged = "If-None-Match"
    elif if_modified_since is not None and modified <= to_epoch(if_modified_since):
        unchanged = "If-Modified-Since"
    if unchanged is not None:
        if prefix:
            raise precondition_failed(f"{prefix}{unchanged}")
        raise not_modified({"ETag": obj.quoted_etag, "Last-Modified": http_date(modified)})


def check_write(current: ObjectVersion | None, key: str, if_match: str | None, if_none_match: str | None) -> None:
    """Conditional writes (PutObject, CompleteMultipartUpload): If-None-Match: * and If-Match: etag."""
    exists = current is not None and not current.delete_marker
    if if_none_match is not None:
        if if_none_match.strip() != "*":
            raise s3_error("NotImplemented", "A header you provided implies functionality that is not implemented",
                           501, Header="If-None-Match")
        if exists:
            raise precondition_failed("If-None-Match")
    if if_match is not None:
        if not exists:
            raise s3_error("NoSuchKey", "The specified key does not exist.", 404, Key=key)
        assert current is not None
        if not etag_matches(if_match, current.etag):
            raise precondition_failed("If-Match")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) of a `Range: bytes=...` header; None to send the whole object (no range,
    or one S3 ignores: malformed or several ranges); InvalidRange (416) when it cannot be satisfied."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        length = int(last)
        if length == 0 or size == 0:
            raise invalid_range(header, size)
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise invalid_range(header, size)
    return start, min(end, size - 1)


def part_range(obj: ObjectVersion, part_number: int) -> tuple[int, int, int]:
    """(start, end inclusive, parts count) of one part of an object (GetObject/HeadObject partNumber)."""
    parts: list[int] = obj.meta.get("Parts") or [obj.size]
    if part_number < 1 or part_number > len(parts):
        raise s3_error("InvalidPartNumber", "The requested partnumber is not satisfiable", 416,
                       PartNumberRequested=part_number, ActualPartCount=len(parts))
    start = sum(parts[: part_number - 1])
    return start, start + parts[part_number - 1] - 1, len(parts)
