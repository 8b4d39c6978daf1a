"""What CreateStack, UpdateStack and the change-set operations share: reading the template (body or
S3 URL), expanding transforms, planning with the stack's parameters, and starting the background
operation."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import unquote, urlparse

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.cloudformation import dynamic, template, transform
from overcast.services.cloudformation.errors import CfnValidationError, InsufficientCapabilities
from overcast.services.cloudformation.intrinsics import pseudo_parameters
from overcast.services.cloudformation.parameters import resolve_parameters
from overcast.services.cloudformation.plan import Plan, prepare
from overcast.services.cloudformation.store import StackStore
from overcast.services.s3.inbox import read_object

#: The CDK bootstrap version CDK's templates check for (`/cdk-bootstrap/<qualifier>/version`),
#: answered when no SSM parameter store holds it.
CDK_BOOTSTRAP_VERSION = "30"
_CDK_VERSION_PARAMETER = re.compile(r"^/cdk-bootstrap/[a-z0-9_-]+/version$")
#: real seconds an operation that changes a stack waits for it to finish before answering
GRACE = 5.0
ALL_CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


class Stacks:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(StackStore)

    # -- templates ----------------------------------------------------------------------------

    def template_text(self, body: str | None, url: str | None) -> str:
        if body is not None and url is not None:
            raise CfnValidationError("Specify exactly one of TemplateBody or TemplateUrl.")
        if body is not None:
            return body
        if url is None:
            raise CfnValidationError("Either Template URL or Template Body must be specified.")
        return self._from_s3(url)

    def _from_s3(self, url: str) -> str:
        bucket, key = _bucket_and_key(url)
        try:
            return read_object(self.platform, bucket, key).decode("utf-8")
        except (ServiceError, UnicodeDecodeError):
            raise CfnValidationError("TemplateURL must be a supported URL.") from None

    # -- planning -----------------------------------------------------------------------------

    def plan(self, ctx: RequestContext, stack_name: str, stack_id: str, text: str,
             parameters: list[dict[str, Any]] | None, *, previous: dict[str, str] | None = None,
             capabilities: list[str] | None = None, via_change_set: bool = False,
             notification_arns: list[str] | None = None) -> tuple[dict[str, Any], Plan]:
        """(the template as written, the plan of its processed form)."""
        original = template.parse(text)
        pseudo = pseudo_parameters(ctx.account, ctx.region, stack_name, stack_id, notification_arns)
        processed = original
        if template.transforms(original):
            if not via_change_set and "CAPABILITY_AUTO_EXPAND" not in (capabilities or []) \
                    and transform.SAM in template.transforms(original):
                raise InsufficientCapabilities("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
            values, _ = resolve_parameters(original.get("Parameters") or {}, parameters, previous, self.ssm(ctx))
            processed = transform.expand(original, values, pseudo)
        plan = prepare(processed, parameters, pseudo, ctx.region, previous=previous, ssm=self.ssm(ctx),
                       export_exists=lambda name: self.store.export(ctx.account, ctx.region, name) is not None,
                       capabilities=capabilities or [])
        try:
            dynamic.check_template(processed.get("Resources") or {}, self._ssm_exists(ctx))
        except dynamic.DynamicReferenceError as error:
            raise CfnValidationError(str(error)) from None
        return original, plan

    def _ssm_exists(self, ctx: RequestContext):  # type: ignore[no-untyped-def]
        """Whether an `ssm` dynamic reference's parameter (and version) exists."""
        gateway = self.platform.gateway

        def exists(body: str) -> bool:
            if gateway is None or "ssm" not in gateway.specs:
                return False
            name, version = dynamic.split_ssm(body)
            try:
                gateway.api("ssm").get_parameter(ctx.internal("ssm", "GetParameter"),
                                                 name=f"{name}:{version}" if version else name)
            except ServiceError:
                return False
            return True

        return exists

    def ssm(self, ctx: RequestContext):  # type: ignore[no-untyped-def]
        """A lookup for `AWS::SSM::Parameter::Value<...>` parameters."""
        gateway = self.platform.gateway

        def lookup(name: str) -> str:
            if gateway is not None and "ssm" in gateway.specs:
                try:
                    result = gateway.api("ssm").get_parameter(ctx.internal("ssm", "GetParameter"), name=name)
                except ServiceError:
                    pass
                else:
                    if result["Parameter"]["Type"] == "SecureString":  # AWS resolves String and StringList only
                        raise CfnValidationError(f"Parameters [{name}] referenced by template have types not "
                                                 "supported by CloudFormation.")
                    return str(result["Parameter"]["Value"])
            if _CDK_VERSION_PARAMETER.match(name):
                return CDK_BOOTSTRAP_VERSION
            raise CfnValidationError(f"Unable to fetch parameters [{name}] from parameter store for this account.")

        return lookup

    # -- running ------------------------------------------------------------------------------

    async def start(self, stack_id: str) -> None:
        """Run the stack's pending operation in the background, answering the call once it is
        done or after `GRACE` seconds, whichever comes first: a small stack is complete by the
        time its caller first looks (sparing the AWS CLI's and boto3's 30-second waiter delays),
        a big one goes on after the answer, as on AWS."""
        engine = self.platform.engine
        if engine is None:
            return
        from overcast.services.cloudformation.operations import run_operation

        task = engine.spawn(f"cloudformation:{stack_id}", run_operation(self.platform, stack_id))
        if task is not None:
            await asyncio.wait({task}, timeout=GRACE)

    def new_stack(self, ctx: RequestContext, name: str, stack_id: str, status: str, *,
                  capabilities: list[str] | None, tags: list[dict[str, str]] | None,
                  notification_arns: list[str] | None, extra: dict[str, Any]) -> dict[str, Any]:
        now = self.platform.clock.now()
        stack: dict[str, Any] = {
            "StackId": stack_id, "StackName": name, "CreationTime": now, "StackStatus": status,
            "Parameters": [], "Capabilities": list(capabilities or []), "NotificationARNs": list(notification_arns or []),
            "Tags": list(tags or []), "DisableRollback": False, "RollbackConfiguration": {},
            "EnableTerminationProtection": False, "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
            "_endpoint": ctx.endpoint,
        }
        stack.update(extra)
        return stack


