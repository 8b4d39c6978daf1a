"""Event-stream responses (`application/vnd.amazon.eventstream`): Lambda's InvokeWithResponseStream,
Kinesis SubscribeToShard, CloudWatch Logs StartLiveTail, S3 SelectObjectContent.

A service returns the stream member as an iterable (or async iterable) of events, each a one-key
dict naming the event: `{"PayloadChunk": {"Payload": b"..."}}`. Each becomes one binary message:
`:message-type` event, `:event-type` its name, members marked `eventheader` as typed headers, the
member marked `eventpayload` as the raw payload (blob, string) or the rest of the event as a JSON
or XML document. A `ServiceError` raised while iterating ends the stream with an `exception`
message when the stream models that error, else an `error` message. In the json protocol the
first message is the `initial-response` event carrying the output's other members.

Message framing: total length, headers length, CRC32 of those eight bytes, headers, payload, CRC32
of everything before it (all big-endian).
"""

from __future__ import annotations

import inspect
import logging
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from botocore.model import Shape

from overcast.errors import ServerError, ServiceError
from overcast.protocol.values import to_epoch

log = logging.getLogger("overcast.protocol")

CONTENT_TYPE = "application/vnd.amazon.eventstream"

#: renders a structure (an event, or the initial response) as a document body: (shape, value) → bytes
BodyWriter = Callable[[Shape, dict[str, Any]], bytes]


def encode_message(headers: list[tuple[str, Any]], payload: bytes) -> bytes:
    """One event-stream message; header values typed from Python: str, bool, int, bytes."""
    encoded = b"".join(_header(name, value) for name, value in headers)
    total = 16 + len(encoded) + len(payload)
    prelude = total.to_bytes(4, "big") + len(encoded).to_bytes(4, "big")
    message = prelude + zlib.crc32(prelude).to_bytes(4, "big") + encoded + payload
    return message + zlib.crc32(message).to_bytes(4, "big")


def _header(name: str, value: Any) -> bytes:
    key = name.encode()
    head = len(key).to_bytes(1, "big") + key
    if isinstance(value, bool):
        return head + (b"\x00" if value else b"\x01")
    if isinstance(value, int):
        return head + b"\x05" + value.to_bytes(8, "big", signed=True)
    if isinstance(value, bytes | bytearray):
        return head + b"\x06" + len(value).to_bytes(2, "big") + bytes(value)
    text = str(value).encode()
    return head + b"\x07" + len(text).to_bytes(2, "big") + text


def event_message(stream: Shape, event: dict[str, Any], write: BodyWriter, content_type: str) -> bytes:
    """The message for one event of the stream shape `stream`."""
    if len(event) != 1:
        raise ValueError(f"an event names exactly one member of {stream.name}, got {sorted(event)}")
    name, value = next(iter(event.items()))
    shape = stream.members[name]
    headers: list[tuple[str, Any]] = [(":message-type", "event"), (":event-type", name)]
    body: dict[str, Any] = {}
    payload: bytes | None = None
    for member_name, member in shape.members.items():
        item = (value or {}).get(member_name)
        if item is None:
            continue
        if member.serialization.get("eventheader"):
            headers.append((member_name, _header_value(item, member)))
        elif member.serialization.get("eventpayload"):
            if member.type_name in ("blob", "string"):
                payload = item.encode() if isinstance(item, str) else bytes(item)
                kind = "application/octet-stream" if member.type_name == "blob" else "text/plain"
                headers.append((":content-type", kind))
            else:
                payload = write(member, item)
                headers.append((":content-type", content_type))
        else:
            body[member_name] = item
    if payload is None:
        payload = write(shape, body) if shape.members else b""
        if shape.members:
            headers.append((":content-type", content_type))
    return encode_message(headers, payload)


def _header_value(value: Any, shape: Shape) -> Any:
    if shape.type_name == "timestamp":
        return int(to_epoch(value) * 1000)
    if shape.type_name == "boolean":
        return bool(value)
    return value


def error_message(stream: Shape, error: ServiceError, write: BodyWriter, content_type: str) -> bytes:
    """How a stream ends on an error: an `exception` the stream models, else a generic `error`."""
    shape = stream.members.get(error.code)
    if shape is not None and shape.metadata.get("exception"):
        key = next((n for n in shape.members if n.lower() == "message"), "message")
        body = write(shape, {key: error.message, **error.fields})
        return encode_message([(":message-type", "exception"), (":exception-type", error.code),
                               (":content-type", content_type)], body)
    return encode_message([(":message-type", "error"), (":error-code", error.code),
                           (":error-message", error.message)], b"")


async def stream_body(stream: Shape, events: Any, write: BodyWriter, content_type: str,
                      initial: bytes | None = None) -> AsyncIterator[bytes]:
    """The response body: the initial response (json protocol), then one message per event."""
    if initial is not None:
        yield encode_message([(":message-type", "event"), (":event-type", "initial-response"),
                              (":content-type", content_type)], initial)
    try:
        if inspect.isasyncgen(events) or hasattr(events, "__aiter__"):
            async for event in events:
                yield event_message(stream, event, write, content_type)
        else:
            for event in events or ():
                yield event_message(stream, event, write, content_type)
    except ServiceError as error:
        yield error_message(stream, error, write, content_type)
    except Exception:  # a bug in the service: end the stream the AWS way, and say so in the log
        log.exception("event stream %s failed", stream.name)
        failure = ServerError("We encountered an internal error. Please try again.")
        yield error_message(stream, failure, write, content_type)
