"""Message attributes: validation, size and the MD5 digests SQS answers with.

AWS's MD5OfMessageAttributes: attributes sorted by name; for each, the name, the data type and the
value, each as a 4-byte big-endian length followed by its UTF-8 (or raw binary) bytes, with a
transport byte between type and value (1 for String/Number, 2 for Binary); MD5 over the
concatenation. MD5OfMessageSystemAttributes uses the same encoding. SDKs recompute these digests and
reject a response whose digests differ.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from overcast.services.sqs.errors import InvalidParameterValue

MAX_ATTRIBUTES = 10
_NAME = re.compile(r"^[\w\-.]{1,256}$")  # letters of any script (AWS accepts non-ASCII names)
_TYPE = re.compile(r"^(String|Number|Binary)(\..+)?$")


def md5_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _lp(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def md5_of_attributes(attributes: dict[str, dict[str, Any]]) -> str | None:
    """MD5OfMessageAttributes (or ...SystemAttributes) of `attributes`; None when there are none."""
    if not attributes:
        return None
    out = bytearray()
    for name in sorted(attributes):
        attr = attributes[name]
        data_type = attr["DataType"]
        out += _lp(name.encode()) + _lp(data_type.encode())
        if data_type.startswith("Binary"):
            value = attr.get("BinaryValue") or b""
            out += b"\x02" + _lp(value if isinstance(value, bytes) else value.encode())
        else:
            out += b"\x01" + _lp(str(attr.get("StringValue", "")).encode())
    return md5_hex(bytes(out))


def attributes_size(attributes: dict[str, dict[str, Any]]) -> int:
    """Bytes the attributes count towards the message size limit (names, types and values)."""
    size = 0
    for name, attr in attributes.items():
        size += len(name.encode()) + len(attr["DataType"].encode())
        value = attr.get("BinaryValue") if attr["DataType"].startswith("Binary") else attr.get("StringValue")
        size += len(value) if isinstance(value, bytes) else len(str(value or "").encode())
    return size


def check_attributes(attributes: dict[str, dict[str, Any]], *, system: bool = False) -> dict[str, dict[str, Any]]:
    """Validate message attributes as SQS does; the stored form keeps DataType and one value."""
    if len(attributes) > MAX_ATTRIBUTES and not system:
        raise InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}]."
        )
    clean: dict[str, dict[str, Any]] = {}
    for name, attr in attributes.items():
        if system:
            if name != "AWSTraceHeader":
                raise InvalidParameterValue(f"Message system attribute name '{name}' is invalid.")
        else:
            _check_name(name)
        clean[name] = _check_value(name, attr or {})
    return clean


def _check_name(name: str) -> None:
    lowered = name.lower()
    if (not _NAME.match(name) or name.startswith(".") or name.endswith(".") or ".." in name
            or lowered.startswith("aws.") or lowered.startswith("amazon.")):
        raise InvalidParameterValue(
            f"Message attribute name '{name}' is invalid. Attribute name can contain A-Z, a-z, 0-9, "
            "underscore (_), hyphen (-), and period (.) characters."
        )


def _check_value(name: str, attr: dict[str, Any]) -> dict[str, Any]:
    data_type = attr.get("DataType")
    if not data_type:
        raise InvalidParameterValue(f"The message attribute '{name}' must contain non-empty message attribute type.")
    if not _TYPE.match(data_type) or len(data_type) > 256:
        raise InvalidParameterValue(
            f"The type of message (user) attribute '{name}' is invalid. You must use only the following "
            "supported type prefixes: Binary, Number, String."
        )
    if data_type.startswith("Binary"):
        value = attr.get("BinaryValue")
        if value is None or value == b"":
            raise InvalidParameterValue(
                f"The message attribute '{name}' with type 'Binary' must use field 'Binary'."
            )
        return {"DataType": data_type, "BinaryValue": value}
    value = attr.get("StringValue")
    if value is None or value == "":
        raise InvalidParameterValue(
            f"Message (user) attribute '{name}' must contain a non-empty value of type '{data_type.split('.')[0]}'."
        )
    bad = _INVALID_BODY.search(value)
    if bad is not None:  # AWS: String values have the same restrictions as the message body
        raise InvalidParameterValue(
            f"Message (user) attribute '{name}' contains invalid characters: valid unicode characters are #x9 | "
            f"#xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF (found #x{ord(bad.group()):X})."
        )
    if data_type.startswith("Number"):
        _check_number(name, value)
    return {"DataType": data_type, "StringValue": value}


def _check_number(name: str, value: str) -> None:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise InvalidParameterValue(f"Can't convert value '{value}' of message attribute '{name}' to number.") from None
    if not number.is_finite() or abs(number) >= Decimal("1e126") or len(value) > 38 + 3:
        raise InvalidParameterValue(
            f"Value {value} for parameter '{name}' of type Number is out of range [-10^128..10^126]."
        )


_INVALID_BODY = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def check_body(body: str) -> None:
    """SQS accepts only these Unicode characters: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD
    | #x10000 to #x10FFFF."""
    from overcast.services.sqs.errors import InvalidMessageContents

    bad = _INVALID_BODY.search(body)
    if bad is not None:
        raise InvalidMessageContents(
            f"Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
            f"#xE000 to #xFFFD | #x10000 to #x10FFFF (found #x{ord(bad.group()):X})"
        )
