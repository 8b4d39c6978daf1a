"""The json protocol's CBOR variant: `Content-Type: application/x-amz-cbor-1.1`.

The AWS SDK for Java (v1 and v2) and the Kinesis Client Library speak Kinesis's json protocol
with CBOR bodies by default (`AWS_CBOR_DISABLE` turns it off): the same `POST /` with
`X-Amz-Target`, the same operations and members, but the body is CBOR — blobs as byte strings,
timestamps as tag 1 over epoch milliseconds. AWS answers in kind: results, errors
(`{"__type": ..., "message": ...}`) and event streams (each event's payload CBOR, with
`:content-type: application/x-amz-cbor-1.1`). The encoding of shapes is `protocol/cbor.py`.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, ServiceModel

from overcast.context import RequestContext
from overcast.edge.messages import Request, Response
from overcast.errors import ServiceError
from overcast.protocol import cbor
from overcast.protocol.base import ProtocolOptions, error_members, error_shape
from overcast.protocol.eventstream import CONTENT_TYPE as EVENT_STREAM
from overcast.protocol.eventstream import stream_body
from overcast.protocol.json_ import JsonProtocol, check_input

CONTENT_TYPE = "application/x-amz-cbor-1.1"


def is_cbor(req: Request) -> bool:
    """True when a json-protocol request carries a CBOR body (and so wants CBOR back)."""
    return (req.headers.get("content-type") or "").lower().startswith("application/x-amz-cbor")


def parse_cbor(op: OperationModel, req: Request, opts: ProtocolOptions) -> dict[str, Any]:
    """An operation's input from a CBOR body, checked as the json protocol checks it (also
    smithy-rpc-v2-cbor's: the two differ in framing, not in how a body maps to input)."""
    document = cbor.loads(req.body, opts.serialization_code)
    shape = op.input_shape
    if shape is None:
        return {}
    params = cbor.from_cbor(shape, document, "", opts.raw_shapes, opts.serialization_code)
    check_input(shape, params, opts)
    return params  # type: ignore[no-any-return]


class JsonCborProtocol(JsonProtocol):
    name = "json-cbor"

    def parse(self, op: OperationModel, req: Request, opts: ProtocolOptions) -> dict[str, Any]:
        return parse_cbor(op, req, opts)

    def serialize(self, op: OperationModel, result: dict[str, Any], ctx: RequestContext,
                  opts: ProtocolOptions) -> Response:
        shape = op.output_shape
        result = result or {}
        stream = shape.event_stream_name if shape is not None else None
        if stream:  # the other members travel in the stream's first event
            rest = {k: v for k, v in result.items() if k != stream}
            initial = cbor.dumps(cbor.to_cbor(shape, rest, cbor.MILLIS))
            headers = [(k, EVENT_STREAM if k == "Content-Type" else v) for k, v in self._headers(op.service_model, ctx)]
            body = stream_body(shape.members[stream], result.get(stream), _write_event, CONTENT_TYPE, initial)
            return Response(200, headers, body)
        document = cbor.to_cbor(shape, result, cbor.MILLIS) if shape is not None else {}
        return Response(200, self._headers(op.service_model, ctx), cbor.dumps(document))

    def serialize_error(self, model: ServiceModel, op: OperationModel | None, error: ServiceError,
                        ctx: RequestContext, opts: ProtocolOptions) -> Response:
        headers = self._headers(model, ctx)
        headers.append(("x-amzn-ErrorType", error.code))
        shape = error_shape(model, error.code)
        body = {"__type": f"{opts.error_type_prefix}{error.code}",
                **cbor.error_document(shape, error_members(model, error), cbor.MILLIS)}
        headers.extend(error.headers.items())
        return Response(error.status, headers, cbor.dumps(body))

    @staticmethod
    def _headers(model: ServiceModel, ctx: RequestContext) -> list[tuple[str, str]]:
        return [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", ctx.request_id), *ctx.response_headers]


def _write_event(shape: Any, value: dict[str, Any]) -> bytes:
    if shape.metadata.get("exception"):
        return cbor.dumps(cbor.error_document(shape, value, cbor.MILLIS))
    return cbor.dumps(cbor.to_cbor(shape, value, cbor.MILLIS))
