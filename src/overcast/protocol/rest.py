"""What rest-json and rest-xml share: moving members between the URI, query string, headers, status
code and body (matching a request to its operation is in `operation_match.py`)."""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from botocore.model import OperationModel, ServiceModel, Shape

from overcast.context import RequestContext
from overcast.documents import valid_text
from overcast.edge.messages import Request, Response
from overcast.errors import ClientError, SerializationError, ServiceError, ValidationError
from overcast.protocol.base import ProtocolOptions
from overcast.protocol.chunked import ChunkedStream, is_aws_chunked
from overcast.protocol.chunked import decode as chunked_decode
from overcast.protocol.eventstream import CONTENT_TYPE as EVENT_STREAM
from overcast.protocol.eventstream import stream_body
from overcast.protocol.json_ import check_input
from overcast.protocol.operation_match import match_operation, route_of
from overcast.protocol.values import format_scalar_text, parse_scalar_text

# -- input ------------------------------------------------------------------------------------


def _check_labels(labels: dict[str, str], opts: ProtocolOptions) -> None:
    """URI labels must decode to valid UTF-8 (`%ff` and `%fe` are not characters): AWS refuses them
    rather than storing a lossy decoding under which different keys would collide."""
    for value in labels.values():
        if not valid_text(value):
            if opts.invalid_uri_code:
                raise ClientError("Couldn't parse the specified URI.", code=opts.invalid_uri_code)
            raise ValidationError("The request URI is not valid UTF-8 once percent-decoded.",
                                  code=opts.validation_code)

#: Query keys that are never an operation's parameters (a query-string map member gets the rest):
#: SigV4 presigning, and botocore's `x-id` hint.
_NOT_PARAMETERS = frozenset({
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
    "X-Amz-Signature", "X-Amz-Security-Token", "x-id",
})


@lru_cache(maxsize=4096)
def _located(shape: Shape) -> tuple[tuple[str, Shape, str, str], ...]:
    """(name, member, location, wire name) of a structure's members bound to the URI, query or headers
    (computed once per shape: S3's operations have dozens)."""
    return tuple(
        (name, member, member.serialization["location"], member.serialization.get("name", name))
        for name, member in shape.members.items() if member.serialization.get("location")
    )


@lru_cache(maxsize=4096)
def _header_members(shape: Shape) -> dict[str, tuple[str, Shape]]:
    """Lower-cased header name → (member name, member) of a structure's `header` members."""
    return {loc_name.lower(): (name, member) for name, member, location, loc_name in _located(shape)
            if location == "header"}


def parse_locations(op: OperationModel, req: Request, labels: dict[str, str]) -> tuple[dict[str, Any], set[str]]:
    """Members taken from the URI, query string and headers; also the names of those members."""
    shape = op.input_shape
    params: dict[str, Any] = {}
    located: set[str] = set()
    if shape is None:
        return params, located
    # Keys the URI template itself carries (`/restapis?mode=import`) are not the map's either.
    claimed_query: set[str] = {key for key, _ in route_of(op).query}
    for name, member, location, loc_name in _located(shape):
        located.add(name)
        if location == "uri":
            if loc_name in labels:
                params[name] = parse_scalar_text(labels[loc_name], member, name)
        elif location == "querystring":
            if member.type_name == "map":
                continue  # filled after the named ones, from what is left
            claimed_query.add(loc_name)
            values = [v for k, v in req.query if k == loc_name]
            if not values:
                continue
            if member.type_name == "list":
                params[name] = [parse_scalar_text(v, member.member, name) for v in values]
            elif values[-1] == "" and member.type_name in ("integer", "long"):
                continue  # AWS (S3 as recorded): `?max-parts=&part-number-marker=` are the defaults
            else:
                params[name] = parse_scalar_text(values[-1], member, name)
        elif location == "headers":
            prefix = loc_name.lower()
            found = {k[len(prefix):]: v[-1] for k, v in req.headers.lower_items() if k.startswith(prefix)}
            if found:
                params[name] = found
    # Header members: walk the request's few headers rather than the model's many members.
    by_header = _header_members(shape)
    for lname, values in req.headers.lower_items():
        hit = by_header.get(lname)
        if hit is not None:
            params[hit[0]] = _header_value(values[-1], hit[1], hit[0])
    for name, member, location, _ in _located(shape):
        if location == "querystring" and member.type_name == "map":
            rest: dict[str, Any] = {}
            for k, v in req.query:
                if k in claimed_query or k in _NOT_PARAMETERS:
                    continue
                if member.value.type_name == "list":
                    rest.setdefault(k, []).append(v)
                else:
                    rest[k] = v
            if rest:
                params[name] = rest
    return params, located


