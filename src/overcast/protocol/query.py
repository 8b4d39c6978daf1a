"""The `query` protocol (STS, IAM, SNS, CloudFormation, ELBv2, legacy SQS).

Form-encoded `Action=...&Version=...&Name.member.1=...` in, XML
`<OpResponse><OpResult>...</OpResult><ResponseMetadata>...` out; errors as `<ErrorResponse>`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from xml.sax.saxutils import quoteattr

from botocore.model import OperationModel, ServiceModel, Shape

from overcast.context import RequestContext
from overcast.edge.messages import Request, Response, parse_form
from overcast.errors import ClientError, SerializationError, ServiceError, ValidationError
from overcast.protocol.base import ProtocolOptions, error_shape, query_compatible_codes
from overcast.protocol.json_ import check_input
from overcast.protocol.values import parse_scalar_text
from overcast.protocol.xml import write_fields, write_member, xml_message, xml_safe, xml_text


class _Node:
    """One level of dotted form keys: `A.member.1.B` becomes A → member → 1 → B."""

    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.value: str | None = None


def form_tree(pairs: list[tuple[str, str]]) -> _Node:
    root = _Node()
    for key, value in pairs:
        node = root
        for part in key.split("."):
            node = node.children.setdefault(part, _Node())
        node.value = value
    return root


def _indexed(node: _Node) -> list[_Node]:
    items = [(int(k), child) for k, child in node.children.items() if k.isdigit()]
    return [child for _, child in sorted(items, key=lambda kv: kv[0])]


def read_shape(shape: Shape, node: _Node, where: str) -> Any:
    type_name = shape.type_name
    if type_name == "structure":
        out: dict[str, Any] = {}
        for member_name, member_shape in shape.members.items():
            child = node.children.get(_form_name(member_name, member_shape))
            if child is None:
                continue
            out[member_name] = read_shape(member_shape, child, f"{where}.{member_name}" if where else member_name)
        return out
    if type_name == "list":
        if shape.serialization.get("flattened"):
            items = _indexed(node)
        else:
            inner = node.children.get(shape.member.serialization.get("name", "member"))
            items = _indexed(inner) if inner is not None else []
        return [read_shape(shape.member, item, where) for item in items]
    if type_name == "map":
        entries = _indexed(node) if shape.serialization.get("flattened") else _indexed(
            node.children.get("entry", _Node()))
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        result: dict[str, Any] = {}
        for entry in entries:
            key = entry.children.get(key_name)
            if key is None or key.value is None:
                continue
            value = entry.children.get(value_name)
            result[key.value] = read_shape(shape.value, value, where) if value is not None else None
        return result
    return parse_scalar_text(node.value or "", shape, where)


def _check_characters(pairs: list[tuple[str, str]], opts: ProtocolOptions) -> None:
    """Query services answer in XML 1.0, which cannot carry control characters (other than tab,
    line feed and carriage return): AWS refuses parameters holding them (SQS: "#x9 | #xA | #xD |
    #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"), rather than storing values no
    answer could return."""
    for key, value in pairs:
        if not xml_safe(value) or not xml_safe(key):
            raise ValidationError(f"Value for parameter {xml_message(key)} contains characters that are not "
                                  "allowed.", code=opts.validation_code)


def _form_name(member_name: str, shape: Shape) -> str:
    if shape.type_name == "list" and shape.serialization.get("flattened"):
        inner = shape.member.serialization.get("name")
        if inner:
            return inner
    return shape.serialization.get("name", member_name)


def wire_code(model: ServiceModel, code: str) -> str:
    """The code on the wire for an error raised under its shape name: the shape's modeled
    `error.code` when it has one (SQS's `QueueDoesNotExist` is `AWS.SimpleQueueService.NonExistentQueue`)."""
    if code not in model.shape_names:
        return code
    shape = model.shape_for(code)
    return shape.metadata.get("error", {}).get("code") or code


def form_pairs(req: Request) -> list[tuple[str, str]]:
    """The request's parameters: query string, then the form-encoded body (read once, cached)."""
    cached = getattr(req, "_form_pairs", None)
    if cached is None:
        cached = list(req.query)
        if req.body:
            cached.extend(parse_form(req.body.decode("utf-8", "replace")))
        req._form_pairs = cached  # type: ignore[attr-defined]
    return cached


def form_action(req: Request) -> str | None:
    """The `Action` parameter of a query-protocol request, if any."""
    return next((v for k, v in reversed(form_pairs(req)) if k == "Action"), None)


@lru_cache(maxsize=2048)
def _envelope(op: OperationModel) -> tuple[str, str]:
    """What surrounds an operation's result members:
    `<OpResponse xmlns=...><OpResult>` ... `</OpResult><ResponseMetadata>...</OpResponse>`."""
    name = op.name
    ns = op.service_model.metadata.get("xmlNamespace")
    head = f"<{name}Response" + (f" xmlns={quoteattr(ns)}" if ns else "") + ">"
    tail = ""
    shape = op.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        head += f"<{wrapper}>"
        tail = f"</{wrapper}>"
    tail += f"<ResponseMetadata><RequestId>{{request_id}}</RequestId></ResponseMetadata></{name}Response>"
    return head, tail


def _wants_json(ctx: RequestContext) -> bool:
    accept = ctx.request.headers.get("accept") if ctx.request is not None else None
    return bool(accept) and "application/json" in str(accept)


class QueryProtocol:
    name = "query"

    def needs_body_for_routing(self) -> bool:
        return True

    def operation(self, model: ServiceModel, req: Request, opts: ProtocolOptions) -> OperationModel:
        action = form_action(req)
        if not action:
            raise ClientError("Missing Action", code="MissingAction")
        if action not in model.operation_names:
            raise ClientError(opts.unknown_action_message.format(action=action), code="InvalidAction")
        return model.operation_model(action)

    def parse(self, op: OperationModel, req: Request, opts: ProtocolOptions) -> dict[str, Any]:
        shape = op.input_shape
        if shape is None:
            return {}
        pairs = form_pairs(req)
        _check_characters(pairs, opts)
        try:
            params = read_shape(shape, form_tree(pairs), "")
        except SerializationError as exc:
            # query services word a value of the wrong type as a validation error
            raise ValidationError(exc.message, code=opts.validation_code) from None
        if opts.query_absent_lists_empty:
            for name, member in shape.members.items():
                if member.type_name == "list" and name in shape.required_members:
                    params.setdefault(name, [])
        check_input(shape, params, opts)
        return params

    def serialize(self, op: OperationModel, result: dict[str, Any], ctx: RequestContext,
                  opts: ProtocolOptions) -> Response:
        if _wants_json(ctx):
            return self._serialize_json(op, result, ctx)
        head, tail = _envelope(op)
        out = [head]
        shape = op.output_shape
        if shape is not None and result:
            for member_name, member_shape in shape.members.items():
                value = result.get(member_name)
                if value is not None:
                    write_member(out, member_name, member_shape, value)
        if len(out) == 1 and shape is not None:  # an empty result is one empty element
            out[0] = head[:-1] + "/>"  # `<OpResult>` becomes `<OpResult/>`
            tail = tail[tail.index(">") + 1:]
        out.append(tail.replace("{request_id}", ctx.request_id, 1))
        # AWS escapes carriage returns in text (an XML parser would turn a raw CR into LF), but SES
        text = "".join(out) if opts.query_raw_cr else "".join(out).replace("\r", "&#xD;")
        return Response(200, self._headers(ctx), text.encode())

    def serialize_error(self, model: ServiceModel, op: OperationModel | None, error: ServiceError,
                        ctx: RequestContext, opts: ProtocolOptions) -> Response:
        if error.code == "UnknownOperationException" and not error.message:
            # AWS's answer to a request that names no operation: the bare element, no ErrorResponse
            return Response(error.status, self._headers(ctx), b"<UnknownOperationException/>")
        ns = model.metadata.get("xmlNamespace")
        kind = "Sender" if error.sender_fault else "Receiver"
        code = wire_code(model, error.code)
        if model.is_query_compatible:  # a JSON service answering in query (SQS): its legacy codes
            code = query_compatible_codes(model, error.code, opts)[1]
        fields: list[str] = []
        write_fields(fields, error_shape(model, error.code), error.fields)
        extra = "".join(fields)
        body = (
            "<ErrorResponse" + (f" xmlns={quoteattr(ns)}" if ns else "") + ">"
            f"<Error><Type>{kind}</Type><Code>{xml_text(code)}</Code>"
            f"<Message>{xml_message(error.message)}</Message>{extra}</Error>"
            f"<RequestId>{ctx.request_id}</RequestId></ErrorResponse>"
        )
        headers = self._headers(ctx)
        headers.extend(error.headers.items())
        return Response(error.status, headers, body.encode())

    @staticmethod
    def _serialize_json(op: OperationModel, result: dict[str, Any], ctx: RequestContext) -> Response:
        """AWS's query APIs answer JSON to `Accept: application/json`:
        `{"<Op>Response": {"<Op>Result": {...}, "ResponseMetadata": {"RequestId": ...}}}`."""
        from overcast.protocol.base import dumps
        from overcast.protocol.jsonvalues import to_json

        body: dict[str, Any] = {}
        shape = op.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper", f"{op.name}Result")
            body[wrapper] = to_json(shape, result or {})
        body["ResponseMetadata"] = {"RequestId": ctx.request_id}
        headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", ctx.request_id),
                   *ctx.response_headers]
        return Response(200, headers, dumps({f"{op.name}Response": body}))

    @staticmethod
    def _headers(ctx: RequestContext) -> list[tuple[str, str]]:
        return [("Content-Type", "text/xml"), ("x-amzn-RequestId", ctx.request_id), *ctx.response_headers]
