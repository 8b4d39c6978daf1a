"""Round-trip helpers: botocore's client serializer → overcast's parser, and overcast's serializer
→ botocore's client parser."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSRequest, prepare_request_dict
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from overcast.context import RequestContext
from overcast.edge.messages import Headers, Request
from overcast.errors import ServiceError
from overcast.protocol import PROTOCOLS, ProtocolOptions
from overcast.protocol.catalog import service_model

ENDPOINT = "http://localhost:4566"


def client_request(service: str, op_name: str, params: dict[str, Any]) -> Request:
    """The HTTP request boto3 would send for `params`."""
    model = service_model(service)
    op = model.operation_model(op_name)
    serializer = create_serializer(model.protocol, include_validation=False)
    request_dict = serializer.serialize_to_request(params, op)
    prepare_request_dict(request_dict, endpoint_url=ENDPOINT)
    aws = AWSRequest(method=request_dict["method"], url=request_dict["url"], data=request_dict["body"],
                     headers=request_dict["headers"])
    prepared = aws.prepare()
    url = urlsplit(prepared.url)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    headers = Headers([(k, v.decode() if isinstance(v, bytes) else v) for k, v in prepared.headers.items()])
    return Request(prepared.method, url.path or "/", url.query, headers, body)


def server_parse(service: str, req: Request, opts: ProtocolOptions | None = None) -> tuple[str, dict[str, Any]]:
    model = service_model(service)
    protocol = PROTOCOLS[model.protocol]
    opts = opts or ProtocolOptions(validation="none")
    op = protocol.operation(model, req, opts)
    return op.name, protocol.parse(op, req, opts)


def client_parse(service: str, op_name: str, result: dict[str, Any], opts: ProtocolOptions | None = None) -> dict[str, Any]:
    model = service_model(service)
    op = model.operation_model(op_name)
    protocol = PROTOCOLS[model.protocol]
    ctx = RequestContext(account="000000000000", region="us-east-1")
    response = protocol.serialize(op, result, ctx, opts or ProtocolOptions())
    return _client_side(model, op, response)


def client_parse_error(service: str, op_name: str | None, error: ServiceError,
                       opts: ProtocolOptions | None = None, method: str = "POST") -> dict[str, Any]:
    model = service_model(service)
    op = model.operation_model(op_name) if op_name else None
    protocol = PROTOCOLS[model.protocol]
    ctx = RequestContext(account="000000000000", region="us-east-1")
    ctx.request = Request(method, "/")
    response = protocol.serialize_error(model, op, error, ctx, opts or ProtocolOptions())
    return _client_side(model, op, response)


def _client_side(model: Any, op: Any, response: Any) -> dict[str, Any]:
    parser = create_parser(model.protocol)
    headers = {}
    for k, v in response.headers:
        headers[k] = v
    from botocore.awsrequest import HeadersDict

    body = response.body
    parsed = parser.parse(
        {"status_code": response.status, "headers": HeadersDict(headers), "body": body},
        op.output_shape if op is not None else None,
    )
    parsed.pop("ResponseMetadata", None)
    return parsed
