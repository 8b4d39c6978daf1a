"""Calls to an AWS service overcast does not host, answered in that service's own protocol.

A client of, say, Step Functions or Secrets Manager must read a clear error, not S3's XML: botocore's
models say which service a request is for (its `X-Amz-Target` prefix, a Smithy RPC v2 CBOR path's
service name, or the SigV4 scope's signing name, which is the model's `signingName` or else its
`endpointPrefix`) and which protocol it speaks, so one mechanism covers every service botocore
knows. The answer is the error each protocol gives for an operation the endpoint does not know:

- `json`: 400 `{"__type": "UnknownOperationException", "message": ...}` (awsJson1_0/1_1 error shape);
- Smithy RPC v2 CBOR: the same map in CBOR, with `smithy-protocol: rpc-v2-cbor`;
- `query` and `ec2`: 400 `InvalidAction`, in `<ErrorResponse>` (`<Response><Errors>` for EC2) XML,
  as AWS answers an unknown Action;
- `rest-json`: 404 `UnknownOperationException` in `x-amzn-ErrorType` and `{"message": ...}`;
- `rest-xml`: 404 `UnknownOperationException` in `<ErrorResponse>` XML.

The message names the service and lists the services overcast hosts.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import cbor2

from overcast.edge.messages import Request, Response
from overcast.protocol.catalog import available_services, service_metadata, service_model
from overcast.protocol.operation_match import find_route
from overcast.protocol.xml import xml_message

UNKNOWN_OPERATION = "UnknownOperationException"
INVALID_ACTION = "InvalidAction"


@cache
def _index() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(target prefix → service, signing name → services) over every model botocore ships. Built
    on the first call for a service overcast does not host (reads each model's head, about a second)."""
    by_target: dict[str, str] = {}
    by_signing: dict[str, list[str]] = {}
    for name in available_services():
        metadata = service_metadata(name)
        if metadata.get("targetPrefix"):
            by_target.setdefault(metadata["targetPrefix"], name)
        signing = metadata.get("signingName") or metadata.get("endpointPrefix")
        if signing:
            by_signing.setdefault(signing, []).append(name)
    return by_target, by_signing


def warm_up() -> None:
    """Build the index ahead of the first call that needs it (the gateway calls this in a thread)."""
    _index()


def is_cbor_rpc(req: Request) -> bool:
    """A Smithy RPC v2 CBOR call: `POST /service/<Service>/operation/<Operation>` (application/cbor)."""
    return (req.headers.get("smithy-protocol") == "rpc-v2-cbor"
            or (req.headers.get("content-type") or "").lower().startswith("application/cbor"))


def rpc_service(req: Request) -> str | None:
    """The service a Smithy RPC v2 CBOR call names in its path (`/service/<Service>/operation/...`)."""
    if not is_cbor_rpc(req):
        return None
    parts = req.raw_path.split("?", 1)[0].split("/")
    if len(parts) >= 5 and parts[1] == "service" and parts[3] == "operation":
        return parts[2]
    return None


def identify(req: Request, signing_name: str | None, hosted: set[str]) -> str | None:
    """The botocore model name of the service a request is for, when botocore knows it and overcast
    hosts none of the services it could be; None otherwise (the request is routed as usual)."""
    by_target, by_signing = _index()
    target = req.headers.get("x-amz-target")
    if target:
        name = by_target.get(target.rpartition(".")[0])
        if name is not None:
            return None if name in hosted else name
    service = rpc_service(req)
    if service is not None:
        name = by_target.get(service)
        if name is not None:
            return None if name in hosted else name
    if signing_name:
        candidates = by_signing.get(signing_name, [])
        if candidates and not hosted.intersection(candidates):
            return _by_request_shape(candidates, req)
    return None


def _by_request_shape(candidates: list[str], req: Request) -> str:
    """Of services sharing a signing name (SES's query API, SES v2's and Mail Manager's REST APIs),
    the one whose protocol the request is in, and of REST ones the one with the most specific route
    for it (loading those models: this happens only for calls overcast cannot serve anyway)."""
    kind = _protocol({"protocol": "rest-json", "protocols": ["query"]}, req)  # what the request shows
    fitting = [name for name in candidates if _speaks(service_metadata(name), kind)]
    if len(fitting) <= 1:
        return (fitting or candidates)[0]
    best: tuple[Any, str] | None = None
    for name in fitting:
        model = service_model(name)
        found = find_route(model, req) if model.protocol.startswith("rest") else None
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], name)
    return best[1] if best is not None else fitting[0]


def _speaks(metadata: dict[str, Any], kind: str) -> bool:
    protocols = set(metadata.get("protocols") or [metadata.get("protocol")])
    wanted = {"cbor": {"smithy-rpc-v2-cbor"}, "json": {"json"}, "query": {"query", "ec2"},
              "rest-json": {"rest-json", "rest-xml"}}[kind]
    return bool(protocols & wanted)


