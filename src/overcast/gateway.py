"""From an HTTP request to a service operation and back.

Routing (docs/architecture.md#how-a-request-flows): admin routes under `/_overcast/`, then the services' own HTTP
surfaces (API invoke URLs, function URLs...), then the AWS API: the service from the SigV4 credential
scope (Authorization header or presigned query), refined by `X-Amz-Target`, then path rules; an
unsigned request that nothing else claims goes to S3, as on AWS's S3 endpoint, unless it plainly is
not an S3 request (see `unhosted.not_s3`).
"""

from __future__ import annotations

import asyncio
import calendar
import inspect
import json
import logging
import re
import time
import zlib
from collections.abc import Callable
from typing import Any

from botocore.model import OperationModel, ServiceModel

from overcast import __version__, trace_hops, tracing
from overcast.context import RequestContext, new_request_id
from overcast.edge.messages import Request, Response, json_response
from overcast.errors import (
    ClientError,
    MissingAuthentication,
    NotImplementedOperation,
    SerializationError,
    ServerError,
    ServiceError,
    UnknownOperation,
    ValidationError,
)
from overcast.platform import Platform
from overcast.protocol import PROTOCOLS, WireProtocol, is_cbor, is_rpc_v2_cbor, unhosted
from overcast.protocol.catalog import service_metadata, service_model
from overcast.protocol.operation_match import find_route
from overcast.protocol.query import form_action
from overcast.protocol.values import argument_name, snake
from overcast.services import HttpRoute, ServiceSpec
from overcast.storage.full import FullLog, is_storage_full
from overcast.tracing import Tracer

log = logging.getLogger("overcast.gateway")
#: a full disk is no bug: one line now and then, not a stack trace per request
_full_log = FullLog(log)

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]*)/([^/]+)/aws4_request")
#: SigV4a scopes name no region (it is in X-Amz-Region-Set): S3 multi-region access points,
#: EventBridge global endpoints
_CREDENTIAL_V4A = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/aws4_request")


