"""What Lambda checks in a resource-based policy before it keeps it
(https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html):

- **Size.** A function's policy (per function, version or alias) is at most 20 KB
  (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); AddPermission or
  PutResourcePolicy that would make it larger fails with `PolicyLengthExceededException`, naming
  the size the policy would have had.
- **Public access.** With the account's BlockPublicAccess setting on, a policy that would grant
  public access fails with `PublicPolicyException`. A statement grants public access when it
  allows anyone (`"*"`, `{"AWS": "*"}`) and no condition pins the caller to fixed values of a key
  that names an account, organization or source (the definition AWS Config's
  `lambda-function-public-access-prohibited` rule and IAM Access Analyzer use). overcast's
  accounts have the setting off unless `OVERCAST_LAMBDA_BLOCK_PUBLIC_ACCESS=1` (AWS's API has no
  operation to change it).
"""

from __future__ import annotations

import json
from typing import Any

from overcast.services.lambda_.catalogue import error

POLICY_LIMIT = 20_480

#: condition keys that, with fixed values, restrict who can use the grant (compared lower-case)
_RESTRICTING = frozenset({
    "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:principalorgid", "aws:principalaccount",
    "aws:principalarn", "aws:sourcevpc", "aws:sourcevpce", "aws:userid", "aws:principalorgpaths",
    "lambda:eventsourcetoken",
})


def check(policy: dict[str, Any], *, block_public: bool) -> None:
    """Raise AWS's error when Lambda would refuse to keep `policy`."""
    size = len(json.dumps(policy, separators=(",", ":")).encode())
    if size > POLICY_LIMIT:
        raise error("policy_too_large", size=size, limit=POLICY_LIMIT)
    if block_public and any(is_public(statement) for statement in policy.get("Statement") or []):
        raise error("policy_public")


def is_public(statement: dict[str, Any]) -> bool:
    """Whether an Allow statement grants access to anyone."""
    if statement.get("Effect") != "Allow" or not _anyone(statement.get("Principal")):
        return False
    for values in (statement.get("Condition") or {}).values():
        for key, value in (values or {}).items():
            fixed = all(isinstance(v, str) and "*" not in v and "?" not in v and "${" not in v
                        for v in (value if isinstance(value, list) else [value]))
            if key.lower() in _RESTRICTING and fixed:
                return False
    return True


def _anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False
