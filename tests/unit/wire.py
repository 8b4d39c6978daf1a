"""Real botocore clients talking to overcast's gateway in-process, with stand-in services.

`Wire` builds a `Gateway` whose services are `Recorder`s (every operation records its arguments
and answers a canned result or raises a canned error), and hands out botocore clients whose HTTP
send is replaced by a call into that gateway. So a call goes through everything boto3 does
(parameter handlers, the serializer, signing, checksums) and everything overcast does (routing,
operation matching, parsing, serializing), without sockets.

`Exchange` keeps what each side saw: the parameters botocore serialized (after its own
customizations), the arguments the service method received, and the response botocore parsed
(before its after-call customizations, which are service behaviour, not protocol).
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import botocore.session
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.response import StreamingBody

from overcast.config import Config as OvercastConfig
from overcast.context import RequestContext
from overcast.edge.messages import BodyStream, Headers, Request, Response
from overcast.gateway import Gateway
from overcast.platform import Platform
from overcast.protocol import ProtocolOptions
from overcast.protocol.catalog import service_model
from overcast.protocol.chunked import ChunkedStream
from overcast.protocol.values import argument_name
from overcast.services import ServiceSpec

ENDPOINT = "http://localhost:4566"

_S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"

#: The services overcast hosts, with the protocol options their specs use (as AWS answers).
HOSTED: dict[str, ProtocolOptions] = {
    "lambda": ProtocolOptions(error_type_field=True),
    "sqs": ProtocolOptions(validation_code="InvalidParameterValue", query_error_codes={
        "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue", "QueueNameExists": "QueueAlreadyExists"}),
    "sns": ProtocolOptions(validation_code="InvalidParameter"),
    "events": ProtocolOptions(),
    "dynamodb": ProtocolOptions(error_type_prefix="com.amazonaws.dynamodb.v20120810#"),
    "dynamodbstreams": ProtocolOptions(error_type_prefix="com.amazonaws.dynamodb.v20120810#"),
    "kinesis": ProtocolOptions(),
    "s3": ProtocolOptions(xml_namespace=_S3_NS, validation_code="InvalidArgument",
                          xml_roots={"GetBucketLocation": "LocationConstraint", "ListObjects": "ListBucketResult",
                                     "ListObjectsV2": "ListBucketResult", "ListBuckets": "ListAllMyBucketsResult"}),
    "apigateway": ProtocolOptions(validation_code="BadRequestException"),
    "apigatewayv2": ProtocolOptions(validation_code="BadRequestException"),
    "cloudformation": ProtocolOptions(validation_code="ValidationError"),
    "logs": ProtocolOptions(validation_code="InvalidParameterException"),
    "elbv2": ProtocolOptions(validation_code="ValidationError"),
    "iam": ProtocolOptions(validation_code="ValidationError"),
    "sts": ProtocolOptions(validation_code="ValidationError"),
    "cloudwatch": ProtocolOptions(validation_code="ValidationError", raw_shapes=frozenset({"Values", "Counts"})),
    "cloudfront": ProtocolOptions(validation_code="InvalidArgument", xml_error_response=True,
                                  xml_namespace="http://cloudfront.amazonaws.com/doc/2020-05-31/"),
}


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def json_target(prefix: str, op: str, version: str = "1.0") -> dict[str, str]:
    """Headers of a json-protocol call."""
    return {"X-Amz-Target": f"{prefix}.{op}", "Content-Type": f"application/x-amz-json-{version}"}


def request_id(response: Response, name: str = "x-amzn-RequestId") -> str:
    """The response's request id header, checked to be a UUID."""
    value = response.header(name)
    assert value is not None and _UUID.match(value), response.headers
    return value


class Recorder:
    """A stand-in service api: any operation records its arguments and answers what it is told."""

    def __init__(self) -> None:
        self.calls: list[tuple[RequestContext, dict[str, Any]]] = []
        self.result: dict[str, Any] = {}
        self.error: Exception | None = None
        self.trailers: dict[str, str] = {}  # of the last streamed aws-chunked payload read

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        async def operation(ctx: RequestContext, **kwargs: Any) -> dict[str, Any]:
            for key, value in kwargs.items():
                if isinstance(value, BodyStream | ChunkedStream):
                    kwargs[key] = await value.read()
                    self.trailers = getattr(value, "trailers", {})
            self.calls.append((ctx, kwargs))
            if self.error is not None:
                raise self.error
            return self.result

        return operation