_STACK_NAME = re.compile(r"[a-zA-Z][-a-zA-Z0-9]*")


def check_stack_name(name: str) -> None:
    """A new stack's name, checked as AWS checks it."""
    if not _STACK_NAME.fullmatch(name) or len(name) > 128:
        raise CfnValidationError(
            f"1 validation error detected: Value '{name}' at 'stackName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*")


def _bucket_and_key(url: str) -> tuple[str, str]:
    """Bucket and key of an S3 URL in any of its forms (path style on any host, virtual-hosted on
    `*.s3.*amazonaws.com`, or `s3://bucket/key`)."""
    parsed = urlparse(url)
    path = unquote(parsed.path.lstrip("/"))
    host = parsed.hostname or ""
    if parsed.scheme == "s3":
        return host, path
    match = re.match(r"^(.+)\.s3[.-]", host)
    if match:
        return match.group(1), path
    bucket, _, key = path.partition("/")
    if not bucket or not key:
        raise CfnValidationError("TemplateURL must be a supported URL.")
    return bucket, key


def check_pass_role(platform: Platform, ctx: RequestContext, role_arn: str | None) -> None:
    """A stack's service role must trust `cloudformation.amazonaws.com`, else ValidationError (under
    `--iam enforce`). Handing the role over also needs `iam:PassRole` on it (with
    `iam:PassedToService` `cloudformation.amazonaws.com`): the gateway's check asks for it, as for
    every request with a `RoleARN`, before the operation runs."""
    if not role_arn or platform.iam is None:
        return
    if not platform.iam.service_may_assume("cloudformation.amazonaws.com", role_arn):
        raise CfnValidationError(f"Role {role_arn} is invalid or cannot be assumed")


def act_as(stack: dict[str, Any], ctx: RequestContext, role_arn: str | None) -> None:
    """Who the stack operation acts as (docs/iam.md): the service role it is given (a stack keeps
    its role for later operations, as on AWS), else the operation's caller."""
    stack["_caller_key"] = ctx.access_key
    if role_arn:
        stack["RoleARN"] = role_arn
