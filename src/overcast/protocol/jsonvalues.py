"""Shape-driven conversion between JSON documents and Python values (json and rest-json)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from botocore.model import Shape

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


def _type_error(where: str, expected: str, value: Any) -> SerializationError:
    got = type(value).__name__
    return SerializationError(f"Unexpected value type for {where or 'body'}: expected {expected}, got {got}")


@lru_cache(maxsize=4096)
def _wire_names(shape: Shape) -> tuple[dict[str, str], dict[str, str]]:
    """A structure's body members: (wire name → member name, member name → wire name). rest-json
    models rename members with `locationName` (API Gateway: `integrationHttpMethod` is sent as
    `httpMethod`; API Gateway v2 sends every member in camelCase)."""
    by_wire: dict[str, str] = {}
    by_member: dict[str, str] = {}
    for name, member in shape.members.items():
        if member.serialization.get("location"):
            continue
        wire = member.serialization.get("name", name)
        by_wire[wire] = name
        by_member[name] = wire
    return by_wire, by_member


def from_json(shape: Shape, value: Any, where: str, raw: frozenset[str] = frozenset(),
              code: str = "SerializationException") -> Any:
    """Check and convert a JSON value of `shape` (blobs decoded, timestamps parsed)."""
    if value is None:
        return None
    if shape.name in raw:
        return value
    type_name = shape.type_name
    if type_name == "structure":
        if not isinstance(value, dict):
            raise _err(_type_error(where, "object", value), code)
        members = shape.members
        by_wire = _wire_names(shape)[0]
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = by_wire.get(key)
            if name is not None:
                out[name] = from_json(members[name], item, f"{where}.{key}" if where else key, raw, code)
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
    expected = _PY_TYPES.get(type_name)
    if expected is not None:
        if not isinstance(value, expected) or (type_name != "boolean" and isinstance(value, bool)):
            raise _err(_type_error(where, type_name, value), code)
        if type_name in ("float", "double"):
            return float(value)
    return value


def _err(error: SerializationError, code: str) -> SerializationError:
    error.code = code  # type: ignore[misc]
    return error


@lru_cache(maxsize=4096)
def _plain(shape: Shape) -> bool:
    """True when values of `shape` need no conversion on the way out (no blob, timestamp or renamed
    member below)."""
    seen: set[str] = set()

    def walk(s: Shape) -> bool:
        if s.name in seen:
            return True
        seen.add(s.name)
        t = s.type_name
        if t in ("blob", "timestamp"):
            return False
        if t == "structure":
            renamed = any(m.serialization.get("name", n) != n for n, m in s.members.items())
            return not renamed and all(walk(m) for m in s.members.values())
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
    if type_name == "structure":
        out: dict[str, Any] = {}
        members = shape.members
        by_member = _wire_names(shape)[1]
        for key, item in value.items():
            member = members.get(key)
            if member is None or item is None:
                continue
            out[by_member.get(key, key)] = to_json(member, item, ts_format)
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
    return value
