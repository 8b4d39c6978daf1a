"""The `json` protocol (DynamoDB, SQS, Kinesis, EventBridge, CloudWatch Logs...).

`POST /` with `X-Amz-Target: <targetPrefix>.<Operation>` and a JSON body; answers JSON, errors as
`{"__type": code, "message": ...}` with the error's HTTP status.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, ServiceModel

from overcast.context import RequestContext
from overcast.edge.messages import Request, Response
from overcast.errors import ServiceError, UnknownOperation
from overcast.protocol.base import ProtocolOptions, dumps, error_members, error_shape, query_compatible_codes
from overcast.protocol.eventstream import CONTENT_TYPE as EVENT_STREAM
from overcast.protocol.eventstream import stream_body
from overcast.protocol.jsonvalues import error_document, from_json, load_object, to_json
from overcast.protocol.validate import validate
from overcast.protocol.values import argument_name


class JsonProtocol:
    name = "json"

    def needs_body_for_routing(self) -> bool:
        return False

    def operation(self, model: ServiceModel, req: Request, opts: ProtocolOptions) -> OperationModel:
        target = req.headers.get("x-amz-target", "") or ""
        prefix, _, op_name = target.rpartition(".")
        if not op_name or op_name not in model.operation_names or prefix != model.metadata.get("targetPrefix"):
            raise UnknownOperation(f"Unknown operation {target!r}" if target else "Missing X-Amz-Target header",
                                   code="UnknownOperationException")
        return model.operation_model(op_name)

    def parse(self, op: OperationModel, req: Request, opts: ProtocolOptions) -> dict[str, Any]:
        document = load_object(req.body, opts.serialization_code)
        shape = op.input_shape
        if shape is None:
            return {}
        params = from_json(shape, document, "", opts.raw_shapes, opts.serialization_code)
        check_input(shape, params, opts)
        return params

    def serialize(self, op: OperationModel, result: dict[str, Any], ctx: RequestContext,
                  opts: ProtocolOptions) -> Response:
        shape = op.output_shape
        stream = shape.event_stream_name if shape is not None else None
        if stream:  # the other members travel in the stream's first event
            initial = dumps(to_json(shape, {k: v for k, v in (result or {}).items() if k != stream}))
            headers = [(k, EVENT_STREAM if k == "Content-Type" else v) for k, v in self._headers(op.service_model, ctx)]
            body = stream_body(shape.members[stream], (result or {}).get(stream), _write_event, "application/json",
                               initial)
            return Response(200, headers, body)
        document = to_json(shape, result or {}) if shape is not None else {}
        return Response(200, self._headers(op.service_model, ctx), dumps(document))

    def serialize_error(self, model: ServiceModel, op: OperationModel | None, error: ServiceError,
                        ctx: RequestContext, opts: ProtocolOptions) -> Response:
        headers = self._headers(model, ctx)
        code = error.code
        if model.is_query_compatible:
            code, query_code = query_compatible_codes(model, error.code, opts)
            if not any(k.lower() == "x-amzn-query-error" for k in error.headers):  # the service's own wins
                headers.append(("x-amzn-query-error",
                                f"{query_code};{'Sender' if error.sender_fault else 'Receiver'}"))
        shape = error_shape(model, code)
        body = {"__type": f"{opts.error_type_prefix}{code}", **error_document(shape, error_members(model, error))}
        headers.extend(error.headers.items())
        return Response(error.status, headers, dumps(body))

    @staticmethod
    def _headers(model: ServiceModel, ctx: RequestContext) -> list[tuple[str, str]]:
        version = model.metadata.get("jsonVersion", "1.0")
        return [
            ("Content-Type", f"application/x-amz-json-{version}"),
            ("x-amzn-RequestId", ctx.request_id),
            *ctx.response_headers,
        ]


def _write_event(shape: Any, value: dict[str, Any]) -> bytes:
    return dumps(error_document(shape, value) if shape.metadata.get("exception") else to_json(shape, value))


def check_input(shape: Any, params: dict[str, Any], opts: ProtocolOptions) -> None:
    if opts.validation == "none":
        return
    if opts.required_message:
        from overcast.errors import ValidationError

        missing = next((name for name in shape.required_members if params.get(name) is None), None)
        if missing is not None:
            raise ValidationError(opts.required_message.format(name=missing), code=opts.validation_code)
    try:
        validate(shape, params, code=opts.validation_code, required_only=opts.validation == "required",
                 raw=opts.raw_shapes, wording=opts.wording)
    except ServiceError as exc:
        if opts.reword is None:
            raise
        exc.message = opts.reword(exc.message)
        exc.args = (exc.message,)
        raise


def json_arguments(shape: Any, params: dict[str, Any], opts: ProtocolOptions) -> dict[str, Any]:
    """JSON request members (named as the model names them; other keys are left out) as the keyword
    arguments of the operation's method, converted and checked as a request on the wire is: for
    callers that run an operation in process (Step Functions' SDK tasks, Scheduler's universal targets)."""
    if shape is None:
        return {}
    members = shape.members
    converted = {key: from_json(members[key], value, key, opts.raw_shapes, opts.serialization_code)
                 for key, value in params.items() if key in members}
    check_input(shape, converted, opts)
    return {argument_name(key): value for key, value in converted.items()}
