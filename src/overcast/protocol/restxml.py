"""The `rest-xml` protocol (S3)."""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from overcast.context import RequestContext
from overcast.edge.messages import Response
from overcast.errors import ServiceError, ValidationError
from overcast.protocol.base import ProtocolOptions, error_shape
from overcast.protocol.rest import RestProtocol
from overcast.protocol.xml import (
    escape_cr,
    parse_document,
    read_structure,
    write_fields,
    write_value,
    xml_message,
    xml_safe,
    xml_text,
)

_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _check_characters(params: dict[str, Any], opts: ProtocolOptions) -> None:
    """A rest-xml service answers in XML 1.0, which cannot carry control characters (but tab, line
    feed and carriage return): a string parameter holding one (a CloudFront `Marker` echoed back) is
    refused with the service's validation error, as the query services refuse them, rather than
    answered in XML no client can read. S3, which keeps such keys and writes them as character
    references, validates nothing here (`validation="none"`)."""
    for name, value in params.items():
        if isinstance(value, str) and not xml_safe(value):
            raise ValidationError(f"Value for parameter {xml_message(name)} contains characters that are not "
                                  "allowed.", code=opts.validation_code)


class RestXmlProtocol(RestProtocol):
    name = "rest-xml"
    content_type = "application/xml"

    def parse(self, op: OperationModel, req: Any, opts: ProtocolOptions) -> dict[str, Any]:
        params = super().parse(op, req, opts)
        if opts.validation != "none":
            _check_characters(params, opts)
        return params

    def read_body(self, shape: Shape, body: bytes, where: str, opts: ProtocolOptions) -> Any:
        # a payload member names its root element (S3's `<NotificationConfiguration>`)
        root = parse_document(body, shape.serialization.get("name") if where else None)
        if shape.type_name != "structure":
            from overcast.protocol.xml import read_element

            return read_element(root, shape, where)
        return read_structure(root, shape, where)

    def write_body(self, op: OperationModel, shape: Shape, value: Any, opts: ProtocolOptions,
                   payload_member: str | None) -> bytes:
        if payload_member is not None:
            root = op.output_shape.members[payload_member].serialization.get("name", shape.name)
        else:
            root = opts.xml_roots.get(op.name) or _default_root(shape.name)
        out: list[str] = [_DECL]
        scalar = shape.members.get(root) if shape.type_name == "structure" else None
        if scalar is not None and scalar.type_name not in ("structure", "list", "map"):
            # The root element is the output's one member, e.g. S3's GetBucketLocation answers
            # `<LocationConstraint xmlns="...">eu-west-1</LocationConstraint>`.
            if value.get(root) is None:  # an empty root element (us-east-1's location)
                ns = f' xmlns="{opts.xml_namespace}"' if opts.xml_namespace else ""
                return f"{_DECL}<{root}{ns}/>".encode()
            write_value(out, root, scalar, value[root], "iso8601", namespace=opts.xml_namespace)
        else:
            write_value(out, root, shape, value, "iso8601", namespace=opts.xml_namespace)
        return escape_cr("".join(out)).encode()  # S3 writes a key's `\r` as a reference

    def write_event(self, shape: Shape, value: dict[str, Any]) -> bytes:
        out: list[str] = []
        write_value(out, shape.name, shape, value)
        return "".join(out).encode()

    def always_body(self, op: OperationModel, located: set[str]) -> bool:
        shape = op.output_shape
        return shape is not None and any(name not in located for name in shape.members)

    def id_headers(self, ctx: RequestContext) -> list[tuple[str, str]]:
        return [("x-amz-request-id", ctx.request_id), ("x-amz-id-2", ctx.extras.get("host_id", ctx.request_id))]

    def serialize_error(self, model: ServiceModel, op: OperationModel | None, error: ServiceError,
                        ctx: RequestContext, opts: ProtocolOptions) -> Response:
        headers = [*self.id_headers(ctx), *ctx.response_headers, *error.headers.items()]
        if (ctx.request is not None and ctx.request.method == "HEAD") or error.status == 304:
            return Response(error.status, headers, b"")
        fields: list[str] = []
        write_fields(fields, error_shape(model, error.code), error.fields)
        extra = "".join(fields)
        if opts.xml_error_response:
            ns = f' xmlns="{opts.xml_namespace}"' if opts.xml_namespace else ""
            kind = "Sender" if error.sender_fault else "Receiver"
            body = (f"{_DECL}<ErrorResponse{ns}><Error><Type>{kind}</Type><Code>{xml_text(error.code)}</Code>"
                    f"<Message>{xml_message(error.message)}</Message>{extra}</Error>"
                    f"<RequestId>{ctx.request_id}</RequestId></ErrorResponse>")
            headers.append(("Content-Type", "text/xml"))
            return Response(error.status, headers, body.encode())
        body = (
            f"{_DECL}<Error><Code>{xml_text(error.code)}</Code><Message>{xml_message(error.message)}</Message>"
            f"{extra}<RequestId>{ctx.request_id}</RequestId>"
            f"<HostId>{ctx.extras.get('host_id', ctx.request_id)}</HostId></Error>"
        )
        headers.append(("Content-Type", "application/xml"))
        return Response(error.status, headers, body.encode())


def _default_root(shape_name: str) -> str:
    for suffix in ("Output", "Response"):
        if shape_name.endswith(suffix):
            return shape_name[: -len(suffix)] + "Result"
    return shape_name
