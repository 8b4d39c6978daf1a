"""DynamoDB's attribute values, exactly as DynamoDB types them.

Values stay in their wire form everywhere (`{"S": "x"}`, `{"N": "1.5"}`, `{"B": "<base64>"}`,
`{"SS": [...]}`, `{"M": {...}}`, `{"L": [...]}`, `{"NULL": true}`, `{"BOOL": false}`): that is how
the protocol layer hands them over (raw shapes) and how they are stored and returned, so a read never
converts anything. This module validates and normalises input values (numbers canonicalised to
DynamoDB's 38-digit form), computes item sizes the way DynamoDB bills and limits them, and compares
values with DynamoDB's semantics.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow, Underflow
from typing import Any

from overcast.errors import SerializationError
from overcast.services.dynamodb.errors import DynamoValidation, invalid

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

#: DynamoDB items are at most 400 KB (attribute names and values, as `item_size` counts them).
MAX_ITEM_SIZE = 400 * 1024
#: Maps and lists nest at most 32 levels deep.
MAX_DEPTH = 32
#: Numbers: 38 significant digits, magnitude 1E-130 to 9.99..E+125.
NUMBER_CONTEXT = Context(prec=38, Emax=125, Emin=-130, traps=[Inexact, Overflow, Underflow, InvalidOperation])

TYPES = frozenset(("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"))
SCALAR_KEY_TYPES = frozenset(("S", "N", "B"))

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
#: numbers already in canonical form (plain notation, no superfluous zeros); checked for length below
_CANONICAL = re.compile(r"-?(?:[1-9]\d*|0(?=\.))(?:\.\d*[1-9])?|0")

NOT_A_NUMBER = "The parameter cannot be converted to a numeric value"
TOO_PRECISE = "Attempting to store more than 38 significant digits in a Number"
OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"


# -- numbers ---------------------------------------------------------------------------------

def parse_number(text: Any) -> Decimal:
    """The number a wire `N` string holds, checked against DynamoDB's limits."""
    if not isinstance(text, str) or not _NUMBER.fullmatch(text):
        raise DynamoValidation(f"{NOT_A_NUMBER}: {text}" if isinstance(text, str) and text else NOT_A_NUMBER)
    value = Decimal(text)
    if not value:
        return Decimal(0)
    significant = "".join(map(str, value.as_tuple().digits)).strip("0")
    if len(significant) > 38:
        raise DynamoValidation(TOO_PRECISE)
    exponent = value.adjusted()
    if exponent > 125:
        raise DynamoValidation(OVERFLOW)
    if exponent < -130:
        raise DynamoValidation(UNDERFLOW)
    return value


def format_number(value: Decimal) -> str:
    """DynamoDB's canonical text of a number: plain notation, no trailing zeros, no `-0`."""
    if not value:
        return "0"
    text = format(value.normalize(NUMBER_CONTEXT_LOOSE), "f")
    return text


NUMBER_CONTEXT_LOOSE = Context(prec=40, Emax=200, Emin=-200)


def canonical_number(text: Any) -> str:
    """The canonical text of a wire `N` value (ValidationException when it is not a valid number)."""
    if isinstance(text, str) and len(text) <= 38 and _CANONICAL.fullmatch(text):
        return text  # at most 38 characters: at most 38 digits, magnitude well inside the range
    return format_number(parse_number(text))


def add_numbers(a: str, b: str, subtract: bool = False) -> str:
    """a + b (or a - b) of two canonical numbers, refused as DynamoDB refuses results it cannot hold."""
    if "." not in a and "." not in b:  # canonical integers (counters): exact with ints
        total = int(a) - int(b) if subtract else int(a) + int(b)
        if len(str(abs(total)).rstrip("0")) <= 38 and abs(total) < 10**126:
            return str(total)
    x, y = Decimal(a), Decimal(b)
    try:
        result = NUMBER_CONTEXT.subtract(x, y) if subtract else NUMBER_CONTEXT.add(x, y)
    except Inexact:
        raise DynamoValidation(TOO_PRECISE) from None
    except Overflow:
        raise DynamoValidation(OVERFLOW) from None
    except Underflow:
        raise DynamoValidation(UNDERFLOW) from None
    return format_number(parse_number(format(result, "f")))


# -- validation ------------------------------------------------------------------------------

