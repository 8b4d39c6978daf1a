"""Shape-driven conversion between CBOR and Python values, for AWS's CBOR protocols.

This module knows CBOR and botocore's shapes, not HTTP: the json protocol's CBOR variant
(`application/x-amz-cbor-1.1`, which the AWS SDK for Java and the KCL speak to Kinesis) frames it
in `protocol/json_cbor.py`, and smithy-rpc-v2-cbor can frame it the same way.

The mapping (https://smithy.io/2.0/aws/protocols/aws-smithy-rpc-v2-cbor.html#shape-serialization):
structures and maps are CBOR maps, lists arrays, blobs byte strings, strings text strings,
numbers and booleans as themselves, timestamps tag 1 (epoch) over a number. The Java SDK's
`x-amz-cbor-1.1` puts epoch *milliseconds* under tag 1 where smithy-rpc-v2-cbor puts seconds:
`Timestamps` says which unit a protocol writes. On input either is accepted (an epoch above
10^11 is milliseconds: 10^11 seconds is the year 5138).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import cbor2
from botocore.model import Shape

from overcast.errors import SerializationError
from overcast.protocol.base import Trusted
from overcast.protocol.jsonvalues import wire_members
from overcast.protocol.values import to_epoch

TAG_EPOCH = 1
_MILLIS_ABOVE = 1e11


@dataclass(frozen=True)
class Epoch:
    """A tag-1 timestamp as it came: the number under the tag."""

    value: int | float


@dataclass(frozen=True)
class Timestamps:
    """How a protocol writes timestamps under tag 1: in milliseconds (`x-amz-cbor-1.1`) or seconds."""

    millis: bool


MILLIS = Timestamps(millis=True)
SECONDS = Timestamps(millis=False)


def _epoch(value: Any, _immutable: bool) -> Epoch:
    return Epoch(value)


def loads(body: bytes, code: str = "SerializationException") -> dict[str, Any]:
    """A request body that must hold a CBOR map (an empty body is an empty map)."""
    if not body:
        return {}
    try:
        document = cbor2.loads(body, semantic_decoders={TAG_EPOCH: _epoch})
    except (cbor2.CBORDecodeError, ValueError, TypeError):
        raise SerializationError("Could not parse request body into CBOR", code=code) from None
    if not isinstance(document, dict):
        raise SerializationError(f"Expected a CBOR map as the request body, got {type(document).__name__}",
                                 code=code)
    return document


def dumps(value: Any) -> bytes:
    """CBOR bytes of a value `to_cbor` prepared."""
    return cbor2.dumps(value)


def _type_error(where: str, expected: str, value: Any, code: str) -> SerializationError:
    return SerializationError(f"Unexpected value type for {where or 'body'}: expected {expected}, "
                              f"got {type(value).__name__}", code=code)


def from_cbor(shape: Shape, value: Any, where: str = "", raw: frozenset[str] = frozenset(),
              code: str = "SerializationException") -> Any:
    """Check and convert a decoded CBOR value of `shape` into what services receive: blobs as
    bytes, timestamps as aware datetimes, structures by member name."""
    if value is None:
        return None
    if shape.name in raw:
        return value
    type_name = shape.type_name
    if type_name == "structure":
        if shape.is_document_type:
            return value
        if not isinstance(value, dict):
            raise _type_error(where, "map", value, code)
        out: dict[str, Any] = {}
        by_wire = wire_members(shape)
        for key, item in value.items():
            found = by_wire.get(key)
            if found is not None:
                name, member = found
                out[name] = from_cbor(member, item, f"{where}.{name}" if where else name, raw, code)
        return out
    if type_name == "list":
        if not isinstance(value, list):
            raise _type_error(where, "array", value, code)
        return [from_cbor(shape.member, item, where, raw, code) for item in value]
    if type_name == "map":
        if not isinstance(value, dict):
            raise _type_error(where, "map", value, code)
        return {k: from_cbor(shape.value, v, f"{where}.{k}", raw, code) for k, v in value.items()}
    if type_name == "blob":
        return _blob_in(value, where, code)
    if type_name == "timestamp":
        return _timestamp_in(value, where, code)
    return _scalar_in(type_name, value, where, code)


def _blob_in(value: Any, where: str, code: str) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):  # a lenient client's base64 text
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise SerializationError(f"Invalid base64 value for {where}", code=code) from None
    raise _type_error(where, "byte string", value, code)


def _timestamp_in(value: Any, where: str, code: str) -> dt.datetime:
    number = value.value if isinstance(value, Epoch) else value
    if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
        raise _type_error(where, "timestamp", value, code)
    seconds = number / 1000 if abs(number) > _MILLIS_ABOVE else number
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise SerializationError(f"Invalid timestamp value for {where}: {number!r}", code=code) from None


_SCALARS = {"string": (str,), "boolean": (bool,), "integer": (int,), "long": (int,), "float": (int, float),
            "double": (int, float)}


def _scalar_in(type_name: str, value: Any, where: str, code: str) -> Any:
    expected = _SCALARS.get(type_name)
    if expected is None:
        return value
    if not isinstance(value, expected) or (type_name != "boolean" and isinstance(value, bool)):
        raise _type_error(where, type_name, value, code)
    return float(value) if type_name in ("float", "double") else value  # type: ignore[arg-type]


def to_cbor(shape: Shape, value: Any, timestamps: Timestamps = MILLIS) -> Any:
    """A service's value of `shape` (or a `Trusted` one in JSON wire form: base64 blobs, epoch
    seconds) as the Python value cbor2 encodes: bytes for blobs, tag 1 for timestamps."""
    if isinstance(value, Trusted):
        value = value.value
    if value is None:
        return None
    type_name = shape.type_name
    if type_name == "structure" and not shape.is_document_type:
        out: dict[str, Any] = {}
        for key, item in value.items():
            member = shape.members.get(key)
            if member is None or item is None or "location" in member.serialization:
                continue
            out[member.serialization.get("name", key)] = to_cbor(member, item, timestamps)
        return out
    if type_name == "list":
        return [to_cbor(shape.member, item, timestamps) for item in value]
    if type_name == "map":
        return {k: to_cbor(shape.value, v, timestamps) for k, v in value.items()}
    if type_name == "blob":
        return base64.b64decode(value) if isinstance(value, str) else bytes(value)
    if type_name == "timestamp":
        return timestamp_out(value, timestamps)
    return value


def timestamp_out(value: Any, timestamps: Timestamps) -> cbor2.CBORTag:
    """A timestamp under tag 1, in the protocol's unit (whole milliseconds, or seconds)."""
    epoch = to_epoch(value)
    if timestamps.millis:
        return cbor2.CBORTag(TAG_EPOCH, round(epoch * 1000))
    return cbor2.CBORTag(TAG_EPOCH, int(epoch) if epoch == int(epoch) else epoch)


def error_document(shape: Shape | None, members: dict[str, Any], timestamps: Timestamps = MILLIS) -> dict[str, Any]:
    """An error's CBOR body members: through the error shape where it models them, others as given."""
    out: dict[str, Any] = {}
    for key, value in members.items():
        member = shape.members.get(key) if shape is not None else None
        if member is None:
            out[key] = value.value if isinstance(value, Trusted) else value
        elif "location" not in member.serialization and value is not None:
            out[member.serialization.get("name", key)] = to_cbor(member, value, timestamps)
    return out