def _header_value(raw: str, shape: Shape, where: str) -> Any:
    if shape.type_name == "string" and shape.serialization.get("jsonvalue"):
        try:
            return json.loads(base64.b64decode(raw))
        except ValueError:
            return raw
    if shape.type_name == "list":
        member = shape.member
        if member.type_name == "timestamp" and member.serialization.get("timestampFormat", "rfc822") == "rfc822":
            # RFC 822 dates hold a comma of their own ("Mon, 06 May 2024 ..."): take them in pairs
            parts = [p.strip() for p in re.findall(r"[^,]+,[^,]+", raw)] or [raw]
        else:
            parts = split_header_list(raw)
        return [parse_scalar_text(part, shape.member, where) for part in parts]
    return parse_scalar_text(raw, shape, where)


def split_header_list(raw: str) -> list[str]:
    """Items of a comma-separated header; items holding commas or quotes come double-quoted with
    backslash escapes (RFC 7230 quoted-string, as botocore writes them)."""
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in raw:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return items


def _text(body: bytes, where: str) -> str:
    try:
        return body.decode()
    except UnicodeDecodeError:
        raise SerializationError(f"{where} is not valid UTF-8") from None


def unchunk(shape: Shape, req: Request, params: dict[str, Any], payload: str) -> None:
    """Undo `aws-chunked` framing (chunked.py): the payload decoded (a `ChunkedStream` when
    streamed), trailing headers parsed as the header members they name, `Content-Length` the
    decoded length, `aws-chunked` dropped from `Content-Encoding` (S3 stores what is left)."""
    if req.stream is not None:
        params[payload] = ChunkedStream(req.stream)
        trailers: dict[str, str] = {}
    else:
        data, trailers = chunked_decode(req.body)
        params[payload] = data if shape.members[payload].type_name == "blob" else _text(data, payload)
    decoded_length = req.headers.get("x-amz-decoded-content-length")
    for name, member in shape.members.items():
        if member.serialization.get("location") != "header":
            continue
        wire = member.serialization.get("name", name).lower()
        if wire in trailers:
            params[name] = _header_value(trailers[wire], member, name)
        elif wire == "content-length" and decoded_length is not None:
            params[name] = parse_scalar_text(decoded_length, member, name)
        elif wire == "content-encoding" and isinstance(params.get(name), str):
            rest = [e.strip() for e in params[name].split(",") if e.strip() and e.strip().lower() != "aws-chunked"]
            if rest:
                params[name] = ",".join(rest)
            else:
                del params[name]


# -- output -----------------------------------------------------------------------------------


def located_output(op: OperationModel, result: dict[str, Any]) -> tuple[int, list[tuple[str, str]], set[str]]:
    """Status code and headers from output members; also the names of those members."""
    status = int(op.http.get("responseCode", 200))
    headers: list[tuple[str, str]] = []
    located: set[str] = set()
    shape = op.output_shape
    if shape is None:
        return status, headers, located
    for name, member, location, loc_name in _located(shape):
        located.add(name)
        value = result.get(name)
        if value is None:
            continue
        if location == "statusCode":
            status = int(value)
        elif location == "header":
            headers.append((loc_name, format_header(value, member)))
        elif location == "headers":
            headers.extend((f"{loc_name}{k}", format_header(v, member.value)) for k, v in value.items())
    return status, headers, located


def format_header(value: Any, shape: Shape) -> str:
    """A header value for a member of `shape` (RFC 822 timestamps, comma-joined lists, base64 JSON)."""
    if shape.type_name == "string" and shape.serialization.get("jsonvalue"):
        return base64.b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()
    if shape.type_name == "list":
        return ",".join(format_scalar_text(v, shape.member, "rfc822") for v in value)
    text = format_scalar_text(value, shape, "rfc822")
    return text if text.isascii() else quote(text, safe=" !#$%&'()*+,-./:;<=>?@[]^_`{|}~")


