"""Lambda for the rest of overcast, without HTTP: what other services ask of a function before
they send it events.

- `allows_service(platform, function_arn, service)`: the function exists and its resource policy
  lets the AWS service principal (`logs` for `logs.amazonaws.com` or `logs.<region>.amazonaws.com`)
  invoke it — what CloudWatch Logs checks when a subscription filter names a function.
- `function_exists(platform, function_arn)`: the function (version, alias) exists — what SES
  checks of a receipt rule's Lambda action.
"""

from __future__ import annotations

from typing import Any

from overcast import arns
from overcast.platform import Platform
from overcast.services.lambda_.errors import LambdaError
from overcast.services.lambda_.models import FunctionStore
from overcast.services.lambda_.names import parse_function

INVOKE_ACTIONS = ("lambda:InvokeFunction", "lambda:*", "*")


def function_exists(platform: Platform, function_arn: str) -> bool:
    try:
        parsed = arns.parse(function_arn)
        return platform.component(FunctionStore).exists(parse_function(function_arn, parsed.account, parsed.region))
    except (LambdaError, ValueError):
        return False


def allows_service(platform: Platform, function_arn: str, service: str) -> bool:
    try:
        parsed = arns.parse(function_arn)
        ref = parse_function(function_arn, parsed.account, parsed.region)
        functions = platform.component(FunctionStore)
        if not functions.exists(ref):
            return False
        policy = functions.policy(ref) or {}
    except (LambdaError, ValueError):
        return False
    return any(_allows(statement, service) for statement in policy.get("Statement", []))


def _allows(statement: dict[str, Any], service: str) -> bool:
    principal = statement.get("Principal")
    named = principal.get("Service") if isinstance(principal, dict) else principal
    principals = named if isinstance(named, list) else [named]
    actions = statement.get("Action")
    actions = actions if isinstance(actions, list) else [actions]
    return statement.get("Effect", "Allow") == "Allow" and any(
        p == "*" or (isinstance(p, str) and p.startswith(f"{service}.") and p.endswith(".amazonaws.com"))
        for p in principals) and any(a in INVOKE_ACTIONS for a in actions)


def resource_policy(platform: Platform, function_arn: str) -> dict[str, Any] | None:
    """The resource policy of a function (or of the version or alias the ARN names), for IAM
    evaluation (docs/iam.md); None when there is none or no such function."""
    try:
        parsed = arns.parse(function_arn)
        ref = parse_function(function_arn, parsed.account, parsed.region)
        functions = platform.component(FunctionStore)
        return functions.policy(ref) if functions.exists(ref) else None
    except (LambdaError, ValueError):
        return None


def resource_arn(function_name: str, account: str, region: str, qualifier: str | None) -> str:
    """The ARN IAM checks for a FunctionName parameter (qualified when the call names a version or
    alias, as on AWS); the name as given when it is not a valid one (the operation refuses it)."""
    try:
        return parse_function(function_name, account, region, qualifier).qualified_arn()
    except LambdaError:
        return f"arn:aws:lambda:{region}:{account}:function:{function_name}"
