"""Shape-driven conversion between JSON documents and Python values (json and rest-json)."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from botocore.model import Shape

from overcast import documents
from overcast.errors import SerializationError
from overcast.protocol.base import Trusted
from overcast.protocol.values import b64decode, b64encode, format_timestamp, parse_timestamp_value

_PY_TYPES = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
}


def load_object(body: bytes, code: str = "SerializationException") -> dict[str, Any]:
    """A request body that must hold a JSON object (an empty body is an empty object)."""
    if not body.strip():
        return {}
    try:
        document = documents.loads(body)
    except documents.DocumentError as exc:  # too deep, or a lone surrogate: AWS refuses both
        raise SerializationError(f"Could not parse request body into json: {exc.msg}", code=code) from None
    except (ValueError, UnicodeDecodeError):
        raise SerializationError("Could not parse request body into json: malformed JSON", code=code) from None
    if not isinstance(document, dict):
        raise SerializationError(f"Expected a JSON object as the request body, got {type(document).__name__}",
                                 code=code)
    return document


_NON_FINITE = frozenset({"NaN", "Infinity", "-Infinity"})


def _type_error(where: str, expected: str, value: Any) -> SerializationError:
    got = type(value).__name__
    return SerializationError(f"Unexpected value type for {where or 'body'}: expected {expected}, got {got}")


def from_json(shape: Shape, value: Any, where: str, raw: frozenset[str] = frozenset(),
              code: str = "SerializationException") -> Any:
    """Check and convert a JSON value of `shape` (blobs decoded, timestamps parsed)."""
    if value is None:
        return None
    if shape.name in raw:
        return value
    type_name = shape.type_name
    if type_name == "structure":
        if shape.is_document_type:
            return value  # a free-form JSON document
        if not isinstance(value, dict):
            raise _err(_type_error(where, "object", value), code)
        out: dict[str, Any] = {}
        by_wire = wire_members(shape)
        for key, item in value.items():
            found = by_wire.get(key)
            if found is not None:
                name, member = found
                out[name] = from_json(member, item, f"{where}.{name}" if where else name, raw, code)
        return out
    if type_name == "list":
        if not isinstance(value, list):
            raise _err(_type_error(where, "array", value), code)
        member = shape.member
        return [from_json(member, item, where, raw, code) for item in value]
    if type_name == "map":
        if not isinstance(value, dict):
            raise _err(_type_error(where, "object", value), code)
        value_shape = shape.value
        return {k: from_json(value_shape, v, f"{where}.{k}", raw, code) for k, v in value.items()}
    if type_name == "blob":
        if not isinstance(value, str):
            raise _err(_type_error(where, "base64 string", value), code)
        return b64decode(value, where)
    if type_name == "timestamp":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _err(_type_error(where, "timestamp", value), code)
        return parse_timestamp_value(value, where)
    if type_name in ("float", "double") and value in _NON_FINITE:
        return float(value)  # JSON has no NaN/Infinity literals: AWS sends them as strings
    expected = _PY_TYPES.get(type_name)
    if expected is not None:
        if not isinstance(value, expected) or (type_name != "boolean" and isinstance(value, bool)):
            raise _err(_type_error(where, type_name, value), code)
        if type_name in ("float", "double"):
            return float(value)  # type: ignore[arg-type]  # an int or a float, checked above
    return value


@lru_cache(maxsize=8192)
def wire_members(shape: Shape) -> dict[str, tuple[str, Shape]]:
    """A structure's members by JSON key: the member's `locationName` when it has one
    (apigatewayv2 writes `apiId` for member `ApiId`), else its name."""
    return {member.serialization.get("name", name): (name, member) for name, member in shape.members.items()
            if "location" not in member.serialization}


@lru_cache(maxsize=8192)
def json_names(shape: Shape) -> dict[str, str]:
    """Member name → JSON key, for the members whose key differs from their name."""
    return {name: member.serialization["name"] for name, member in shape.members.items()
            if member.serialization.get("name", name) != name}


def _err(error: SerializationError, code: str) -> SerializationError:
    error.code = code  # type: ignore[misc]
    return error


@lru_cache(maxsize=4096)
def _plain(shape: Shape) -> bool:
    """True when values of `shape` need no conversion on the way out (no blob, timestamp, float or
    renamed member below)."""
    seen: set[str] = set()

    def walk(s: Shape) -> bool:
        if s.name in seen:
            return True
        seen.add(s.name)
        t = s.type_name
        if t in ("blob", "timestamp", "float", "double"):
            return False
        if t == "structure":
            return not json_names(s) and all(walk(m) for m in s.members.values())
        if t == "list":
            return walk(s.member)
        if t == "map":
            return walk(s.value)
        return True

    return walk(shape)


def to_json(shape: Shape, value: Any, ts_format: str = "unixTimestamp") -> Any:
    """Render a Python value of `shape` as a JSON-ready value."""
    if value is None:
        return None
    if isinstance(value, Trusted):
        return value.value
    type_name = shape.type_name
    if type_name == "structure" and not shape.is_document_type:
        out: dict[str, Any] = {}
        members = shape.members
        renamed = json_names(shape)
        for key, item in value.items():
            member = members.get(key)
            if member is None or item is None:
                continue
            out[renamed.get(key, key)] = to_json(member, item, ts_format)
        return out
    if type_name == "list":
        if _plain(shape.member):
            return list(value)
        return [to_json(shape.member, item, ts_format) for item in value]
    if type_name == "map":
        if _plain(shape.value):
            return dict(value)
        return {k: to_json(shape.value, v, ts_format) for k, v in value.items()}
    if type_name == "blob":
        return value if isinstance(value, str) else b64encode(value)
    if type_name == "timestamp":
        return format_timestamp(value, shape.serialization.get("timestampFormat", ts_format))
    if type_name in ("float", "double") and isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def error_document(shape: Shape | None, members: dict[str, Any]) -> dict[str, Any]:
    """An error's JSON body: each member rendered through the error shape when the shape models
    it (timestamps, blobs, renamed keys), others as given; header-located members are left out."""
    if shape is None:
        return members
    names = json_names(shape)
    out: dict[str, Any] = {}
    for key, value in members.items():
        member = shape.members.get(key)
        if member is None:
            out[key] = value
        elif "location" not in member.serialization and value is not None:
            out[names.get(key, key)] = to_json(member, value)
    return out