class RestProtocol:
    """Shared request flow; subclasses encode bodies and errors."""

    name = "rest"

    def needs_body_for_routing(self) -> bool:
        return False

    def operation(self, model: ServiceModel, req: Request, opts: ProtocolOptions) -> OperationModel:
        hint = opts.operation_hint(req) if opts.operation_hint is not None else None
        op, labels = match_operation(model, req, hint)
        req._labels = labels  # type: ignore[attr-defined]
        return op

    def parse(self, op: OperationModel, req: Request, opts: ProtocolOptions) -> dict[str, Any]:
        labels = getattr(req, "_labels", None)
        if labels is None:
            _, labels = match_operation(op.service_model, req)
        _check_labels(labels, opts)
        try:
            params, located = parse_locations(op, req, labels)
        except SerializationError as exc:
            # a URI label, query parameter or header of the wrong type: the service's validation error
            raise ValidationError(exc.message, code=opts.validation_code) from None
        shape = op.input_shape
        if shape is not None:
            payload = shape.serialization.get("payload")
            if payload:
                member = shape.members[payload]
                if member.type_name in ("blob", "string"):
                    if is_aws_chunked(req):
                        unchunk(shape, req, params, payload)
                    elif req.stream is not None:
                        params[payload] = req.stream
                    elif req.body or (member.type_name == "blob" and req.method in ("PUT", "POST")):
                        params[payload] = req.body if member.type_name == "blob" else _text(req.body, payload)
                elif req.body.strip():
                    params[payload] = self.read_body(member, req.body, payload, opts)
            elif req.body.strip():
                body_members = self.read_body(shape, req.body, "", opts)
                for key, value in body_members.items():
                    if key not in located:
                        params[key] = value
            check_input(shape, params, opts)
        return params

    def serialize(self, op: OperationModel, result: dict[str, Any], ctx: RequestContext,
                  opts: ProtocolOptions) -> Response:
        result = result or {}
        status, headers, located = located_output(op, result)
        # An operation whose model has no status member may still pick its status (S3's 206 Partial Content).
        status = ctx.extras.get("status", status)
        headers.extend(self.id_headers(ctx))
        headers.extend(ctx.response_headers)
        shape = op.output_shape
        body: Any = b""
        if shape is not None:
            payload = shape.serialization.get("payload")
            if payload:
                member = shape.members[payload]
                value = result.get(payload)
                if member.serialization.get("eventstream"):
                    body = stream_body(member, value, self.write_event, self.content_type)
                    if not any(k.lower() == "content-type" for k, _ in headers):
                        headers.append(("Content-Type", EVENT_STREAM))
                elif value is None:
                    body = b""
                elif member.type_name in ("blob", "string"):
                    body = value.encode() if isinstance(value, str) else value
                    if not any(k.lower() == "content-type" for k, _ in headers):
                        headers.append(("Content-Type", "application/octet-stream" if member.type_name == "blob"
                                        else "text/plain"))
                else:
                    body = self.write_body(op, member, value, opts, payload)
                    headers.append(("Content-Type", self.content_type))
            else:
                rest = {k: v for k, v in result.items() if k not in located and k in shape.members}
                if rest or self.always_body(op, located):
                    body = self.write_body(op, shape, rest, opts, None)
                    headers.append(("Content-Type", self.content_type))
        if status in (204, 304):  # HTTP forbids a body here (Lambda's DryRun invoke answers 204)
            body = b""
        return Response(status, headers, body)

    # -- hooks for subclasses --------------------------------------------------------------------

    content_type = "application/json"

    def read_body(self, shape: Shape, body: bytes, where: str, opts: ProtocolOptions) -> Any:
        raise NotImplementedError

    def write_body(self, op: OperationModel, shape: Shape, value: Any, opts: ProtocolOptions,
                   payload_member: str | None) -> bytes:
        raise NotImplementedError

    def write_event(self, shape: Shape, value: dict[str, Any]) -> bytes:
        """An event-stream event (or modeled exception) as a document."""
        raise NotImplementedError

    def always_body(self, op: OperationModel, located: set[str]) -> bool:
        return False

    def id_headers(self, ctx: RequestContext) -> list[tuple[str, str]]:
        return [("x-amzn-RequestId", ctx.request_id)]

    def serialize_error(self, model: ServiceModel, op: OperationModel | None, error: ServiceError,
                        ctx: RequestContext, opts: ProtocolOptions) -> Response:
        raise NotImplementedError