@dataclass
class Exchange:
    sent: dict[str, Any] | None = None          # what botocore serialized
    received: dict[str, Any] | None = None      # what the service method got (member names)
    service: str = ""
    operation: str = ""
    parsed: dict[str, Any] | None = None        # what botocore parsed, before after-call handlers
    response: dict[str, Any] = field(default_factory=dict)  # what the client call returned
    error: ClientError | None = None
    http: Response | None = None
    request: Request | None = None
    ctx: RequestContext | None = None           # the context the service method got


class _Raw(io.BytesIO):
    """What botocore reads a response body from (urllib3's HTTPResponse, minimally)."""

    def stream(self, amt: int = 65536, decode_content: bool | None = None) -> Any:
        while chunk := self.read(amt):
            yield chunk


class Wire:
    """A gateway with stand-in services for every hosted service, and clients wired to it."""

    def __init__(self, services: dict[str, ProtocolOptions] | None = None, validation: str = "none",
                 api: Any = None) -> None:
        self.platform = Platform(OvercastConfig(in_memory=True))
        self.recorder = Recorder()
        stand_in = self.recorder if api is None else api
        specs = [ServiceSpec(name=name, api=lambda _p: stand_in,
                             options=opts if validation == "as-configured" else replace(opts, validation=validation))
                 for name, opts in (services or HOSTED).items()]
        self.gateway = Gateway(self.platform, specs)
        self.loop = asyncio.new_event_loop()
        self.session = botocore.session.get_session()
        self._clients: dict[str, Any] = {}
        self._exchange = Exchange()

    def close(self) -> None:
        self.loop.close()
        self.platform.close()

    # -- clients --------------------------------------------------------------------------------

    def client(self, service: str, endpoint: str = ENDPOINT, checksums: str = "when_required") -> Any:
        """A client (cached) with no retries; `checksums="when_supported"` is boto3's default."""
        key = f"{service} {endpoint} {checksums}"
        client = self._clients.get(key)
        if client is None:
            config = Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"},
                            request_checksum_calculation=checksums, response_checksum_validation=checksums)
            client = self.session.create_client(service, region_name="us-east-1", endpoint_url=endpoint,
                                                aws_access_key_id="test", aws_secret_access_key="test",
                                                config=config)
            events = client.meta.events
            events.register_last("before-parameter-build", self._on_params)
            events.register("before-send", self._on_send)
            events.register_first("after-call", self._on_parsed)
            self._clients[key] = client
        return client

    def _on_params(self, params: dict[str, Any], **_: Any) -> None:
        self._exchange.sent = {k: v.getvalue() if isinstance(v, io.BytesIO) else copy.deepcopy(v)
                               for k, v in params.items()}

    def _on_parsed(self, parsed: dict[str, Any], **_: Any) -> None:
        self._exchange.parsed = snapshot(parsed)

    def _on_send(self, request: Any, **_: Any) -> AWSResponse:
        url = urlsplit(request.url)
        body = request.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes | bytearray):
            body = body.read()
        headers = Headers((k, v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items())
        req = Request(request.method, url.path or "/", url.query, headers, b"")
        self._exchange.request = req
        response = self.loop.run_until_complete(self._handle(req, bytes(body)))
        self._exchange.http = response
        payload = response.body if isinstance(response.body, bytes) else b""
        if request.method == "HEAD":
            payload = b""
        merged: dict[str, str] = {}
        for key, value in response.headers:
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        return AWSResponse(request.url, response.status, merged, _Raw(payload))

    async def _handle(self, req: Request, body: bytes) -> Response:
        async def read_body(request: Request, stream: bool) -> None:
            if stream:
                sent = False

                async def receive() -> dict[str, Any]:
                    nonlocal sent
                    chunk, sent = (b"" if sent else body), True
                    return {"type": "http.request", "body": chunk, "more_body": False}

                request.stream = BodyStream(receive)
            else:
                request.body = body

        response = await self.gateway.handle(req, read_body)
        if not isinstance(response.body, bytes | bytearray):
            response.body = b"".join([chunk async for chunk in _aiter(response.body)])
        return response

    def answer(self, result: dict[str, Any] | None = None, error: Exception | None = None) -> None:
        """What the stand-in services answer next (and forget the calls so far)."""
        self.recorder.calls.clear()
        self.recorder.result = result or {}
        self.recorder.error = error

    # -- raw HTTP -------------------------------------------------------------------------------

    def send(self, method: str, path: str, *, service: str | None = None, body: bytes = b"", query: str = "",
             headers: dict[str, str] | None = None) -> Response:
        """One raw HTTP request (signed for `service` when given) straight into the gateway."""
        raw = [("Host", "localhost:4566"), *(headers or {}).items()]
        if service:
            raw.append(("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"
                                         f"{service}/aws4_request, SignedHeaders=host, Signature=x"))
        req = Request(method, path, query, Headers(raw), b"")
        response = self.loop.run_until_complete(self._handle(req, body))
        if method == "HEAD":
            response.body = b""
        return response

    # -- calls ----------------------------------------------------------------------------------

    def call(self, service: str, op_name: str, params: dict[str, Any], *, result: dict[str, Any] | None = None,
             error: Exception | None = None, endpoint: str = ENDPOINT, checksums: str = "when_required") -> Exchange:
        """Call `op_name` through a real client; the stand-in answers `result` or raises `error`."""
        self._exchange = exchange = Exchange()
        self.recorder.calls.clear()
        self.recorder.result = result or {}
        self.recorder.error = error
        method = getattr(self.client(service, endpoint, checksums), xform_name(op_name))
        try:
            exchange.response = method(**params)
        except ClientError as exc:
            exchange.error = exc
            exchange.response = exc.response
        if self.recorder.calls:
            ctx, kwargs = self.recorder.calls[-1]
            exchange.ctx = ctx
            exchange.service, exchange.operation = ctx.service, ctx.operation
            exchange.received = member_names(service_model(service).operation_model(ctx.operation), kwargs)
        return exchange


def member_names(op: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The service method's snake_case arguments back under the model's member names."""
    shape = op.input_shape
    names = {argument_name(name): name for name in shape.members} if shape is not None else {}
    return {names.get(key, key): value for key, value in kwargs.items()}


def snapshot(value: Any) -> Any:
    """A copy of a parsed response with streams read (so it can be compared later)."""
    if isinstance(value, StreamingBody):
        data = value.read()
        return data
    if isinstance(value, dict):
        return {k: snapshot(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [snapshot(v) for v in value]
    return value


async def _aiter(body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    async for chunk in body:
        yield chunk


# -- comparing ------------------------------------------------------------------------------------


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where `actual` differs from `expected` (timestamps compared to the millisecond)."""
    where = path or "<top>"
    if isinstance(expected, dt.datetime):
        if not isinstance(actual, dt.datetime):
            return [f"{where}: expected timestamp {expected!r}, got {actual!r}"]
        if round(expected.timestamp(), 3) != round(actual.timestamp(), 3):
            return [f"{where}: expected {expected.isoformat()}, got {actual.isoformat()}"]
        return []
    if isinstance(expected, bytes | bytearray):
        got = actual.encode() if isinstance(actual, str) else actual
        return [] if got == expected else [f"{where}: expected {expected!r}, got {actual!r}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected a map, got {actual!r}"]
        out: list[str] = []
        for key in expected.keys() | actual.keys():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            elif key not in expected:
                out.append(f"{path}.{key}: unexpected {actual[key]!r}")
            else:
                out.extend(differences(expected[key], actual[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {expected!r}, got {actual!r}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for d in differences(e, a, f"{path}[{i}]")]
    if isinstance(expected, bool) or isinstance(actual, bool):
        return [] if expected is actual else [f"{where}: expected {expected!r}, got {actual!r}"]
    if expected != actual:
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []
