"""What a provider works with: the resource being deployed and a way to call service operations.

`Deployment.call("sqs", "CreateQueue", {"QueueName": ...})` takes the parameters as the API
request has them (the operation's member names), converts template values to the model's types
(`"30"` → 30 for an integer member, as CloudFormation does), checks them against the model the
way the service's protocol would, and calls the service's api method with an internal
`RequestContext`. A `ServiceError` becomes a `ResourceFailure` whose reason names the service.
"""

from __future__ import annotations

import inspect
import json
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.model import Shape

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.protocol.catalog import service_model
from overcast.protocol.json_ import check_input
from overcast.protocol.values import snake
from overcast.services.cloudformation.errors import ResourceFailure

_SUFFIX_CHARS = string.ascii_uppercase + string.digits
#: the session name of a stack's service role
STACK_SESSION = "AWSCloudFormation"


class ServiceUnavailable(ResourceFailure):
    pass


@dataclass
class Deployment:
    """One resource operation of one stack."""

    platform: Platform
    ctx: RequestContext
    stack_name: str
    stack_id: str
    logical_id: str
    resource_type: str
    properties: dict[str, Any]
    physical_id: str | None = None
    old_properties: dict[str, Any] = field(default_factory=dict)
    #: the resource's stored attributes (on update and delete)
    attributes: dict[str, Any] = field(default_factory=dict)
    #: a name generated for this resource, kept across a restart (see `generated_name`)
    reserved_name: str | None = None
    #: extra state a provider keeps for itself (e.g. a custom resource's request id)
    state: dict[str, Any] = field(default_factory=dict)
    #: called with a generated name before the resource is created, so it survives a restart
    on_reserve: Callable[[str], None] | None = None

    @property
    def account(self) -> str:
        return self.ctx.account

    @property
    def region(self) -> str:
        return self.ctx.region

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def generated_name(self, max_length: int = 64, lowercase: bool = False, suffix: str = "") -> str:
        """A name CloudFormation makes up when the template gives none: `stack-Logical-RANDOMSUFFIX`,
        the stack and logical parts shortened to fit `max_length`."""
        if self.reserved_name is None:
            random = "".join(secrets.choice(_SUFFIX_CHARS) for _ in range(12))
            room = max_length - len(random) - len(suffix) - 2
            stack_part = self.stack_name[: max(1, room // 2)] if len(self.stack_name) + len(self.logical_id) > room \
                else self.stack_name
            logical_part = self.logical_id[: max(1, room - len(stack_part))]
            name = f"{stack_part}-{logical_part}-{random}{suffix}"
            self.reserved_name = name.lower() if lowercase else name
            if self.on_reserve is not None:
                self.on_reserve(self.reserved_name)
        return self.reserved_name

    def name(self, prop: str, max_length: int = 64, lowercase: bool = False, suffix: str = "") -> str:
        """The template's name for the resource, or a generated one."""
        given = self.properties.get(prop)
        if given:
            return str(given)
        return self.generated_name(max_length, lowercase, suffix)

    def has_service(self, service: str) -> bool:
        gateway = self.platform.gateway
        return gateway is not None and service in gateway.specs

    async def call(self, service: str, operation: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call `operation` of `service` as the stack's account and region."""
        gateway = self.platform.gateway
        if gateway is None or service not in gateway.specs:
            raise ServiceUnavailable(f"Resource type {self.resource_type} needs the {service} service, "
                                     "which this overcast does not run")
        spec = gateway.specs[service]
        model = service_model(spec.model_name)
        op = model.operation_model(operation)
        args = coerce(op.input_shape, dict(params or {})) if op.input_shape is not None else {}
        args = {k: v for k, v in args.items() if v is not None}
        ctx = self.ctx.internal(service, operation)
        try:
            check_input(op.input_shape, args, spec.options)
            self._authorize(model, op, args, ctx)
            method = getattr(gateway.api(service), snake(operation))
            accepted = inspect.signature(method).parameters
            takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
            kwargs = {snake(k): v for k, v in args.items() if takes_all or snake(k) in accepted}
            result = method(ctx, **kwargs)
            if inspect.isawaitable(result):
                result = await result
        except ServiceError as error:
            raise ResourceFailure(failure_reason(model.metadata.get("serviceId", service), error, ctx)) from None
        return result or {}

    def _authorize(self, model: Any, op: Any, args: dict[str, Any], ctx: RequestContext) -> None:
        """A stack acts with its service role (`RoleARN`, as a session of it) or, without one, with
        its caller's permissions ([AWS](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html)):
        each call is checked as theirs when IAM is evaluated (docs/iam.md)."""
        iam = self.platform.iam
        if iam is None or self.platform.config.iam == "off":
            return
        role = self.ctx.extras.get("stack_role")
        if role:
            iam.check_as_role(str(role), STACK_SESSION, model, op, args, ctx)
        else:
            iam.check_as_key(self.ctx.access_key, model, op, args, ctx)

    async def call_quietly(self, service: str, operation: str, params: dict[str, Any],
                           missing: tuple[str, ...] = ("NotFound", "NoSuch", "NonExistent", "DoesNotExist")) -> bool:
        """Call an operation whose 'not found' answer is fine (deleting what is already gone):
        True when it ran, False when the resource was not there."""
        try:
            await self.call(service, operation, params)
        except ResourceFailure as failure:
            if any(word in failure.reason for word in missing):
                return False
            raise
        return True


def failure_reason(service_id: str, error: ServiceError, ctx: RequestContext) -> str:
    return (f"Resource handler returned message: \"{error.message} (Service: {service_id}, Status Code: "
            f"{error.status}, Request ID: {ctx.request_id})\" (HandlerErrorCode: {_handler_code(error)}) "
            f"[{error.code}]")


def _handler_code(error: ServiceError) -> str:
    code = error.code.lower()
    if "notfound" in code or "nosuch" in code or "nonexistent" in code or "doesnotexist" in code:
        return "NotFound"
    if "exist" in code or "conflict" in code or "inuse" in code:
        return "AlreadyExists"
    if code in ("accessdenied", "accessdeniedexception", "authorizationerror"):
        return "AccessDenied"
    if error.status >= 500:
        return "ServiceInternalError"
    return "InvalidRequest"


# -- template values to model types ----------------------------------------------------------


def coerce(shape: Shape, value: Any) -> Any:
    """Template values as the model types them: numbers and booleans given as strings become
    numbers and booleans, scalars given for strings become strings."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return value
        names = _member_names(shape)
        out = {}
        for key, item in value.items():
            member = key if key in shape.members else names.get(key.lower())
            if member is None:
                out[key] = item
            else:
                out[member] = coerce(shape.members[member], item)
        return out
    if kind == "list":
        if not isinstance(value, list):
            return value
        return [coerce(shape.member, v) for v in value]
    if kind == "map":
        if not isinstance(value, dict):
            return value
        return {str(k): coerce(shape.value, v) for k, v in value.items()}
    if kind in ("integer", "long"):
        return _number(value, int)
    if kind in ("float", "double"):
        return _number(value, float)
    if kind == "boolean":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return value
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, dict | list):
            return json.dumps(value)
        return value
    if kind == "blob" and isinstance(value, str):
        return value.encode()
    return value


def _member_names(shape: Shape) -> dict[str, str]:
    """Members by lower-cased name: providers may write `LogGroupName` for the model's `logGroupName`."""
    cached = getattr(shape, "_overcast_names", None)
    if cached is None:
        cached = {name.lower(): name for name in shape.members}
        shape._overcast_names = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def _number(value: Any, kind: type) -> Any:
    if isinstance(value, str):
        try:
            return kind(float(value)) if kind is int else kind(value)
        except ValueError:
            return value
    if isinstance(value, float) and kind is int and value.is_integer():
        return int(value)
    return value


def tags_list(tags: Any) -> list[dict[str, str]]:
    """CloudFormation's `Tags: [{Key, Value}]` (or a map, as SAM writes them) as a list."""
    if isinstance(tags, dict):
        return [{"Key": str(k), "Value": str(v)} for k, v in tags.items()]
    return [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in tags or []]


def tags_map(tags: Any) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags_list(tags)}


def as_json(value: Any) -> str:
    """A policy document or similar: templates give objects, APIs want JSON text."""
    return value if isinstance(value, str) else json.dumps(value)


def pick(properties: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: properties[name] for name in names if properties.get(name) is not None}