class Gateway:
    """Holds the services of one platform and answers requests for them."""

    def __init__(self, platform: Platform, specs: list[ServiceSpec]) -> None:
        self.platform = platform
        self.specs = {spec.name: spec for spec in specs}
        self._apis: dict[str, Any] = {}
        self._by_signing: dict[str, list[ServiceSpec]] = {}
        self._by_target: dict[str, ServiceSpec] = {}
        self._by_action: dict[str, ServiceSpec | None] | None = None
        self._routes: list[HttpRoute] = [route for spec in specs for route in spec.routes]
        self._signatures: dict[tuple[str, str], tuple[Callable[..., Any], dict[str, str], bool, tuple[str, ...]]] = {}
        self._iam = None if platform.config.iam == "off" else _iam_guard(platform)  # docs/iam.md
        self._verify = _verifier(platform) if platform.config.verify_signatures else None
        for spec in specs:
            # metadata only: a service's full model loads when it is first called
            metadata = service_metadata(spec.model_name)
            names = {metadata.get("signingName") or metadata["endpointPrefix"], *spec.signing_names}
            for name in names:
                self._by_signing.setdefault(name, []).append(spec)
            prefix = metadata.get("targetPrefix")
            if prefix:
                self._by_target[prefix] = spec

    # -- services -----------------------------------------------------------------------------

    def api(self, name: str) -> Any:
        api = self._apis.get(name)
        if api is None:
            api = self.specs[name].api(self.platform)
            self._apis[name] = api
        return api

    def service_names(self) -> list[str]:
        return sorted(self.specs)

    # -- routing ------------------------------------------------------------------------------

    def _credential(self, req: Request) -> tuple[str, str, str] | None:
        """(access key, region, signing name) from the SigV4 scope, if signed."""
        auth = req.headers.get("authorization")
        if auth:
            match = _CREDENTIAL.search(auth)
            if match:
                return match.group(1), match.group(3), match.group(4)
            match = _CREDENTIAL_V4A.search(auth)
            if match:
                regions = req.headers.get("x-amz-region-set") or ""
                region = regions.split(",")[0].strip()
                return match.group(1), "" if region == "*" else region, match.group(3)
            if auth.startswith("AWS "):
                return auth[4:].split(":", 1)[0], "", "s3"
        scope = req.query_get("X-Amz-Credential")
        if scope:
            parts = scope.split("/")
            if len(parts) >= 5:
                return parts[0], parts[2], parts[3]
        if req.query_has("AWSAccessKeyId") and req.query_has("Signature"):
            return req.query_get("AWSAccessKeyId") or "", "", "s3"
        return None

    def resolve(self, req: Request) -> tuple[ServiceSpec | None, tuple[str, str, str] | None]:
        cred = self._credential(req)
        target = req.headers.get("x-amz-target")
        if target:
            spec = self._by_target.get(target.rpartition(".")[0])
            if spec is not None:
                return spec, cred
        if cred is not None:
            candidates = self._by_signing.get(cred[2], [])
            if len(candidates) == 1:
                return candidates[0], cred
            if candidates:
                return self._best_rest_match(candidates, req) or _by_request_shape(candidates, req), cred
        return self.specs.get("s3"), cred

    def _maybe_unhosted(self, req: Request, cred: tuple[str, str, str] | None) -> bool:
        """Whether a request names a service that no hosted one claims (see protocol/unhosted.py)."""
        target = req.headers.get("x-amz-target")
        if target and target.rpartition(".")[0] not in self._by_target:
            return True
        if cred is not None and cred[2] not in self._by_signing:
            return True
        # a Smithy RPC v2 CBOR call to a hosted service is not unhosted. CloudWatch's model offers
        # smithy-rpc-v2-cbor, json and query; botocore picks the first of its own priority order
        # (json before CBOR), so boto3 sends CloudWatch awsJson1_0 (`X-Amz-Target:
        # GraniteServiceVersion20100801.<Op>`), and other SDKs may send CBOR. Telling so here keeps
        # such a PutMetricData off the thread hop and the botocore-wide index
        return unhosted.is_cbor_rpc(req) and unhosted.rpc_service(req) not in self._by_target

    def _action_spec(self, action: str) -> ServiceSpec | None:
        """The query service that has operation `action` (None when none or several have it)."""
        if self._by_action is None:
            self._by_action = {}
            for spec in self.specs.values():
                if service_metadata(spec.model_name).get("protocol") == "query":
                    for op_name in service_model(spec.model_name).operation_names:
                        self._by_action[op_name] = None if op_name in self._by_action else spec
        return self._by_action.get(action)

    @staticmethod
    def _best_rest_match(candidates: list[ServiceSpec], req: Request) -> ServiceSpec | None:
        """Of services sharing a signing name (apigateway and apigatewayv2), the one with the most
        specific route for the request."""
        best: tuple[tuple[object, ...], ServiceSpec] | None = None
        for spec in candidates:
            model = service_model(spec.model_name)
            if not model.protocol.startswith("rest"):
                continue
            found = find_route(model, req)
            if found is not None and (best is None or found[0] > best[0]):
                best = (found[0], spec)
        return best[1] if best is not None else None

    # -- dispatch -----------------------------------------------------------------------------

    async def handle(self, req: Request, read_body: Callable[[Request, bool], Any]) -> Response:
        """Answer one request. `read_body(req, stream)` fills `req.body` or `req.stream`."""
        for route in self._routes:
            if route.matches(req):
                await read_body(req, False)
                return await route.handle(self.platform, req)
        if req.raw_path.startswith("/_overcast/"):
            await read_body(req, False)
            return not_found_admin(req.path)
        spec, cred = self.resolve(req)
        if self._maybe_unhosted(req, cred):
            await asyncio.to_thread(unhosted.warm_up)  # once: reads every botocore model's head
            name = unhosted.identify(req, cred[2] if cred else None, set(self.specs))
            if name is not None:
                await read_body(req, False)
                log.warning("a client called %s, which overcast does not host", name)
                return unhosted.answer(name, req, self.service_names(), new_request_id())
        if cred is None and _is_query_call(req):
            # Unsigned query calls (STS AssumeRoleWithWebIdentity / AssumeRoleWithSAML): on AWS the
            # host names the service; here the Action does.
            await read_body(req, False)
            spec = self._action_spec(form_action(req) or "") or spec
        if cred is None and spec is not None and spec.name == "s3" and unhosted.not_s3(req):
            # only genuine S3 requests fall back to S3 (see unhosted.not_s3)
            await read_body(req, False)
            return unhosted.answer_unidentified(req, self.service_names(), new_request_id())
        ctx = self._context(req, spec, cred)
        if spec is None:
            await read_body(req, False)
            err = MissingAuthentication("Missing Authentication Token")
            return json_response(err.status, json.dumps({"message": err.message}),
                                 [("x-amzn-RequestId", ctx.request_id), ("x-amzn-ErrorType", err.code)])
        return await self.dispatch(spec, req, ctx, read_body)

    def _context(self, req: Request, spec: ServiceSpec | None, cred: tuple[str, str, str] | None) -> RequestContext:
        config = self.platform.config
        access_key, region = (cred[0], cred[1]) if cred else ("test", "")
        account = _account_of(access_key) or config.default_account
        if access_key.startswith("AKIA") and (self._iam is not None or self._verify is not None):
            account = self.platform.iam.key_account(access_key) or account  # an IAM user's key: its account
        return RequestContext(
            account=account,
            region=region or config.default_region,
            service=spec.name if spec else "",
            access_key=access_key,
            request=req,
            endpoint=f"{req.scheme}://{req.host}",
        )

    async def dispatch(self, spec: ServiceSpec, req: Request, ctx: RequestContext,
                       read_body: Callable[[Request, bool], Any]) -> Response:
        """Answer one API call, recorded as an X-Ray segment (docs/xray.md): the caller's trace
        header is kept (or a trace started), and what the call hands on names its segment as parent."""
        tracer = self.platform.component(Tracer)
        if not tracer.enabled or spec.name == "xray" or trace_hops.self_traced(spec.name, req.path):
            return await self._dispatch(spec, req, ctx, read_body)
        start = self.platform.clock.now()
        seg_id = tracing.new_id()
        incoming = ctx.trace_header
        caller = tracing.parse_header(incoming)
        root = caller.get("Root") or tracing.new_root(start)
        token = tracing.current.set((tracing.with_parent(incoming, seg_id, root), incoming is not None))
        try:
            response = await self._dispatch(spec, req, ctx, read_body)
        finally:
            tracing.current.reset(token)
        if (spec.name, ctx.operation) not in trace_hops.SELF_TRACED:  # (a path self_traced missed)
            params = ctx.extras.pop("trace_params", None) or {}
            tracer.record(ctx.account, ctx.region, trace_hops.api_segment(
                service=spec.name, operation=ctx.operation, trace_id=root, seg_id=seg_id,
                parent_id=caller.get("Parent"), start=start, end=self.platform.clock.now(), status=response.status,
                account=ctx.account, region=ctx.region, request_id=ctx.request_id,
                resource=trace_hops.resource_arn(spec.name, params, ctx.account, ctx.region)))
        return response

    async def _dispatch(self, spec: ServiceSpec, req: Request, ctx: RequestContext,
                        read_body: Callable[[Request, bool], Any]) -> Response:
        model = (spec.model_for(req) if spec.model_for is not None else None) or service_model(spec.model_name)
        protocol = _protocol_for(model, req)
        opts = spec.options
        op: OperationModel | None = None
        try:
            if opts.rewrite is not None:
                req = opts.rewrite(req)
                ctx.request = req
            if protocol.needs_body_for_routing():
                await read_body(req, False)
                if protocol.name == "query":  # a form body: any content coding is request compression
                    _decompress(req)
            op = protocol.operation(model, req, opts)
            ctx.operation = op.name
            if not protocol.needs_body_for_routing():
                await read_body(req, bool(op.has_streaming_input) and opts.stream_uploads)
                if op.request_compression:
                    _decompress(req)
            if self._verify is not None:  # --verify-signatures: over the body as it was signed
                self._verify.check(model, req, req.__dict__.get("_signed_body", req.body), op.auth_type == "none")
            params = protocol.parse(op, req, opts)
            ctx.extras["trace_params"] = params
            _check_presigned(req, self.platform.clock.now())
            if self._iam is not None:
                self._iam.check(model, op, params, ctx)
            method, names, takes_all, required = self._method(spec, op.name)
            kwargs = {}
            for key, value in params.items():
                arg = names.get(key) or argument_name(key)
                if takes_all or arg in names.values():
                    kwargs[arg] = value
            _check_required(op, required, kwargs, opts.validation_code)
            result = method(ctx, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            return self._respond(opts, req, ctx, protocol.serialize(op, result or {}, ctx, opts))
        except ServiceError as error:
            return self._respond(opts, req, ctx, protocol.serialize_error(model, op, error, ctx, opts))
        except (asyncio.CancelledError, ConnectionError):
            raise  # the client went away (mid-upload): nothing to answer
        except RecursionError:
            # the last line behind documents.py's bounded reading: only a caller's over-deep
            # document recurses this far, and AWS refuses such input with the service's 400
            log.warning("%s.%s: input nested too deeply", spec.name, op.name if op else "?")
            refused = ValidationError("The request holds a document nested too deeply to be read.",
                                      code=opts.validation_code)
            return self._respond(opts, req, ctx, protocol.serialize_error(model, op, refused, ctx, opts))
        except Exception as exc:
            if is_storage_full(exc):  # nothing was committed, so nothing is acknowledged: the service's 5xx
                _full_log.warn(f"{spec.name}.{op.name if op else '?'} refused", exc)
            else:
                log.exception("%s.%s failed", spec.name, op.name if op else "?")
            failure = ServerError("We encountered an internal error. Please try again.",
                                  code=_internal_code(model))
            return protocol.serialize_error(model, op, failure, ctx, opts)

    def _respond(self, opts: Any, req: Request, ctx: RequestContext, response: Response) -> Response:
        """The service's `respond` hook applied to a response (S3's CORS headers)."""
        return response if opts.respond is None else opts.respond(self.platform, req, ctx, response)

    def _method(self, spec: ServiceSpec, op_name: str) -> tuple[Callable[..., Any], dict[str, str], bool,
                                                                tuple[str, ...]]:
        key = (spec.name, op_name)
        cached = self._signatures.get(key)
        if cached is not None:
            return cached
        api = self.api(spec.name)
        method = getattr(api, snake(op_name), None)
        if method is None:
            raise NotImplementedOperation(
                f"The operation {op_name} of {spec.name} is not implemented in overcast yet",
            )
        sig = inspect.signature(method)
        takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())
        names = {name: name for name in sig.parameters}
        # what the method cannot run without (the model may have made it optional since: DynamoDB
        # CreateTable's KeySchema) is required before dispatch, as the service itself requires it
        required = tuple(name for index, (name, p) in enumerate(sig.parameters.items())
                         if index > 0 and p.default is inspect.Parameter.empty
                         and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY))
        cached = (method, names, takes_all, required)
        self._signatures[key] = cached
        return cached