def _serialization(what: str) -> SerializationError:
    return SerializationError(f"Unexpected value type for {what}")


def _text(value: Any, what: str) -> str:
    """A string DynamoDB can store: valid Unicode (JSON can carry lone surrogates; UTF-8 cannot)."""
    if not isinstance(value, str):
        raise _serialization(what)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise SerializationError(f"Invalid UTF-8 in {what}") from None
    return value


def check_item(item: Any, what: str = "item") -> Item:
    """Validate and normalise a map of attribute values (an item, a key)."""
    if not isinstance(item, dict):
        raise _serialization(what)
    out: Item = {}
    for name, value in item.items():
        out[_text(name, "attribute name")] = check_value(value, 1)
    return out


def check_value(av: Any, depth: int = 1) -> AttributeValue:
    """One attribute value, validated; numbers come back in canonical form."""
    if not isinstance(av, dict):
        raise _serialization("AttributeValue")
    if len(av) != 1:
        live = [k for k in av if k in TYPES and av[k] is not None]
        if len(live) > 1:
            raise DynamoValidation("Supplied AttributeValue has more than one datatypes set, "
                                   "must contain exactly one of the supported datatypes")
        if not live:
            raise DynamoValidation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
        av = {live[0]: av[live[0]]}
    ((kind, value),) = av.items()
    checker = _CHECKERS.get(kind)
    if checker is None or value is None:
        raise DynamoValidation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
    return checker(value, depth)


def _check_s(value: Any, depth: int) -> AttributeValue:
    return {"S": _text(value, "S")}


def _check_n(value: Any, depth: int) -> AttributeValue:
    return {"N": canonical_number(value)}


def _check_b(value: Any, depth: int) -> AttributeValue:
    if not isinstance(value, str):
        raise _serialization("B")
    decode_binary(value)
    return {"B": value}


def _check_bool(value: Any, depth: int) -> AttributeValue:
    if not isinstance(value, bool):
        raise _serialization("BOOL")
    return {"BOOL": value}


def _check_null(value: Any, depth: int) -> AttributeValue:
    if value is not True:
        raise invalid("Null attribute value types must have the value of true")
    return {"NULL": True}


_SET_NAMES = {"SS": "string", "NS": "number", "BS": "binary"}


def _check_set(kind: str):  # type: ignore[no-untyped-def]
    def check(value: Any, depth: int) -> AttributeValue:
        if not isinstance(value, list):
            raise _serialization(kind)
        if not value:
            raise invalid(f"An {_SET_NAMES[kind]} set  may not be empty")
        if kind == "NS":
            members = [canonical_number(v) for v in value]
            distinct: set[Any] = {Decimal(v) for v in members}
        else:
            for member in value:
                _text(member, kind)
            distinct = {decode_binary(v) for v in value} if kind == "BS" else set(value)
            members = list(value)
        if len(distinct) != len(members):
            raise invalid(f"Input collection [{', '.join(map(str, value))}] contains duplicates.")
        return {kind: members}

    return check


def _check_m(value: Any, depth: int) -> AttributeValue:
    if not isinstance(value, dict):
        raise _serialization("M")
    if depth >= MAX_DEPTH:
        raise DynamoValidation("Nesting Levels have exceeded supported limits")
    return {"M": {_text(k, "attribute name"): check_value(v, depth + 1) for k, v in value.items()}}


def _check_l(value: Any, depth: int) -> AttributeValue:
    if not isinstance(value, list):
        raise _serialization("L")
    if depth >= MAX_DEPTH:
        raise DynamoValidation("Nesting Levels have exceeded supported limits")
    return {"L": [check_value(v, depth + 1) for v in value]}


_CHECKERS = {
    "S": _check_s, "N": _check_n, "B": _check_b, "BOOL": _check_bool, "NULL": _check_null,
    "SS": _check_set("SS"), "NS": _check_set("NS"), "BS": _check_set("BS"), "M": _check_m, "L": _check_l,
}


