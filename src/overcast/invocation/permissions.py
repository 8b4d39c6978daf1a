"""Whether a function's resource-based policy lets an AWS service principal invoke it — what
Lambda checks before a service that has no role of its own calls a function (Lex V2's code hooks,
Alexa skills): a statement that allows `lambda:InvokeFunction` (or `lambda:*`) to the principal,
whose conditions (`AWS:SourceArn`, `AWS:SourceAccount`, `lambda:EventSourceToken`) hold.
https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from overcast.platform import Platform
from overcast.services.lambda_.errors import LambdaError
from overcast.services.lambda_.models import FunctionStore
from overcast.services.lambda_.names import parse_function


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _principal_matches(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    # overcast's AddPermission records a principal outside `*.amazonaws.com` (alexa-appkit.amazon.com)
    # under "AWS"; AWS writes it under "Service": either is the service here
    return isinstance(principal, dict) and (service in _listed(principal.get("Service"))
                                            or bool({"*", service} & set(_listed(principal.get("AWS")))))


def _conditions_hold(condition: dict[str, Any], facts: dict[str, str]) -> bool:
    for operator, tests in (condition or {}).items():
        for key, expected in tests.items():
            actual = next((v for k, v in facts.items() if k.lower() == key.lower()), None)
            if actual is None:
                return False
            wildcard = operator in ("ArnLike", "StringLike")
            if not any(fnmatchcase(actual, e) if wildcard else actual == e for e in _listed(expected)):
                return False
    return True


def service_may_invoke(platform: Platform, function: str, account: str, region: str, principal: str,
                       facts: dict[str, str]) -> bool:
    """Whether `principal` (a service principal) may invoke `function` (a name or ARN, maybe
    qualified) in the context `facts` (condition keys: `AWS:SourceArn`, `AWS:SourceAccount`,
    `lambda:EventSourceToken`). A missing function may not be invoked."""
    try:
        ref = parse_function(function, account, region)
        policy = platform.component(FunctionStore).policy(ref)
    except LambdaError:
        return False
    for statement in (policy or {}).get("Statement", []):
        actions = _listed(statement.get("Action"))
        if statement.get("Effect") != "Allow" or not any(a in ("lambda:InvokeFunction", "lambda:*", "*")
                                                           for a in actions):
            continue
        if _principal_matches(statement.get("Principal"), principal) and _conditions_hold(
                statement.get("Condition") or {}, facts):
            return True
    return False
