"""What rest-json and rest-xml share: matching a request to an operation by method and URI
template, and moving members between the URI, query string, headers, status code and body."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

from botocore.model import OperationModel, ServiceModel, Shape

from overcast.context import RequestContext
from overcast.errors import ServiceError, UnknownOperation
from overcast.protocol.base import ProtocolOptions
from overcast.protocol.http import Request, Response
from overcast.protocol.json_ import check_input
from overcast.protocol.values import format_scalar_text, parse_scalar_text

# Query keys in a requestUri that botocore adds but other clients need not send.
_OPTIONAL_QUERY_LITERALS = frozenset({"x-id"})


@dataclass(frozen=True)
class _Route:
    op_name: str
    method: str
    segments: tuple[tuple[str, str], ...]  # ("lit", text) | ("label", name) | ("greedy", name)
    query: tuple[tuple[str, str | None], ...]
    score: int


def _compile(op: OperationModel) -> _Route:
    uri = op.http.get("requestUri", "/")
    path, _, qs = uri.partition("?")
    segments: list[tuple[str, str]] = []
    for part in path.strip("/").split("/"):
        if not part:
            continue
        if part.startswith("{") and part.endswith("+}"):
            segments.append(("greedy", part[1:-2]))
        elif part.startswith("{") and part.endswith("}"):
            segments.append(("label", part[1:-1]))
        else:
            segments.append(("lit", part))
    query: list[tuple[str, str | None]] = []
    for item in qs.split("&") if qs else ():
        key, eq, value = item.partition("=")
        query.append((key, value if eq else None))
    literal = sum(1 for kind, _ in segments if kind == "lit")
    required_q = sum(1 for k, _ in query if k not in _OPTIONAL_QUERY_LITERALS)
    score = literal * 100 + required_q * 10 + len(segments)
    return _Route(op.name, op.http.get("method", "POST"), tuple(segments), tuple(query), score)


@lru_cache(maxsize=64)
def _routes(model: ServiceModel) -> dict[str, list[_Route]]:
    table: dict[str, list[_Route]] = {}
    for name in model.operation_names:
        route = _compile(model.operation_model(name))
        table.setdefault(route.method, []).append(route)
    for routes in table.values():
        routes.sort(key=lambda r: -r.score)
    return table


def _match(route: _Route, parts: list[str], req: Request) -> dict[str, str] | None:
    labels: dict[str, str] = {}
    segs = route.segments
    for index, (kind, text) in enumerate(segs):
        if kind == "greedy":
            rest = parts[index:]
            if not rest or not "/".join(rest):
                return None
            labels[text] = unquote("/".join(rest))
            break
        if index >= len(parts):
            return None
        if kind == "lit":
            if parts[index] != text:
                return None
        else:
            if not parts[index]:
                return None
            labels[text] = unquote(parts[index])
    else:
        # A trailing slash is not a segment of its own, except inside a greedy label (an S3 key "dir/").
        if len(parts) != len(segs) and not (len(parts) == len(segs) + 1 and parts[-1] == ""):
            return None
    for key, value in route.query:
        if key in _OPTIONAL_QUERY_LITERALS:
            continue
        if value is None:
            if not req.query_has(key):
                return None
        elif req.query_get(key) != value:
            return None
    return labels


def match_operation(model: ServiceModel, req: Request, only: str | None = None) -> tuple[OperationModel, dict[str, str]]:
    """The operation whose method and URI template match `req` (only operation `only`, when given)."""
    raw = req.raw_path.split("?", 1)[0]
    trimmed = raw[1:] if raw.startswith("/") else raw
    parts = trimmed.split("/") if trimmed else []
    best: tuple[_Route, dict[str, str]] | None = None
    for route in _routes(model).get(req.method, ()):
        if only is not None and route.op_name != only:
            continue
        if best is not None and route.score < best[0].score:
            break
        labels = _match(route, parts, req)
        if labels is not None:
            # Among equally specific routes prefer the one whose x-id matches (S3's botocore hint).
            if best is None or _xid(route, req):
                best = (route, labels)
            if _xid(route, req) or not any(k == "x-id" for k, _ in route.query):
                break
    if best is None:
        raise UnknownOperation(f"No operation matches {req.method} {req.path}", code="UnknownOperationException",
                               status=404)
    return model.operation_model(best[0].op_name), best[1]


def _xid(route: _Route, req: Request) -> bool:
    want = next((v for k, v in route.query if k == "x-id"), None)
    return want is not None and req.query_get("x-id") == want


# -- input ------------------------------------------------------------------------------------


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
    claimed_query: set[str] = set()
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
                if k in claimed_query:
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
        return [parse_scalar_text(part.strip(), shape.member, where) for part in raw.split(",")]
    if shape.type_name == "timestamp":
        return parse_scalar_text(raw, shape, where)
    return parse_scalar_text(raw, shape, where)


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
            headers.append((loc_name, _format_header(value, member)))
        elif location == "headers":
            headers.extend((f"{loc_name}{k}", str(v)) for k, v in value.items())
    return status, headers, located


def _format_header(value: Any, shape: Shape) -> str:
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
        params, located = parse_locations(op, req, labels)
        shape = op.input_shape
        if shape is not None:
            payload = shape.serialization.get("payload")
            if payload:
                member = shape.members[payload]
                if member.type_name in ("blob", "string"):
                    if req.stream is not None:
                        params[payload] = req.stream
                    elif req.body or (member.type_name == "blob" and req.method in ("PUT", "POST")):
                        params[payload] = req.body if member.type_name == "blob" else req.body.decode()
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
                if value is None:
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
        return Response(status, headers, body)

    # -- hooks for subclasses --------------------------------------------------------------------

    content_type = "application/json"

    def read_body(self, shape: Shape, body: bytes, where: str, opts: ProtocolOptions) -> Any:
        raise NotImplementedError

    def write_body(self, op: OperationModel, shape: Shape, value: Any, opts: ProtocolOptions,
                   payload_member: str | None) -> bytes:
        raise NotImplementedError

    def always_body(self, op: OperationModel, located: set[str]) -> bool:
        return False

    def id_headers(self, ctx: RequestContext) -> list[tuple[str, str]]:
        return [("x-amzn-RequestId", ctx.request_id)]

    def serialize_error(self, model: ServiceModel, op: OperationModel | None, error: ServiceError,
                        ctx: RequestContext, opts: ProtocolOptions) -> Response:
        raise NotImplementedError
