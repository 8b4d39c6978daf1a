"""Valid sample values for any botocore shape, so protocol round-trips can run over every operation.

`Sampler(model, side)` builds a value for an operation's input or output shape with every member set
(nested lists, maps and structures down to a depth limit, then only required members), choosing
each scalar so that it exercises the wire format where it travels:

- strings carry non-ASCII and markup characters in bodies, slashes, spaces and reserved characters
  in URI labels and query strings (greedy labels keep their slashes), plain ASCII in headers;
- timestamps carry milliseconds where the format keeps them (ISO-8601; epoch seconds on the way
  out), whole seconds where it does not (RFC 822 headers, botocore's epoch seconds on the way in);
- integers honour min/max, longs exceed 2**32, floats are not integral, booleans alternate;
- enums take their first value, unions exactly one member, `statusCode` members a 2xx code.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

UTC = dt.UTC
WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
WHEN_SECONDS = WHEN.replace(microsecond=0)
BLOB = b"\x00\x01\xfe\xff blob \xe2\x9c\x93"

BODY_TEXT = "v é✓😀 <&>\"' ]]>"
LABEL_TEXT = "a b/c?d#e%f+g=é"
GREEDY_TEXT = "dir/sub dir/ü+%#?&=;x.txt"
QUERY_TEXT = "q a&b=c+d/é%"
HEADER_TEXT = "hv text-1"

#: Values members must take so the client accepts them (botocore validates these itself).
NAMED = {
    ("s3", "BucketName"): "bucket-1",
    ("s3", "CopySource"): "src-bucket/src key é",
    ("s3", "ChecksumAlgorithm"): "CRC32",
}

#: Members left out: EventBridge's EndpointId sends PutEvents to a global endpoint (SigV4a, not us).
OMIT = {("events", "EndpointId")}


class Where:
    """Where a value travels: its location on the wire and the timestamp format there."""

    __slots__ = ("greedy", "location", "member")

    def __init__(self, location: str | None = None, member: str = "", greedy: bool = False) -> None:
        self.location = location
        self.member = member
        self.greedy = greedy


BODY = Where()


class Sampler:
    """Sample values of one service's shapes, for requests (`side="input"`) or responses."""

    def __init__(self, model: ServiceModel, side: str = "input", *, max_depth: int = 6,
                 required_only: bool = False) -> None:
        self.model = model
        self.protocol = model.protocol
        self.side = side
        self.max_depth = max_depth
        self.required_only = required_only
        self._flip = itertools.cycle((True, False))

    # -- entry points ---------------------------------------------------------------------------

    def input(self, op: OperationModel) -> dict[str, Any]:
        return self._top(op.input_shape, op)

    def output(self, op: OperationModel) -> dict[str, Any]:
        return self._top(op.output_shape, op)

    def error(self, shape: Shape) -> dict[str, Any]:
        """The members of an error shape (header-located ones as header values)."""
        return self._top(shape, None)

    def events(self, stream: Shape) -> list[dict[str, Any]]:
        """One event of each kind an event stream carries (its modeled exceptions aside)."""
        return [{name: self.value(member, BODY, 1)} for name, member in stream.members.items()
                if not member.metadata.get("exception")]

    def _top(self, shape: Shape | None, op: OperationModel | None) -> dict[str, Any]:
        if shape is None:
            return {}
        uri = op.http.get("requestUri", "") if op is not None else ""
        greedy = {name.rstrip("+") for name in _labels(uri) if name.endswith("+")}
        out: dict[str, Any] = {}
        required = set(shape.required_members)
        for name, member in shape.members.items():
            if member.serialization.get("eventstream") or getattr(member, "is_event_stream", False):
                continue
            if (self.required_only and name not in required) or self._omit(member):
                continue
            location = member.serialization.get("location")
            if member.serialization.get("hostLabel"):
                out[name] = "host1"
                continue
            loc_name = member.serialization.get("name", name)
            where = Where(location, name, greedy=location == "uri" and loc_name in greedy)
            if shape.serialization.get("payload") == name:
                where = Where("payload", name)
            out[name] = self.value(member, where, 1)
        payload = shape.serialization.get("payload")
        for name, member in shape.members.items():
            # A response's Content-Length header is the length of its body.
            if (self.side == "output" and name in out and payload in out
                    and member.serialization.get("name", "").lower() == "content-length"):
                body = out[payload]
                out[name] = len(body.encode() if isinstance(body, str) else body)
        return out

    def _omit(self, shape: Shape) -> bool:
        return (self.model.service_name, shape.name) in OMIT

    # -- values ---------------------------------------------------------------------------------

    def value(self, shape: Shape, where: Where, depth: int) -> Any:
        named = NAMED.get((self.model.service_name, shape.name))
        if named is not None:
            return named
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, where, depth)
        if kind == "list":
            return self._list(shape, where, depth)
        if kind == "map":
            return self._map(shape, where, depth)
        return getattr(self, f"_{kind}")(shape, where)

    def _structure(self, shape: Shape, where: Where, depth: int) -> dict[str, Any]:
        if shape.metadata.get("document"):
            return {"doc": [1, "two", True, {"n": None}]}
        required = set(shape.required_members)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            if member.serialization.get("eventstream") or self._omit(member):
                continue
            union = shape.metadata.get("union")
            if (depth >= self.max_depth or self.required_only) and name not in required and not union:
                continue
            value = self.value(member, BODY, depth + 1)
            if _empty(value) and name not in required and not union:
                continue  # past the depth limit: an empty structure is not sent at all
            out[name] = value
            if union:
                break
        return out

    def _list(self, shape: Shape, where: Where, depth: int) -> list[Any]:
        count = _clamp(1 if self.required_only else 2, shape.metadata)
        item_where = Where(where.location, where.member) if where.location in ("header", "querystring") else BODY
        items = [self.value(shape.member, item_where, depth + 1) for _ in range(count)]
        if where.location == "header" and shape.member.type_name == "string" and not shape.member.enum:
            # botocore quotes list items holding commas or quotes on the way in; its response
            # parser splits on commas without unquoting, so only requests carry them.
            extra = ['b, "c"', 'd'] if self.side == "input" else ["b c", "d-e"]
            items = [items[0], *extra][: max(count, 1)] if count else items
        return _distinct(items)

    def _map(self, shape: Shape, where: Where, depth: int) -> dict[Any, Any]:
        count = _clamp(1 if self.required_only else 2, shape.metadata)
        keys = list(shape.key.enum) if shape.key.enum else [f"key{i}" for i in range(1, 4)]
        if where.location == "headers":
            keys = [f"meta-{i}" for i in range(1, 4)]
        elif where.location == "querystring":
            keys = [f"extra{i}" for i in range(1, 4)]
        value_where = Where(where.location, where.member) if where.location else BODY
        return {self._map_key(shape.key, k, where): self.value(shape.value, value_where, depth + 1)
                for k in keys[:count]}

    def _map_key(self, shape: Shape, key: str, where: Where) -> str:
        if where.location or shape.enum:
            return key
        return f"{key} é"

    # -- scalars --------------------------------------------------------------------------------

    def _string(self, shape: Shape, where: Where) -> Any:
        if shape.enum:
            return shape.enum[0]
        if shape.serialization.get("jsonvalue") and where.location == "header":
            return {"k": ["v", 1, True], "é": None}
        location = where.location
        if location == "uri":
            text = GREEDY_TEXT if where.greedy else LABEL_TEXT
        elif location == "querystring":
            text = QUERY_TEXT
        elif location in ("header", "headers"):
            text = HEADER_TEXT
        elif location == "payload":
            text = f"payload {BODY_TEXT}"
        else:
            text = BODY_TEXT
        return _fit(text, shape.metadata)

    def _integer(self, shape: Shape, where: Where) -> int:
        if where.location == "statusCode":
            return 200
        return _clamp(42, shape.metadata)

    def _long(self, shape: Shape, where: Where) -> int:
        if where.location == "statusCode":
            return 200
        return _clamp(2**40 + 5, shape.metadata)

    def _float(self, shape: Shape, where: Where) -> float:
        low = shape.metadata.get("min")
        high = shape.metadata.get("max")
        value = 2.5
        if high is not None and value > high:
            value = (low + high) / 2 if low is not None else high - 0.5
        if low is not None and value < low:
            value = low + 0.5
        return float(value)

    _double = _float

    def _boolean(self, shape: Shape, where: Where) -> bool:
        return next(self._flip)

    def _blob(self, shape: Shape, where: Where) -> bytes:
        if where.location == "payload":
            return b"payload " + BLOB
        return BLOB

    def _timestamp(self, shape: Shape, where: Where) -> dt.datetime:
        fmt = shape.serialization.get("timestampFormat") or self._timestamp_format(where)
        if self.side == "input" and where.location in ("header", "headers"):
            return WHEN_SECONDS  # botocore drops the fraction of header timestamps, whatever the format
        if fmt == "rfc822" or (fmt == "unixTimestamp" and self.side == "input"):
            return WHEN_SECONDS
        return WHEN

    def _timestamp_format(self, where: Where) -> str:
        if where.location in ("header", "headers"):
            return "rfc822"
        if where.location in ("uri", "querystring"):
            return "iso8601"
        return "unixTimestamp" if self.protocol in ("json", "rest-json") else "iso8601"


def _labels(uri: str) -> list[str]:
    out: list[str] = []
    for part in uri.split("{")[1:]:
        out.append(part.split("}", 1)[0])
    return out


def _clamp(value: int, meta: dict[str, Any]) -> int:
    low = meta.get("min")
    high = meta.get("max")
    if high is not None and value > high:
        value = int(high)
    if low is not None and value < low:
        value = int(low)
    return value


def _fit(text: str, meta: dict[str, Any]) -> str:
    low = meta.get("min", 0)
    high = meta.get("max")
    if high is not None and len(text) > high:
        text = text[: int(high)]
    if len(text) < low:
        text = text + "x" * (int(low) - len(text))
    return text


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return not value
    if isinstance(value, list):
        return all(_empty(item) for item in value)
    return False


def _distinct(items: list[Any]) -> list[Any]:
    return items
