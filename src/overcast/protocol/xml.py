"""Model-driven XML, for the query protocol's responses and rest-xml bodies.

Writing mirrors what botocore's XML parsers read (lists wrapped in `member` or flattened, maps as
`entry/key/value`, `locationName` renames, `xmlAttribute` members); reading mirrors what botocore's
rest-xml serializer writes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from botocore.model import Shape

from overcast.errors import SerializationError
from overcast.protocol.values import format_scalar_text, parse_scalar_text

#: characters XML 1.0 text may not hold (controls, lone surrogates, U+FFFE/U+FFFF); carriage returns
#: are legal but read back as line feeds: each protocol's serializer decides (`escape_cr`)
_NOT_XML_TEXT = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value: str) -> bool:
    """Whether XML 1.0 text can carry `value` (carriage returns included: they are escaped)."""
    return _NOT_XML_TEXT.search(value) is None


def xml_text(value: str) -> str:
    """Text escaped for an XML element. Characters XML 1.0 cannot carry become numeric character
    references, as S3 writes them (a key with `\\x08` is listed as `a&#x8;`; clients that cannot read
    them ask for `encoding-type=url`, as botocore does), so the document is never cut or garbled."""
    text = escape(value)
    return _NOT_XML_TEXT.sub(lambda m: f"&#x{ord(m.group()):X};", text) if _NOT_XML_TEXT.search(text) else text


def xml_message(value: str) -> str:
    """Text for an error's `<Message>`: characters XML 1.0 cannot carry (echoed from the request)
    become U+FFFD, so every client's parser reads the error."""
    text = escape(value)
    return _NOT_XML_TEXT.sub("\ufffd", text) if _NOT_XML_TEXT.search(text) else text


def escape_cr(document: str) -> str:
    """Carriage returns in a document's text as `&#xD;`: XML parsers turn a raw one into a line
    feed, and AWS's query services (but SES) and S3 escape them so `\r\n` survives."""
    return document.replace("\r", "&#xD;")


def xml_name(member_name: str, shape: Shape) -> str:
    """The element name of a structure member (botocore's `_member_key_name`)."""
    if shape.type_name == "list" and shape.serialization.get("flattened"):
        inner = shape.member.serialization.get("name")
        if inner:
            return inner
    return shape.serialization.get("name", member_name)


def write_member(out: list[str], member_name: str, shape: Shape, value: Any, ts: str = "iso8601") -> None:
    name = xml_name(member_name, shape)
    type_name = shape.type_name
    if type_name == "list":
        if shape.serialization.get("flattened"):
            for item in value:
                write_value(out, name, shape.member, item, ts)
        else:
            inner = shape.member.serialization.get("name", "member")
            out.append(f"<{name}>")
            for item in value:
                write_value(out, inner, shape.member, item, ts)
            out.append(f"</{name}>")
        return
    if type_name == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        flattened = shape.serialization.get("flattened")
        if not flattened:
            out.append(f"<{name}>")
        for key, item in value.items():
            out.append(f"<{name}>" if flattened else "<entry>")
            write_value(out, key_name, shape.key, key, ts)
            write_value(out, value_name, shape.value, item, ts)
            out.append(f"</{name}>" if flattened else "</entry>")
        if not flattened:
            out.append(f"</{name}>")
        return
    write_value(out, name, shape, value, ts)


def write_value(out: list[str], name: str, shape: Shape, value: Any, ts: str = "iso8601",
                namespace: str | None = None) -> None:
    """Write `value` as element `name`."""
    ns = f" xmlns={quoteattr(namespace)}" if namespace else ""
    if shape.type_name == "structure":
        attrs = ns
        body: list[str] = []
        for member_name, member_shape in shape.members.items():
            member_value = value.get(member_name)
            if member_value is None:
                continue
            if member_shape.serialization.get("xmlAttribute"):
                attr = member_shape.serialization.get("name", member_name)
                attrs += f" {attr}={quoteattr(str(member_value))}"
                if attr.startswith("xsi:") and "xmlns:xsi" not in attrs:
                    attrs += ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
                continue
            write_member(body, member_name, member_shape, member_value, ts)
        if shape.members and not body:
            out.append(f"<{name}{attrs}/>" if attrs else f"<{name}/>")
        else:
            out.append(f"<{name}{attrs}>")
            out.extend(body)
            out.append(f"</{name}>")
        return
    if shape.type_name in ("list", "map"):
        write_member(out, name, shape, value, ts)
        return
    out.append(f"<{name}{ns}>{xml_text(format_scalar_text(value, shape, ts))}</{name}>")


