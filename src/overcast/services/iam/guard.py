"""The gateway's IAM check: one call per API request when `--iam` is `report` or `enforce`
(docs/iam.md). The caller's principal comes from the request's access key, the action and resources
from the operation and its input; a denial under `enforce` is answered with the service's own
AccessDenied error."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from botocore.model import OperationModel, ServiceModel

from overcast.authz.evaluation import Principal, denial_message
from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.iam.apigateway_paths import control_plane
from overcast.services.iam.enforcement import Enforcer
from overcast.services.iam.kms_access import grant_allows, kms_checks, kms_keys
from overcast.services.iam.requests import PREFIXES, passed_roles, request_context, requested
from overcast.services.iam.resource_keys import resource_context
from overcast.services.iam.service_keys import service_keys
from overcast.services.iam.via_service import s3_key_checks, sqs_key_checks
from overcast.services.secretsmanager.inbox import secret_arn
from overcast.services.sqs.inbox import kms_access_denied

log = logging.getLogger("overcast.iam")


class AccessDenied(ServiceError):
    code = "AccessDenied"
    status = 403
    sender_fault = True


def access_denied(model: ServiceModel, message: str) -> AccessDenied:
    """AWS's refusal in the service's own words: S3's, IAM's, STS's and the query services'
    `AccessDenied` (403), SNS's `AuthorizationError` (403), the JSON services'
    `AccessDeniedException` (400; 403 for the REST ones such as Lambda)."""
    name = model.service_name
    if name == "sns":
        return AccessDenied(message, code="AuthorizationError")
    if name in ("s3", "iam", "sts", "sqs") or model.protocol in ("query", "rest-xml", "ec2"):
        return AccessDenied(message)
    return AccessDenied(message, code="AccessDeniedException", status=403 if model.protocol == "rest-json" else 400)


def prefix_of(model: ServiceModel) -> str:
    """The IAM service prefix of a model (its signing name, with AWS's exceptions)."""
    signing = model.metadata.get("signingName") or model.metadata["endpointPrefix"]
    return PREFIXES.get(signing, signing)


def _resource_keys(platform: Platform, resource: str, context: Mapping[str, Any], account: str,
                   region: str) -> Mapping[str, Any]:
    return resource_context(platform, resource, context, account=account, region=region)


class Guard:
    """Checks each API call of one platform (built only when IAM evaluation is on)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.enforcer = platform.component(Enforcer)
        self.enforcer.resource_keys = partial(_resource_keys, platform)

    def check(self, model: ServiceModel, op: OperationModel, params: dict[str, Any], ctx: RequestContext,
              principal: Principal | None = None) -> None:
        """Raise the service's AccessDenied when the caller may not make this call (under `enforce`).
        `principal`: who calls, when not the request's access key (a call the platform makes in
        process with a role: a state machine's task)."""
        if op.auth_type == "none":  # unauthenticated operations (Cognito's InitiateAuth, SignUp...)
            return
        prefix = prefix_of(model)
        # API Gateway's control plane: the HTTP method on the resource path, in process too
        pairs = control_plane(ctx, op, params) if prefix == "apigateway" else requested(prefix, ctx, op.name, params)
        if not pairs:
            return
        if prefix == "secretsmanager":  # a secret's name or partial ARN: evaluated as its full ARN
            pairs = [(action, secret_arn(self.platform, ctx.account, ctx.region, resource) or resource)
                     if resource.startswith("arn:aws:secretsmanager:") else (action, resource)
                     for action, resource in pairs]
        if principal is None:
            principal = self.enforcer.principals.of_key(ctx.access_key, ctx.account)
        context = request_context(ctx, params, self.platform.clock.now(), prefix)
        try:
            keys = service_keys(self.platform, ctx, prefix, op.name, params)
        except Exception:  # a malformed request the service then refuses: evaluated without them
            log.exception("reading the condition keys of %s.%s failed", prefix, op.name)
            keys = {}
        context.update(keys.pop("", {}))
        if prefix == "kms":
            self._check_kms(model, op.name, params, ctx, principal, context)
            return
        for action, resource in pairs:
            self._decide(model, principal, action, resource, {**context, **keys.get(resource, {})})
        self._check_via_service(model, prefix, op.name, params, ctx, principal, context, pairs)

    def _check_via_service(self, model: ServiceModel, prefix: str, op: str, params: dict[str, Any],
                           ctx: RequestContext, principal: Principal, context: dict[str, Any],
                           pairs: list[tuple[str, str]]) -> None:
        """S3's and SQS's use of KMS keys as the caller, through the service (`via_service.py`)."""
        refuse: Callable[[str], ServiceError] | None = None
        if prefix == "s3":
            checks = s3_key_checks(self.platform, ctx, op, params)
        elif prefix == "sqs" and pairs:
            checks = sqs_key_checks(self.platform, op, pairs[0][1])
            refuse = partial(_sqs_refusal, ctx.request_id)
        else:
            return
        for check in checks:
            via = {**context, **kms_keys(principal, check, params), "kms:viaservice": f"{prefix}.{ctx.region}.amazonaws.com"}
            self._decide(model, principal, check.action, check.resource, via, grant_allows(principal, check), refuse)

    def _check_kms(self, model: ServiceModel, op: str, params: dict[str, Any], ctx: RequestContext,
                   principal: Principal, context: dict[str, Any]) -> None:
        """KMS: each key the call names, by its key policy, the caller's policies and the key's grants."""
        for check in kms_checks(self.platform, ctx, op, params):
            keys = {**context, **kms_keys(principal, check, params)}
            self._decide(model, principal, check.action, check.resource, keys, grant_allows(principal, check))
        for action, resource in passed_roles(params):
            self._decide(model, principal, action, resource, context)

    def _decide(self, model: ServiceModel, principal: Principal, action: str, resource: str,
                context: dict[str, Any], grant: Callable[[], bool] | None = None,
                refuse: Callable[[str], ServiceError] | None = None) -> None:
        decision = self.enforcer.decide(principal, action, resource, context, grant=grant)
        if not decision.allowed and self.enforcer.enforcing:
            message = denial_message(principal, action, resource, decision)
            raise refuse(message) if refuse is not None else access_denied(model, message)


def _sqs_refusal(request_id: str, message: str) -> ServiceError:
    return kms_access_denied(message, request_id)