def answer(name: str, req: Request, hosted: list[str], request_id: str) -> Response:
    """The error a client of service `name` reads for any call to it."""
    metadata = service_metadata(name)
    full = metadata.get("serviceFullName") or name
    message = (f"overcast does not host {full} ({name}); the services it hosts are: {', '.join(hosted)} "
               f"(GET /_overcast/health lists them)")
    protocol = _protocol(metadata, req)
    if protocol == "cbor":
        body = cbor2.dumps({"__type": UNKNOWN_OPERATION, "message": message})
        return Response(400, [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                              ("x-amzn-RequestId", request_id)], body)
    if protocol == "json":
        version = metadata.get("jsonVersion") or "1.0"
        content_type = req.headers.get("content-type") or f"application/x-amz-json-{version}"
        return _json(400, content_type, {"__type": UNKNOWN_OPERATION, "message": message}, request_id)
    if protocol == "rest-json":
        response = _json(404, "application/json", {"message": message}, request_id)
        response.set_header("x-amzn-ErrorType", UNKNOWN_OPERATION)
        return response
    if protocol == "ec2":
        xml = (f"<Response><Errors><Error><Code>{INVALID_ACTION}</Code><Message>{xml_message(message)}</Message>"
               f"</Error></Errors><RequestID>{request_id}</RequestID></Response>")
        return _xml(400, xml, request_id)
    code, status = (INVALID_ACTION, 400) if protocol == "query" else (UNKNOWN_OPERATION, 404)
    xml = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{xml_message(message)}</Message>"
           f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>")
    return _xml(status, xml, request_id)


def not_s3(req: Request) -> bool:
    """Whether an unsigned request nothing claimed is plainly not for S3: it names an operation the
    way other protocols do (`X-Amz-Target`, an `Action` parameter, a Smithy RPC v2 CBOR path) or
    sends a JSON/CBOR protocol body. Only the rest (browsers, presigned and anonymous object
    requests) go to S3, as on S3's endpoint."""
    if "x-amz-target" in req.headers or is_cbor_rpc(req) or req.query_has("Action"):
        return True
    content_type = (req.headers.get("content-type") or "").lower()
    if content_type.startswith(("application/x-amz-json", "application/x-amz-cbor", "application/cbor")):
        return True
    return req.method == "POST" and content_type.startswith("application/x-www-form-urlencoded")


def answer_unidentified(req: Request, hosted: list[str], request_id: str) -> Response:
    """The error for a request no service could be told from (an unknown `X-Amz-Target` prefix, an
    `Action` no hosted query service has, no signature to name the service), in the protocol the
    request shows."""
    message = (f"overcast cannot tell which service this request is for (sign it with SigV4 or name a hosted "
               f"service's operation); the services it hosts are: {', '.join(hosted)}")
    protocol = _protocol({"protocol": "rest-json", "protocols": ["query"]}, req)
    if protocol == "cbor":
        return Response(400, [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                              ("x-amzn-RequestId", request_id)],
                        cbor2.dumps({"__type": UNKNOWN_OPERATION, "message": message}))
    content_type = (req.headers.get("content-type") or "").lower()
    if protocol == "json" or content_type.startswith("application/x-amz-json"):
        return _json(400, req.headers.get("content-type") or "application/x-amz-json-1.0",
                     {"__type": UNKNOWN_OPERATION, "message": message}, request_id)
    if protocol == "query" or req.query_has("Action"):
        xml = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{INVALID_ACTION}</Code>"
               f"<Message>{xml_message(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return _xml(400, xml, request_id)
    response = _json(404, "application/json", {"message": message}, request_id)
    response.set_header("x-amzn-ErrorType", UNKNOWN_OPERATION)
    return response


def _protocol(metadata: dict[str, Any], req: Request) -> str:
    """The protocol the client spoke: from the request where it shows, else the model's."""
    if is_cbor_rpc(req):
        return "cbor"
    if req.headers.get("x-amz-target"):
        return "json"
    protocols = metadata.get("protocols") or [metadata.get("protocol")]
    form = (req.headers.get("content-type") or "").startswith("application/x-www-form-urlencoded")
    if form and ("ec2" in protocols or "query" in protocols):
        return "ec2" if "ec2" in protocols else "query"
    protocol = str(metadata.get("protocol"))
    return protocol if protocol in ("rest-json", "rest-xml") else "rest-json"


def _json(status: int, content_type: str, document: dict[str, str], request_id: str) -> Response:
    import json

    return Response(status, [("Content-Type", content_type), ("x-amzn-RequestId", request_id)],
                    json.dumps(document).encode())


def _xml(status: int, xml: str, request_id: str) -> Response:
    return Response(status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)],
                    ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode())
