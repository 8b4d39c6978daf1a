"""The smithy-rpc-v2-cbor protocol (https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html).

`POST /service/<ServiceName>/operation/<Operation>` with the header `smithy-protocol: rpc-v2-cbor`
and a CBOR body (none for an operation without input); the answer carries the same header, a CBOR
body (`Content-Type: application/cbor`) and, for an error, the error's status with `__type` (the
error shape's name) and `message` in the body. Timestamps are tag 1 over epoch *seconds*. Current
botocore speaks it to CloudWatch; `ServiceName` is the model's `targetPrefix` there. A service that
moved from the query protocol (`awsQueryCompatible`) also sends its legacy code in
`x-amzn-query-error`, as its json protocol does. Shapes are encoded by `protocol/cbor.py`.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.model import OperationModel, ServiceModel

from overcast.context import RequestContext
from overcast.edge.messages import Request, Response
from overcast.errors import ServiceError, UnknownOperation
from overcast.protocol import cbor
from overcast.protocol.base import ProtocolOptions, error_members, error_shape, query_compatible_codes
from overcast.protocol.json_cbor import parse_cbor

CONTENT_TYPE = "application/cbor"
HEADER = "smithy-protocol"
VALUE = "rpc-v2-cbor"
_PATH = re.compile(r"^(?:.*)/service/([^/]+)/operation/([^/]+)$")


def is_rpc_v2_cbor(req: Request) -> bool:
    """True when the request names the smithy-rpc-v2-cbor protocol."""
    return (req.headers.get(HEADER) or "").strip().lower() == VALUE


class RpcV2CborProtocol:
    """smithy-rpc-v2-cbor: operation from the path, CBOR bodies, `__type` errors."""

    name = "smithy-rpc-v2-cbor"

    def needs_body_for_routing(self) -> bool:
        return False

    def operation(self, model: ServiceModel, req: Request, opts: ProtocolOptions) -> OperationModel:
        match = _PATH.match(req.path)
        if req.method != "POST" or match is None:
            raise UnknownOperation(f"No operation at {req.method} {req.path}", code="UnknownOperationException",
                                   status=404)
        service, op_name = match.group(1), match.group(2)
        names = {model.metadata.get("targetPrefix"), model.metadata.get("serviceId"), model.service_name}
        if service not in names or op_name not in model.operation_names:
            raise UnknownOperation(f"Unknown operation {service}.{op_name}", code="UnknownOperationException",
                                   status=404)
        return model.operation_model(op_name)

    def parse(self, op: OperationModel, req: Request, opts: ProtocolOptions) -> dict[str, Any]:
        return parse_cbor(op, req, opts)

    def serialize(self, op: OperationModel, result: dict[str, Any], ctx: RequestContext,
                  opts: ProtocolOptions) -> Response:
        shape = op.output_shape
        document = cbor.to_cbor(shape, result or {}, cbor.SECONDS) if shape is not None else {}
        return Response(200, self._headers(ctx), cbor.dumps(document))

    def serialize_error(self, model: ServiceModel, op: OperationModel | None, error: ServiceError,
                        ctx: RequestContext, opts: ProtocolOptions) -> Response:
        headers = self._headers(ctx)
        name = error.code
        if model.is_query_compatible:
            name, query_code = query_compatible_codes(model, error.code, opts)
            if not any(k.lower() == "x-amzn-query-error" for k in error.headers):
                headers.append(("x-amzn-query-error", f"{query_code};{'Sender' if error.sender_fault else 'Receiver'}"))
        shape = error_shape(model, error.code)
        body = {"__type": name, **cbor.error_document(shape, error_members(model, error), cbor.SECONDS)}
        headers.extend(error.headers.items())
        return Response(error.status, headers, cbor.dumps(body))

    @staticmethod
    def _headers(ctx: RequestContext) -> list[tuple[str, str]]:
        return [("Content-Type", CONTENT_TYPE), (HEADER, VALUE), ("x-amzn-RequestId", ctx.request_id),
                *ctx.response_headers]
