"""The `rest-json` protocol (Lambda, API Gateway)."""

from __future__ import annotations

import json
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from overcast.context import RequestContext
from overcast.edge.messages import Response
from overcast.errors import SerializationError, ServiceError
from overcast.protocol.base import ProtocolOptions, dumps, error_members, error_shape
from overcast.protocol.jsonvalues import error_document, from_json, load_object, to_json
from overcast.protocol.rest import RestProtocol, format_header


class RestJsonProtocol(RestProtocol):
    name = "rest-json"
    content_type = "application/json"

    def read_body(self, shape: Shape, body: bytes, where: str, opts: ProtocolOptions) -> Any:
        if shape.type_name != "structure":
            try:
                document = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise SerializationError("Could not parse request body into json: malformed JSON",
                                         code=opts.serialization_code) from None
        else:
            document = load_object(body, opts.serialization_code)
        return from_json(shape, document, where, opts.raw_shapes, opts.serialization_code)

    def write_body(self, op: OperationModel, shape: Shape, value: Any, opts: ProtocolOptions,
                   payload_member: str | None) -> bytes:
        return dumps(to_json(shape, value))

    def write_event(self, shape: Shape, value: dict[str, Any]) -> bytes:
        return dumps(error_document(shape, value) if shape.metadata.get("exception") else to_json(shape, value))

    def always_body(self, op: OperationModel, located: set[str]) -> bool:
        shape = op.output_shape
        return shape is not None and any(name not in located for name in shape.members)

    def serialize_error(self, model: ServiceModel, op: OperationModel | None, error: ServiceError,
                        ctx: RequestContext, opts: ProtocolOptions) -> Response:
        members = error_members(model, error)
        if opts.error_type_field:
            # Lambda: "Type": "User" for the caller's errors, "Service" for its own; an error whose
            # fields say `"Type": None` goes without (AWS sends some limit errors so)
            members = {k: v for k, v in {"Type": "User" if error.sender_fault else "Service", **members}.items()
                       if v is not None or k != "Type"}
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", ctx.request_id),
            ("x-amzn-ErrorType", error.code),
            *ctx.response_headers,
            *error.headers.items(),
        ]
        shape = error_shape(model, error.code)
        if shape is not None:
            for name, member in shape.members.items():
                if member.serialization.get("location") == "header" and members.get(name) is not None:
                    headers.append((member.serialization.get("name", name), format_header(members[name], member)))
        return Response(error.status, headers, dumps(error_document(shape, members)))