def _by_request_shape(candidates: list[ServiceSpec], req: Request) -> ServiceSpec:
    """Of services sharing a signing name, none of whose routes fit the request: the one whose
    protocol the request is in (a form body or `Action` is SES's query API, anything else SES v2's
    REST API), so the error comes back in the shape the client reads."""
    # a POST to `/` without a target header is the query API's shape whatever its Content-Type
    # says (SES v2's REST paths all start /v2/); a JSON body still reads as the REST API's
    content_type = (req.headers.get("content-type") or "").lower()
    query = _is_query_call(req) or (req.method == "POST" and req.raw_path.split("?", 1)[0] == "/"
                                    and "x-amz-target" not in req.headers and "json" not in content_type)
    for spec in candidates:
        if (service_metadata(spec.model_name).get("protocol") == "query") == query:
            return spec
    return candidates[0]


def _check_required(op: OperationModel, required: tuple[str, ...], kwargs: dict[str, Any], code: str) -> None:
    """A member the operation's method requires, missing: AWS's validation error for a null member."""
    if not required:
        return
    members = op.input_shape.members if op.input_shape is not None else {}
    wire = {argument_name(name): name for name in members}
    shown = [wire[arg] for arg in required if kwargs.get(arg) is None and arg in wire]
    if not shown:
        return
    clauses = [f"Value null at '{name[:1].lower()}{name[1:]}' failed to satisfy constraint: Member must not be null"
               for name in shown]
    noun = "error" if len(clauses) == 1 else "errors"
    raise ValidationError(f"{len(clauses)} validation {noun} detected: " + "; ".join(clauses), code=code)