def decode_binary(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SerializationError("Base64 encoded length is expected a multiple of 4 bytes but found: "
                                 f"{len(value)}") from None


def encode_binary(value: bytes) -> str:
    return base64.b64encode(value).decode()


# -- sizes -----------------------------------------------------------------------------------

def _binary_length(text: str) -> int:
    padding = text.count("=", -2) if text.endswith("=") else 0
    return len(text) * 3 // 4 - padding


def number_size(text: str) -> int:
    """DynamoDB: 1 byte per two significant digits, plus 1 (plus 1 for a negative number)."""
    digits = text.lstrip("-").replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1 + (1 if text.startswith("-") else 0)


def value_size(av: AttributeValue) -> int:
    """The bytes a value counts for: strings and binaries by length, numbers by digits, documents
    with 3 bytes of overhead plus 1 per element (DynamoDB's item size rules)."""
    ((kind, value),) = av.items()
    if kind == "S":
        return len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass"))
    if kind == "N":
        return number_size(value)
    if kind == "B":
        return _binary_length(value)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode("utf-8", "surrogatepass")) for v in value)
    if kind == "NS":
        return sum(number_size(v) for v in value)
    if kind == "BS":
        return sum(_binary_length(v) for v in value)
    if kind == "M":
        return 3 + sum(name_size(k) + value_size(v) + 1 for k, v in value.items())
    return 3 + sum(value_size(v) + 1 for v in value)  # L


def name_size(name: str) -> int:
    return len(name) if name.isascii() else len(name.encode("utf-8", "surrogatepass"))


def item_size(item: Item) -> int:
    return sum(name_size(k) + value_size(v) for k, v in item.items())


# -- comparison ------------------------------------------------------------------------------

def kind_of(av: AttributeValue) -> str:
    return next(iter(av))


def scalar(av: AttributeValue) -> Any:
    """A comparable Python value of an S, N or B attribute value."""
    ((kind, value),) = av.items()
    if kind == "N":
        return Decimal(value)
    if kind == "B":
        return decode_binary(value)
    return value


def _set_members(kind: str, values: list[Any]) -> frozenset[Any]:
    if kind == "NS":
        return frozenset(Decimal(v) for v in values)
    if kind == "BS":
        return frozenset(decode_binary(v) for v in values)
    return frozenset(values)


def equals(a: AttributeValue | None, b: AttributeValue | None) -> bool:
    """DynamoDB equality: same type and value; sets compare as sets. Numbers are compared by their
    text, which is canonical everywhere (check_value and arithmetic produce canonical numbers)."""
    if a is None or b is None:
        return False
    if a == b:
        return True
    ((ka, va),) = a.items()
    ((kb, vb),) = b.items()
    if ka != kb:
        return False
    if ka in ("SS", "NS", "BS"):
        return _set_members(ka, va) == _set_members(kb, vb)
    if ka == "B":
        return decode_binary(va) == decode_binary(vb)
    if ka == "M":
        return va.keys() == vb.keys() and all(equals(va[k], vb[k]) for k in va)
    if ka == "L":
        return len(va) == len(vb) and all(equals(x, y) for x, y in zip(va, vb, strict=True))
    return False


def compare(a: AttributeValue | None, b: AttributeValue | None) -> int | None:
    """-1, 0 or 1 for two S, N or B values of one type (strings by UTF-8 bytes — the same order as
    code points — numbers numerically, binaries as unsigned bytes); None when not comparable."""
    if a is None or b is None:
        return None
    ka, kb = kind_of(a), kind_of(b)
    if ka != kb or ka not in SCALAR_KEY_TYPES:
        return None
    x, y = scalar(a), scalar(b)
    return (x > y) - (x < y)


def contains(container: AttributeValue, operand: AttributeValue) -> bool:
    """`contains(path, operand)`: substring of a string, member of a set, element of a list."""
    kind = kind_of(container)
    value = container[kind]
    okind = kind_of(operand)
    if kind == "S":
        return okind == "S" and operand["S"] in value
    if kind == "B":
        return okind == "B" and decode_binary(operand["B"]) in decode_binary(value)
    if kind in ("SS", "NS", "BS"):
        if okind != kind[0]:
            return False
        return scalar(operand) in _set_members(kind, value)
    if kind == "L":
        return any(equals(element, operand) for element in value)
    return False


def size_of(av: AttributeValue) -> int | None:
    """`size(path)`: string length, binary length, number of set/list/map elements."""
    kind = kind_of(av)
    value = av[kind]
    if kind == "S":
        return len(value)
    if kind == "B":
        return len(decode_binary(value))
    if kind in ("SS", "NS", "BS", "L", "M"):
        return len(value)
    return None
