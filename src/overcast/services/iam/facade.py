"""IAM for services that IAM itself depends on (STS, Lambda), reached as `platform.iam` so that no
import cycle forms between them: whose access key this is, and whether an execution role may read an
event source (docs/iam.md)."""

from __future__ import annotations

from typing import Any

from overcast.platform import Platform
from overcast.services.iam.inbox import KeyOwner, key_owner, poll_refusal


class IamFacade:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    def key_owner(self, access_key: str) -> KeyOwner | None:
        """The IAM user an access key belongs to (None for keys IAM did not issue)."""
        return key_owner(self.platform, access_key)

    def key_account(self, access_key: str) -> str | None:
        """The account of an IAM user's access key (its calls act in the user's account)."""
        owner = key_owner(self.platform, access_key)
        return owner.account if owner is not None else None

    def may_invoke_url(self, access_key: str, function_arn: str) -> bool:
        """Whether the signer of a request to a function URL with AuthType AWS_IAM may call it
        (`lambda:InvokeFunctionUrl`, with `lambda:FunctionUrlAuthType`); always under `report`/`off`."""
        if self.platform.config.iam == "off":
            return True
        from overcast.services.iam.enforcement import Enforcer

        enforcer = self.platform.component(Enforcer)
        account = access_key if len(access_key) == 12 and access_key.isdigit() else (
            self.key_account(access_key) or self.platform.config.default_account)
        principal = enforcer.principals.of_key(access_key or "test", account)
        decision = enforcer.decide(principal, "lambda:InvokeFunctionUrl", function_arn,
                                   {"lambda:functionurlauthtype": "AWS_IAM"})
        return decision.allowed or not enforcer.enforcing

    def poll_refusal(self, role_arn: str, function_name: str, source_arn: str) -> str | None:
        """Lambda's refusal of a mapping whose execution role may not read its source (`--iam
        enforce`); None otherwise."""
        if self.platform.config.iam == "off":
            return None
        return poll_refusal(self.platform, role_arn, function_name, source_arn)

    def check_as_role(self, role_arn: str, session: str, model: Any, op: Any, params: dict[str, Any],
                      ctx: Any) -> None:
        """Raise the service's AccessDenied (under `--iam enforce`) when a session of `role_arn` may
        not make this call: a call the platform makes in process with a role a service was given
        (a state machine's task with its `roleArn`, a stack with its service role). Under `report`
        the denial is only recorded; under `off` nothing is evaluated."""
        if self.platform.config.iam == "off":
            return
        from overcast.services.iam.guard import Guard

        guard = self.platform.component(Guard)
        guard.check(model, op, params, ctx, guard.enforcer.role(role_arn, session))

    def delivery_refusal(self, target_arn: str, auth: dict[str, str]) -> str | None:
        """AWS's denial message when the delivery `auth` describes (`delivery.as_service(...)`,
        `delivery.as_role(...)` or `delivery.as_account(...)`) may not reach `target_arn` under `--iam enforce`; None when it may,
        when IAM only reports (the denial is recorded) or is off. For checks a service makes when a
        target is configured (a load balancer's RegisterTargets) rather than when it delivers."""
        if self.platform.config.iam == "off":
            return None
        from overcast.services.iam.deliveries import authorize_delivery

        return authorize_delivery(self.platform, target_arn, auth)

    def check_as_key(self, access_key: str, model: Any, op: Any, params: dict[str, Any], ctx: Any) -> None:
        """Raise the service's AccessDenied (under `--iam enforce`) when the principal of
        `access_key` may not make this call, made in process on its behalf (a stack without a
        service role acts with its caller's permissions); a key IAM and STS do not know is the
        account's root user, as for a request."""
        if self.platform.config.iam == "off":
            return
        from overcast.services.iam.guard import Guard

        guard = self.platform.component(Guard)
        guard.check(model, op, params, ctx, guard.enforcer.principals.of_key(access_key or "test", ctx.account))

    def refusal_as_key(self, access_key: str, account: str, action: str, resource: str,
                       context: dict[str, str] | None = None) -> str | None:
        """AWS's denial message when the principal of `access_key` may not perform `action` on
        `resource` (an action a call needs besides its own, as DynamoDB's
        EnableKinesisStreamingDestination needs `kinesis:PutRecords` on the stream), under
        `--iam enforce`; None when it may, or IAM only reports (the denial is recorded) or is off."""
        if self.platform.config.iam == "off":
            return None
        from overcast.authz.evaluation import denial_message
        from overcast.services.iam.enforcement import Enforcer

        enforcer = self.platform.component(Enforcer)
        principal = enforcer.principals.of_key(access_key or "test", account)
        decision = enforcer.decide(principal, action, resource, context or {})
        if decision.allowed or not enforcer.enforcing:
            return None
        return denial_message(principal, action, resource, decision)

    def service_may_assume(self, service: str, role_arn: str) -> bool:
        """Whether `role_arn`'s trust policy lets AWS service `service` (`states.amazonaws.com`)
        assume it; always under `report` (the denial is recorded) or `off`."""
        if self.platform.config.iam == "off":
            return True
        from overcast.authz.evaluation import SERVICE, Principal
        from overcast.services.iam.enforcement import Enforcer

        enforcer = self.platform.component(Enforcer)
        decision = enforcer.decide(Principal(service, "", SERVICE), "sts:AssumeRole", role_arn, {})
        return decision.allowed or not enforcer.enforcing

    def refusal_as_role(self, role_arn: str, session: str, action: str, resource: str) -> str | None:
        """AWS's denial message when a session of `role_arn` may not perform `action` on `resource`
        under `--iam enforce`; None when it may, or IAM only reports or is off."""
        if self.platform.config.iam == "off":
            return None
        from overcast.services.iam.deliveries import authorize_role

        return authorize_role(self.platform, role_arn, session, resource, action)