def _verifier(platform: Platform) -> Any:
    """SigV4 verification of every API call (`--verify-signatures`, docs/iam.md)."""
    from overcast.services.iam.signatures import Verifier

    return Verifier(platform)


def _iam_guard(platform: Platform) -> Any:
    """IAM evaluation of every API call (`--iam report|enforce`); never built when it is off."""
    from overcast.services.iam.guard import Guard

    return Guard(platform)


def _protocol_for(model: ServiceModel, req: Request) -> WireProtocol:
    """The protocol a request speaks, among those its service's model offers."""
    offered = model.metadata.get("protocols") or [model.protocol]
    if (model.is_query_compatible or "query" in offered) and _is_query_call(req):
        # SQS and CloudWatch moved from the query protocol; older SDKs still send `Action=...&...`
        # and AWS still answers them in XML.
        return PROTOCOLS["query"]
    if "smithy-rpc-v2-cbor" in offered and is_rpc_v2_cbor(req):
        return PROTOCOLS["smithy-rpc-v2-cbor"]
    if "json" in offered and (model.protocol == "json" or "x-amz-target" in req.headers):
        # the AWS SDK for Java and the KCL send Kinesis's json protocol CBOR-encoded; AWS answers in CBOR
        return PROTOCOLS["json-cbor"] if is_cbor(req) else PROTOCOLS["json"]
    return PROTOCOLS[model.protocol]


