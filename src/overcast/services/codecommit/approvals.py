"""Pull request approval rules
(https://docs.aws.amazon.com/codecommit/latest/userguide/how-to-create-pull-request-approval-rule.html):
the rule content's JSON (`Version` 2018-11-08, `Statements` of `Type` `Approvers` with
`NumberOfApprovalsNeeded` and optional `ApprovalPoolMembers`, ARN patterns with `*`), and whether
the approvals of a revision satisfy a rule."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from typing import Any

from overcast.services.codecommit.errors import error


def check_content(content: str) -> dict[str, Any]:
    """The parsed rule content, or InvalidApprovalRuleContentException."""
    try:
        parsed = json.loads(content)
        statements = parsed["Statements"]
        valid = isinstance(statements, list) and statements and all(
            s.get("Type") == "Approvers" and int(s.get("NumberOfApprovalsNeeded", 0)) >= 1 for s in statements)
    except (ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise error("InvalidApprovalRuleContentException", "The content for the approval rule is not valid.")
    return dict(parsed)


def content_sha(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def _member(user_arn: str, pool: list[str]) -> bool:
    """Whether the approver belongs to the pool (no pool: anyone). An assumed-role session also
    matches its role's pattern written as `arn:aws:sts::{account}:assumed-role/{role}/*`."""
    return not pool or any(fnmatch.fnmatchcase(user_arn, pattern) for pattern in pool)


def satisfied(content: str, approvers: list[str]) -> bool:
    """Whether the users who approved satisfy every statement of the rule."""
    parsed = json.loads(content)
    for statement in parsed.get("Statements") or []:
        pool = list(statement.get("ApprovalPoolMembers") or [])
        if sum(1 for arn in approvers if _member(arn, pool)) < int(statement.get("NumberOfApprovalsNeeded", 1)):
            return False
    return True


def applies_to(content: str, destination_reference: str) -> bool:
    """A rule (template) limited to `DestinationReferences` applies only to those branches."""
    references = json.loads(content).get("DestinationReferences") or []
    return not references or destination_reference in references
