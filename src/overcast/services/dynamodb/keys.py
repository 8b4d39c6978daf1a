"""Primary keys: the key schema of a table or index, and the byte form keys are stored under.

Keys are stored as bytes whose order is DynamoDB's key order, so SQLite's plain BLOB comparison
(memcmp, shorter first) sorts a partition the way DynamoDB does and a Query is an index range scan:
S keys are their UTF-8 bytes, B keys their raw bytes, and N keys an order-preserving encoding of
the decimal number (sign, exponent, then base-100 digit pairs; negatives complemented).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from overcast.services.dynamodb.errors import DynamoValidation, invalid
from overcast.services.dynamodb.types import AttributeValue, Item, canonical_number, decode_binary

MAX_HASH_KEY = 2048
MAX_RANGE_KEY = 1024
KEY_MISMATCH = "The provided key element does not match the schema"


def encode_number(text: str) -> bytes:
    """Bytes of a canonical number (plain notation, as types.canonical_number gives) that sort like
    the numbers themselves."""
    if text == "0":
        return b"\x02"
    sign = text.startswith("-")
    whole, _, fraction = text.lstrip("-").partition(".")
    if whole != "0":
        exponent = len(whole)  # value = 0.d1d2... x 10^exponent
        text_digits = (whole + fraction).rstrip("0")
    else:
        significant = fraction.lstrip("0")
        exponent = len(significant) - len(fraction)
        text_digits = significant
    exponent += 1000
    if len(text_digits) % 2:
        text_digits += "0"
    pairs = [int(text_digits[i : i + 2]) for i in range(0, len(text_digits), 2)]
    if not sign:
        return b"\x03" + exponent.to_bytes(2, "big") + bytes(p + 1 for p in pairs)
    return b"\x01" + (0xFFFF - exponent).to_bytes(2, "big") + bytes(100 - p for p in pairs) + b"\xff"


def encode_value(kind: str, value: str) -> bytes:
    """Stored bytes of a key value (numbers in any valid notation)."""
    if kind == "S":
        return value.encode("utf-8", "surrogatepass")
    if kind == "N":
        return encode_number(canonical_number(value))
    return decode_binary(value)


def successor(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string starting with `prefix` (None: none)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


def segment_of(pk: bytes, total: int) -> int:
    """The parallel-scan segment of a partition (DynamoDB splits the key hash space evenly)."""
    return (int.from_bytes(hashlib.md5(pk).digest()[:4], "big") * total) >> 32


def _index_value(av: AttributeValue, name: str, kind: str, index_name: str) -> bytes:
    """One index key attribute's value, encoded: a wrongly typed or empty value is refused, as
    DynamoDB does (an absent one makes the item sparse: the caller's concern)."""
    if kind not in av:
        raise invalid(f"Type mismatch for Index Key {name} Expected: {kind} Actual: {next(iter(av))} "
                      f"IndexName: {index_name}")
    value = av[kind]
    if value == "":
        raise DynamoValidation("One or more parameter values are not valid. A value specified for a "
                               "secondary index key is not supported. The AttributeValue for a key "
                               f"attribute cannot contain an empty {'string' if kind == 'S' else 'binary'} "
                               f"value. IndexName: {index_name}, IndexKey: {name}")
    return encode_value(kind, value)  # type: ignore[arg-type]


def composite(parts: list[bytes]) -> bytes:
    """Several key values as one byte string whose order is the tuple order of the values: each
    value with 0x00 escaped as 0x00 0x01, ended by 0x00 0x00 (multi-attribute GSI keys)."""
    return b"".join(part.replace(b"\x00", b"\x00\x01") + b"\x00\x00" for part in parts)


@dataclass(frozen=True)
class KeySchema:
    """HASH (and optional RANGE) attribute names and their types (S, N or B). A global secondary
    index may have up to 4 HASH and 4 RANGE attributes (multi-attribute keys): the first of each
    are `hash_name`/`range_name`, the others `more_hash`/`more_range` as (name, type) pairs."""

    hash_name: str
    hash_type: str
    range_name: str | None = None
    range_type: str | None = None
    more_hash: tuple[tuple[str, str], ...] = ()
    more_range: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_wire(cls, key_schema: list[dict[str, str]], types: dict[str, str]) -> KeySchema:
        hashes = [k["AttributeName"] for k in key_schema if k["KeyType"] == "HASH"]
        ranges = [k["AttributeName"] for k in key_schema if k["KeyType"] == "RANGE"]
        return cls(hashes[0], types[hashes[0]], ranges[0] if ranges else None, types[ranges[0]] if ranges else None,
                   tuple((n, types[n]) for n in hashes[1:]), tuple((n, types[n]) for n in ranges[1:]))

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> KeySchema:
        return cls(**{**doc, "more_hash": tuple(tuple(p) for p in doc.get("more_hash", ())),
                      "more_range": tuple(tuple(p) for p in doc.get("more_range", ()))})

    @property
    def multi(self) -> bool:
        return bool(self.more_hash or self.more_range)

    @property
    def hash_parts(self) -> tuple[tuple[str, str], ...]:
        return ((self.hash_name, self.hash_type), *self.more_hash)

    @property
    def range_parts(self) -> tuple[tuple[str, str], ...]:
        if self.range_name is None:
            return ()
        return ((self.range_name, self.range_type or "S"), *self.more_range)

    @property
    def names(self) -> tuple[str, ...]:
        if self.multi:
            return tuple(n for n, _ in (*self.hash_parts, *self.range_parts))
        return (self.hash_name, self.range_name) if self.range_name else (self.hash_name,)

    def type_of(self, name: str) -> str | None:
        return next((t for n, t in (*self.hash_parts, *self.range_parts) if n == name), None)

    def to_wire(self) -> list[dict[str, str]]:
        return [{"AttributeName": n, "KeyType": "HASH"} for n, _ in self.hash_parts] + \
            [{"AttributeName": n, "KeyType": "RANGE"} for n, _ in self.range_parts]

    # -- keys of requests ---------------------------------------------------------------------

    def key_of_request(self, key: Any) -> tuple[bytes, bytes]:
        """The stored key of a `Key` parameter: exactly the key attributes, of the right types."""
        if not isinstance(key, dict) or len(key) != len(self.names):
            raise DynamoValidation(KEY_MISMATCH)
        pk = self._part(key, self.hash_name, self.hash_type, MAX_HASH_KEY)
        sk = self._part(key, self.range_name, self.range_type, MAX_RANGE_KEY) if self.range_name else b""
        return pk, sk

    def _part(self, key: dict[str, Any], name: str | None, kind: str | None, limit: int) -> bytes:
        av = key.get(name)  # type: ignore[arg-type]
        if not isinstance(av, dict) or len(av) != 1 or kind not in av or not isinstance(av[kind], str):
            raise DynamoValidation(KEY_MISMATCH)
        return self._encoded(name, kind, av[kind], limit)  # type: ignore[arg-type]

    def _encoded(self, name: str, kind: str, value: str, limit: int) -> bytes:
        if value == "" and kind in ("S", "B"):
            raise DynamoValidation("One or more parameter values are not valid. The AttributeValue for a key "
                                   f"attribute cannot contain an empty {'string' if kind == 'S' else 'binary'} "
                                   f"value. Key: {name}")
        encoded = encode_value(kind, value)
        if len(encoded) > limit:
            if limit == MAX_HASH_KEY:
                raise invalid("Size of hashkey has exceeded the maximum size limit of2048 bytes")
            raise invalid("Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
        return encoded

    def key_of_item(self, item: Item) -> tuple[bytes, bytes]:
        """The stored key of an item being written: its key attributes must be there, typed right."""
        pk = self._item_part(item, self.hash_name, self.hash_type, MAX_HASH_KEY)
        sk = b""
        if self.range_name:
            sk = self._item_part(item, self.range_name, self.range_type, MAX_RANGE_KEY)  # type: ignore[arg-type]
        return pk, sk

    def _item_part(self, item: Item, name: str, kind: str, limit: int) -> bytes:
        av = item.get(name)
        if av is None:
            raise invalid(f"Missing the key {name} in the item")
        if kind not in av:
            raise invalid(f"Type mismatch for key {name} expected: {kind} actual: {next(iter(av))}")
        return self._encoded(name, kind, av[kind], limit)

    def key_attributes(self, item: Item) -> Item:
        """Only the key attributes of `item`."""
        out = {self.hash_name: item[self.hash_name]}
        if self.range_name:
            out[self.range_name] = item[self.range_name]
        return out

    def index_key_of(self, item: Item, index_name: str) -> tuple[bytes, bytes] | None:
        """An item's key in a secondary index, or None when the item lacks an index key attribute
        (the index is sparse). A wrongly typed index key is refused, as DynamoDB does."""
        if self.multi:
            return self._multi_key_of(item, index_name)
        parts: list[bytes] = []
        for name, kind in ((self.hash_name, self.hash_type), (self.range_name, self.range_type)):
            if name is None:
                parts.append(b"")
                continue
            av: AttributeValue | None = item.get(name)
            if av is None:
                return None
            encoded = _index_value(av, name, kind, index_name)  # type: ignore[arg-type]
            if name == self.range_name and len(encoded) > MAX_RANGE_KEY:  # index keys have the table's limits
                raise invalid("Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
            if name == self.hash_name and len(encoded) > MAX_HASH_KEY:
                raise invalid("Size of hashkey has exceeded the maximum size limit of2048 bytes")
            parts.append(encoded)
        return parts[0], parts[1]

    def _multi_key_of(self, item: Item, index_name: str) -> tuple[bytes, bytes] | None:
        """A multi-attribute index key: every key attribute must be there (else the item is not
        indexed); partition and sort values each joined by `composite`."""
        encoded: dict[str, bytes] = {}
        for name, kind in (*self.hash_parts, *self.range_parts):
            av: AttributeValue | None = item.get(name)
            if av is None:
                return None
            encoded[name] = _index_value(av, name, kind, index_name)
        pk = composite([encoded[n] for n, _ in self.hash_parts])
        sk = composite([encoded[n] for n, _ in self.range_parts]) if self.range_parts else b""
        return pk, sk