#: The largest request body a gzip-compressed request may expand to.
MAX_DECOMPRESSED = 64 * 1024 * 1024


def _decompress(req: Request) -> None:
    """Undo SDK request compression (`Content-Encoding: gzip` on operations with the model's
    `requestcompression` trait, such as CloudWatch's PutMetricData), as AWS does."""
    encoding = (req.headers.get("content-encoding") or "").lower()
    if "gzip" not in encoding or not isinstance(req.body, bytes | bytearray) or not req.body:
        return
    inflater = zlib.decompressobj(wbits=31)
    try:
        body = inflater.decompress(req.body, MAX_DECOMPRESSED)
    except zlib.error:
        raise SerializationError("The request body could not be decompressed (Content-Encoding: gzip).",
                                 code="SerializationException") from None
    if inflater.unconsumed_tail:
        raise ClientError("The decompressed request body is too large.", code="RequestEntityTooLarge", status=413)
    req.__dict__["_signed_body"] = req.body  # what a signature covers: the compressed body
    req.body = body
    if hasattr(req, "_form_pairs"):
        del req._form_pairs


def _is_form(req: Request) -> bool:
    content_type = req.headers.get("content-type") or ""
    return req.method == "POST" and content_type.startswith("application/x-www-form-urlencoded")


def _is_query_call(req: Request) -> bool:
    if "x-amz-target" in req.headers:
        return False
    return _is_form(req) or (req.method == "GET" and req.query_has("Action"))


#: SigV4 presigned URLs live at most a week (AWS's signing keys are valid that long)
MAX_PRESIGNED_EXPIRES = 604800