def write_fields(out: list[str], shape: Shape | None, fields: dict[str, Any]) -> None:
    """Extra members of an `<Error>` element, through the error shape when it models them."""
    for name, value in fields.items():
        member = shape.members.get(name) if shape is not None else None
        if value is None:
            continue
        if member is not None:
            write_member(out, name, member, value)
        else:
            out.append(f"<{name}>{xml_message(str(value))}</{name}>")


# -- reading ---------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


#: the deepest element nesting accepted in a request document (none of AWS's schemas come close)
MAX_XML_DEPTH = 128
SCHEMA_MESSAGE = "The XML you provided was not well-formed or did not validate against our published schema"


def parse_document(body: bytes, root: str | None = None) -> ET.Element:
    """A request's XML document; MalformedXML when it is not well-formed, nests deeper than
    `MAX_XML_DEPTH`, or (given `root`) its root element is not the one the model names."""
    try:
        element = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SerializationError(f"The XML you provided was not well-formed: {exc}", code="MalformedXML") from None
    if root is not None and _local(element.tag) != root:
        raise SerializationError(SCHEMA_MESSAGE, code="MalformedXML")
    stack = [(element, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_XML_DEPTH:
            raise SerializationError(SCHEMA_MESSAGE, code="MalformedXML")
        stack.extend((child, depth + 1) for child in node)
    return element


def read_element(element: ET.Element, shape: Shape, where: str = "") -> Any:
    """Read `element` (whose own tag is already matched) as a value of `shape`."""
    type_name = shape.type_name
    if type_name == "structure":
        return read_structure(element, shape, where)
    if type_name == "list":
        inner = shape.member.serialization.get("name", "member")
        return [read_element(child, shape.member, where) for child in element if _local(child.tag) == inner]
    if type_name == "map":
        return _read_entries([c for c in element if _local(c.tag) == "entry"], shape, where)
    return parse_scalar_text(element.text or "", shape, where or _local(element.tag))


def read_structure(element: ET.Element, shape: Shape, where: str = "") -> dict[str, Any]:
    children: dict[str, list[ET.Element]] = {}
    for child in element:
        children.setdefault(_local(child.tag), []).append(child)
    result: dict[str, Any] = {}
    for member_name, member_shape in shape.members.items():
        if member_shape.serialization.get("xmlAttribute"):
            attr = member_shape.serialization.get("name", member_name)
            for key, val in element.attrib.items():
                if _local(key) == attr.split(":")[-1]:
                    result[member_name] = val
            continue
        name = xml_name(member_name, member_shape)
        nodes = children.get(name)
        if not nodes:
            continue
        path = f"{where}.{member_name}" if where else member_name
        if member_shape.type_name == "list" and member_shape.serialization.get("flattened"):
            result[member_name] = [read_element(n, member_shape.member, path) for n in nodes]
        elif member_shape.type_name == "map" and member_shape.serialization.get("flattened"):
            result[member_name] = _read_entries(nodes, member_shape, path)
        else:
            result[member_name] = read_element(nodes[-1], member_shape, path)
    return result


def _read_entries(entries: list[ET.Element], shape: Shape, where: str) -> dict[str, Any]:
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    result: dict[str, Any] = {}
    for entry in entries:
        key = value = None
        for part in entry:
            tag = _local(part.tag)
            if tag == key_name:
                key = part.text or ""
            elif tag == value_name:
                value = read_element(part, shape.value, where)
        if key is not None:
            result[key] = value
    return result
