"""The contract each wire protocol implements, and what they share."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from botocore.model import OperationModel, ServiceModel, Shape

from overcast.context import RequestContext
from overcast.edge.messages import Request, Response
from overcast.errors import ServiceError
from overcast.protocol.validate import Wording


@dataclass(frozen=True)
class ProtocolOptions:
    """Per-service knobs of the generic protocol code (from the service's spec)."""

    #: constraint checking: "full" (required, lengths, ranges, enums, patterns), "enums" (required
    #: members, nested ones too, and enum values), "required" (top-level required members), "none"
    validation: str = "full"
    validation_code: str = "ValidationException"
    #: when set, a missing required member is reported alone with this message (`{name}` is the
    #: member), as SQS does: "The request must contain the parameter MessageBody."
    required_message: str = ""
    #: query: an absent list member reads as an empty list (the query protocol sends an empty list
    #: as nothing), so the service answers it as empty rather than missing (SQS's EmptyBatchRequest)
    query_absent_lists_empty: bool = False
    #: query: carriage returns written as they are (SES v1: a parser reads `\r\n` back as `\n`),
    #: not as `&#xD;` (what SQS and SNS send)
    query_raw_cr: bool = False
    #: query: the message for an `Action` the service does not have (`{action}` is the action)
    unknown_action_message: str = "The action {action} is not valid for this web service."
    #: validation wording: list items as `.N.member` in paths (DynamoDB's `keySchema.2.member.keyType`)
    validation_member_paths: bool = False
    #: validation wording: enum values listed in the service's order, by shape name
    validation_enum_order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: constraints the service enforces that its model no longer states: (structure, member) → {"max": n}
    validation_limits: Mapping[tuple[str, str], Mapping[str, int]] = field(default_factory=dict)
    #: shape names whose JSON values are handed to the service as they came (no walk, no decode)
    raw_shapes: frozenset[str] = frozenset()
    #: validation wording: string list items that break their constraints reported once on the
    #: whole list with all the item's constraints (SSM's `labels`)
    validation_whole_list: bool = False
    #: `__type` prefix in JSON error bodies (DynamoDB sends `com.amazonaws.dynamodb.v20120810#`)
    error_type_prefix: str = ""
    #: rest-xml: root element of an operation's output body, when it is not `<Op>Result`
    xml_roots: dict[str, str] = field(default_factory=dict)
    #: rest-xml: the namespace put on root elements
    xml_namespace: str | None = None
    #: rest-xml errors as `<ErrorResponse><Error><Type>Sender</Type>...</Error>` (CloudFront), not S3's `<Error>`
    xml_error_response: bool = False
    #: rest-json: add `"Type": "User"|"Service"` to error bodies (Lambda does)
    error_type_field: bool = False
    #: rest: the error for a URI label that is not valid UTF-8 once percent-decoded (S3's `InvalidURI`,
    #: "Couldn't parse the specified URI."); empty: the validation error
    invalid_uri_code: str = ""
    #: json: codes sent for malformed input
    serialization_code: str = "SerializationException"
    #: hand streaming-input payloads (S3 PutObject...) to the operation as a BodyStream, unread;
    #: False reads them whole first (Lambda's Invoke payload is modelled as streaming but is small)
    stream_uploads: bool = True
    #: json, awsQueryCompatible services whose model lost the legacy codes (SQS): error shape name
    #: → the query code sent in `x-amzn-query-error` (QueueDoesNotExist →
    #: AWS.SimpleQueueService.NonExistentQueue); a service may raise either code
    query_error_codes: Mapping[str, str] = field(default_factory=dict)
    #: a hook that rewords constraint-violation messages the service's own way (Lambda's enum
    #: orders and punctuation)
    reword: Callable[[str], str] | None = None
    #: a hook that rewrites a request before operation matching (S3 virtual-hosted style)
    rewrite: Callable[[Request], Request] | None = None
    #: rest: names the operation when several share a method and URI template (S3's PUT /{Bucket}/{Key+}
    #: is PutObject, UploadPart, CopyObject or UploadPartCopy); None lets the templates decide
    operation_hint: Callable[[Request], str | None] | None = None
    #: a hook given (platform, request, context, response) that may add to every response of the
    #: service (S3: the CORS headers of the bucket's matching CORS rule)
    respond: Callable[[Any, Request, Any, Any], Any] | None = None

    @cached_property
    def wording(self) -> Wording:
        """How validation words its messages for this service: built once, not on every request."""
        return Wording(raw=self.raw_shapes, member_paths=self.validation_member_paths,
                       enum_order=self.validation_enum_order, limits=self.validation_limits,
                       whole_list=self.validation_whole_list, enums_only=self.validation == "enums")


class Trusted:
    """A value the service already holds in wire form: serialized without walking its shape."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class WireProtocol(Protocol):
    name: str

    def needs_body_for_routing(self) -> bool: ...

    def operation(self, model: ServiceModel, req: Request, opts: ProtocolOptions) -> OperationModel: ...

    def parse(self, op: OperationModel, req: Request, opts: ProtocolOptions) -> dict[str, Any]: ...

    def serialize(self, op: OperationModel, result: dict[str, Any], ctx: RequestContext,
                  opts: ProtocolOptions) -> Response: ...

    def serialize_error(self, model: ServiceModel, op: OperationModel | None, error: ServiceError,
                        ctx: RequestContext, opts: ProtocolOptions) -> Response: ...


def error_shape(model: ServiceModel, code: str) -> Shape | None:
    from overcast.protocol.catalog import error_shapes

    return error_shapes(model.service_name).get(code)


def error_members(model: ServiceModel, error: ServiceError) -> dict[str, Any]:
    """The error body's members: the message under the name the shape uses, plus `fields`."""
    shape = error_shape(model, error.code)
    message_key = "message"
    if shape is not None:
        for name in shape.members:
            if name.lower() == "message":
                message_key = name
                break
    body: dict[str, Any] = {message_key: error.message}
    body.update(error.fields)
    return body


def dumps(value: Any) -> bytes:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate (echoed in an error message): never fail to answer
        return _SURROGATE.sub("\ufffd", text).encode()


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_default(value: Any) -> Any:
    if isinstance(value, Trusted):
        return value.value
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def query_compatible_codes(model: ServiceModel, code: str, opts: ProtocolOptions) -> tuple[str, str]:
    """(`__type`, query code) of an error of a service that moved from the query protocol: `__type`
    names the error shape (QueueDoesNotExist), `x-amzn-query-error` carries the code the query
    protocol used (AWS.SimpleQueueService.NonExistentQueue), from the model or the service's table."""
    legacy = opts.query_error_codes
    name = next((shape for shape, old in legacy.items() if old == code), code)
    shape = error_shape(model, name)
    if shape is not None:
        name = shape.name
    return name, legacy.get(name) or (shape.error_code if shape is not None else code)
