"""Scalar conversions shared by every protocol: timestamps, blobs, booleans, member names."""

from __future__ import annotations

import base64
import datetime as dt
import keyword
from email.utils import formatdate
from functools import lru_cache
from typing import Any

from botocore import xform_name
from botocore.utils import parse_timestamp

from overcast.errors import SerializationError

UTC = dt.UTC


@lru_cache(maxsize=4096)
def snake(name: str) -> str:
    """botocore's member-name → Python-argument mapping (`QueueUrl` → `queue_url`)."""
    return xform_name(name)


@lru_cache(maxsize=4096)
def argument_name(member: str) -> str:
    """The keyword argument a service method receives member `member` as: its snake_case name, with
    a trailing underscore when that is a Python keyword (CloudWatch Logs' `from` → `from_`)."""
    name = xform_name(member)
    return f"{name}_" if keyword.iskeyword(name) else name


def to_epoch(value: Any) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return parse_timestamp(value).timestamp()
    raise TypeError(f"not a timestamp: {value!r}")


def format_timestamp(value: Any, fmt: str) -> Any:
    """Render a timestamp (datetime, epoch number or preformatted string) in `fmt`."""
    if isinstance(value, str):
        return value
    epoch = to_epoch(value)
    if fmt == "unixTimestamp":
        return int(epoch) if epoch == int(epoch) else round(epoch, 3)
    if fmt == "rfc822":
        return formatdate(epoch, usegmt=True)
    moment = dt.datetime.fromtimestamp(epoch, UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp_value(value: Any, where: str) -> dt.datetime:
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int | float):
            return dt.datetime.fromtimestamp(value, UTC)
        parsed = parse_timestamp(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, TypeError, OverflowError):
        raise SerializationError(f"Invalid timestamp value for {where}: {value!r}") from None


def b64decode(value: str, where: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError):
        raise SerializationError(f"Invalid base64 value for {where}") from None


def b64encode(value: bytes | str) -> str:
    if isinstance(value, str):
        value = value.encode()
    return base64.b64encode(value).decode()


def parse_bool(value: str, where: str) -> bool:
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise SerializationError(f"Invalid boolean value for {where}: {value!r}")


def parse_int(value: str, where: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SerializationError(f"Invalid integer value for {where}: {value!r}") from None


def parse_float(value: str, where: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise SerializationError(f"Invalid number value for {where}: {value!r}") from None


def parse_scalar_text(text: str, shape: Any, where: str) -> Any:
    """A scalar given as text (query strings, headers, XML, form fields)."""
    type_name = shape.type_name
    if type_name in ("integer", "long"):
        return parse_int(text, where)
    if type_name in ("float", "double"):
        return parse_float(text, where)
    if type_name == "boolean":
        return parse_bool(text, where)
    if type_name == "blob":
        return b64decode(text, where)
    if type_name == "timestamp":
        return parse_timestamp_value(text, where)
    return text


def format_scalar_text(value: Any, shape: Any, timestamp_format: str = "iso8601") -> str:
    """A scalar rendered as text (query/XML bodies, headers)."""
    type_name = shape.type_name
    if type_name == "boolean":
        return "true" if value else "false"
    if type_name == "blob":
        return b64encode(value)
    if type_name == "timestamp":
        return str(format_timestamp(value, shape.serialization.get("timestampFormat", timestamp_format)))
    if type_name in ("float", "double") and isinstance(value, float) and value == int(value):
        return repr(value)
    return str(value)