def _check_presigned(req: Request, now: float) -> None:
    """A presigned URL (SigV4 `X-Amz-Date` + `X-Amz-Expires`, SigV2 `Expires`) is refused once expired,
    or when its expiry cannot be read, as AWS does (signatures themselves are not checked). Numbers
    are judged by their digits before any conversion (a 5,000-digit number is no integer to parse)."""
    expires = req.query_get("X-Amz-Expires")
    if expires is not None:
        deadline = _sigv4_deadline(req.query_get("X-Amz-Date") or "", expires)
    elif req.query_has("Signature") and req.query_has("AWSAccessKeyId"):
        raw = req.query_get("Expires") or ""
        digits = raw[1:] if raw.startswith("-") else raw
        # S3 reads SigV2's Expires as a signed 64-bit count of seconds since the epoch
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
            raise ClientError(f"Invalid date (should be seconds since epoch): {raw}", code="AccessDenied", status=403)
        deadline = int(raw)
    else:
        return
    if now > deadline:
        server_time = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        raise ClientError("Request has expired", code="AccessDenied", status=403,
                          fields={"X-Amz-Expires": expires} if expires is not None else
                          {"Expires": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(deadline)),
                           "ServerTime": server_time})


def _sigv4_deadline(date: str, expires: str) -> int:
    """When a SigV4 presigned URL expires; AWS's AuthorizationQueryParametersError (403, as S3 answers)
    when `X-Amz-Expires` is not a number of seconds from 0 to a week or `X-Amz-Date` is malformed."""
    def refuse(message: str) -> ClientError:
        return ClientError(message, code="AuthorizationQueryParametersError", status=403)

    digits = expires[1:] if expires.startswith("-") else expires
    if not (digits.isascii() and digits.isdigit()):
        raise refuse("X-Amz-Expires should be a number")
    if expires.startswith("-") and digits.strip("0"):
        raise refuse("X-Amz-Expires must be non-negative")
    if len(digits.lstrip("0")) > 6 or int(digits) > MAX_PRESIGNED_EXPIRES:
        raise refuse("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires "
                     f"must be less than {MAX_PRESIGNED_EXPIRES} seconds")
    try:
        start = calendar.timegm(time.strptime(date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise refuse("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"") from None
    return start + int(digits)


def _account_of(access_key: str) -> str | None:
    """The account an access key acts in: twelve digits name it; so do the temporary keys STS hands
    out (`ASIA` + account + 4 characters); any other key is the default account."""
    if len(access_key) == 12 and access_key.isdigit():
        return access_key
    if len(access_key) == 20 and access_key.startswith("ASIA") and access_key[4:16].isdigit():
        return access_key[4:16]
    return None


#: Errors services answer for their own failures, as their models name them (DynamoDB's and SSM's
#: InternalServerError, Lambda's ServiceException, SNS's InternalError, Secrets Manager's
#: InternalServiceError...); a service whose model names none answers the common InternalFailure.
_INTERNAL_SHAPES = ("InternalServerError", "InternalErrorException", "InternalServerException", "InternalServiceError",
                    "InternalException", "ServiceException", "ServiceFailureException", "InternalServiceFault",
                    "KMSInternalException")


def _internal_code(model: ServiceModel) -> str:
    names = set(model.shape_names)
    for name in _INTERNAL_SHAPES:
        if name in names and model.shape_for(name).metadata.get("exception"):
            error = model.shape_for(name).metadata.get("error") or {}
            if error.get("httpStatusCode", 500) >= 500:
                return str(error.get("code") or name)
    if model.protocol == "query":
        return "InternalFailure"
    if model.service_name in ("s3",):
        return "InternalError"
    return "InternalFailure" if model.protocol == "json" else "ServiceException"


def admin_health(gateway: Gateway) -> Response:
    body = {"status": "running", "version": __version__, "services": gateway.service_names()}
    return json_response(200, json.dumps(body))


def not_found_admin(path: str) -> Response:
    err = UnknownOperation(f"no admin route {path}")
    return json_response(404, json.dumps({"message": err.message}))
