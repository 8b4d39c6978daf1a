"""Pull request approvals: Create/Update/DeletePullRequestApprovalRule,
UpdatePullRequestApprovalState, GetPullRequestApprovalStates, EvaluatePullRequestApprovalRules,
OverridePullRequestApprovalRules, GetPullRequestOverrideState. Approvals belong to a revision (a
new source commit starts over); the author cannot approve their own pull request."""

from __future__ import annotations

import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.services.codecommit.api_pulls import PullRequestOperations
from overcast.services.codecommit.approvals import check_content, content_sha, satisfied
from overcast.services.codecommit.errors import error

#: CodeCommit's quota of approval rules on one pull request.
MAX_RULES = 25


class ApprovalOperations(PullRequestOperations):
    def _open(self, ctx: RequestContext, pull_request_id: str) -> dict[str, Any]:
        pr = self._current(ctx, pull_request_id)
        if pr["pullRequestStatus"] == "CLOSED":
            raise error("PullRequestAlreadyClosedException", "The pull request status cannot be updated because it "
                        "is already closed.")
        return pr

    def _revision(self, pr: dict[str, Any], revision_id: str | None) -> None:
        if not revision_id:
            raise error("RevisionIdRequiredException", "A revision ID is required, but was not provided.")
        if revision_id != pr["revisionId"]:
            raise error("RevisionNotCurrentException", "The revision ID provided in the request does not match the "
                        "current revision ID. Use GetPullRequest to retrieve the current revision ID.")

    def _rule(self, pr: dict[str, Any], name: str) -> dict[str, Any]:
        rule = next((r for r in pr["approvalRules"] if r["approvalRuleName"] == name), None)
        if rule is None:
            raise error("ApprovalRuleDoesNotExistException", f"The specified approval rule does not exist: {name}")
        return rule

    def create_pull_request_approval_rule(self, ctx: RequestContext, pull_request_id: str, approval_rule_name: str,
                                          approval_rule_content: str) -> dict[str, Any]:
        pr = self._open(ctx, pull_request_id)
        check_content(approval_rule_content)
        if any(r["approvalRuleName"] == approval_rule_name for r in pr["approvalRules"]):
            raise error("ApprovalRuleNameAlreadyExistsException", "An approval rule with that name already exists. "
                        "Approval rule names must be unique within the scope of a pull request.")
        if len(pr["approvalRules"]) >= MAX_RULES:
            raise error("NumberOfRulesExceededException", "The approval rule cannot be added. The pull request has "
                        "the maximum number of approval rules associated with it.")
        now = self.platform.clock.now()
        rule = {"approvalRuleId": str(uuid.uuid4()), "approvalRuleName": approval_rule_name,
                "approvalRuleContent": approval_rule_content, "ruleContentSha256": content_sha(approval_rule_content),
                "lastModifiedDate": now, "creationDate": now, "lastModifiedUser": self.caller(ctx)}
        pr["approvalRules"].append(rule)
        self.pulls.save(ctx.account, ctx.region, pr)
        return {"approvalRule": rule}

    def update_pull_request_approval_rule_content(self, ctx: RequestContext, pull_request_id: str,
                                                  approval_rule_name: str, new_rule_content: str,
                                                  existing_rule_content_sha256: str | None = None) -> dict[str, Any]:
        pr = self._open(ctx, pull_request_id)
        rule = self._rule(pr, approval_rule_name)
        check_content(new_rule_content)
        if existing_rule_content_sha256 and existing_rule_content_sha256 != rule["ruleContentSha256"]:
            raise error("InvalidRuleContentSha256Exception", "The SHA-256 hash signature for the rule content is not "
                        "valid.")
        rule.update(approvalRuleContent=new_rule_content, ruleContentSha256=content_sha(new_rule_content),
                    lastModifiedDate=self.platform.clock.now(), lastModifiedUser=self.caller(ctx))
        self.pulls.save(ctx.account, ctx.region, pr)
        return {"approvalRule": rule}

    def delete_pull_request_approval_rule(self, ctx: RequestContext, pull_request_id: str,
                                          approval_rule_name: str) -> dict[str, Any]:
        pr = self._open(ctx, pull_request_id)
        rule = next((r for r in pr["approvalRules"] if r["approvalRuleName"] == approval_rule_name), None)
        if rule is None:
            return {"approvalRuleId": ""}  # AWS: deleting a rule that does not exist succeeds
        pr["approvalRules"] = [r for r in pr["approvalRules"] if r is not rule]
        self.pulls.save(ctx.account, ctx.region, pr)
        return {"approvalRuleId": rule["approvalRuleId"]}

    def update_pull_request_approval_state(self, ctx: RequestContext, pull_request_id: str, revision_id: str,
                                           approval_state: str) -> dict[str, Any]:
        pr = self._open(ctx, pull_request_id)
        self._revision(pr, revision_id)
        if approval_state not in ("APPROVE", "REVOKE"):
            raise error("InvalidApprovalStateException", "The state for the approval is not valid. Valid values "
                        "include APPROVE and REVOKE.")
        if self.caller(ctx) == pr["authorArn"]:
            raise error("PullRequestCannotBeApprovedByAuthorException", "The user who created the pull request "
                        "cannot approve it.")
        approvals = dict(pr.get("_approvals") or {})
        if approval_state == "APPROVE":
            approvals[self.caller(ctx)] = "APPROVE"
        else:
            approvals.pop(self.caller(ctx), None)
        pr["_approvals"] = approvals
        self.pulls.save(ctx.account, ctx.region, pr)
        return {}

    def get_pull_request_approval_states(self, ctx: RequestContext, pull_request_id: str,
                                         revision_id: str) -> dict[str, Any]:
        pr = self._current(ctx, pull_request_id)
        self._revision(pr, revision_id)
        return {"approvals": [{"userArn": arn, "approvalState": state}
                              for arn, state in (pr.get("_approvals") or {}).items()]}

    def evaluate_pull_request_approval_rules(self, ctx: RequestContext, pull_request_id: str,
                                             revision_id: str) -> dict[str, Any]:
        pr = self._current(ctx, pull_request_id)
        self._revision(pr, revision_id)
        approvers = [arn for arn, state in (pr.get("_approvals") or {}).items() if state == "APPROVE"]
        met = [r["approvalRuleName"] for r in pr["approvalRules"] if satisfied(r["approvalRuleContent"], approvers)]
        unmet = [r["approvalRuleName"] for r in pr["approvalRules"] if r["approvalRuleName"] not in met]
        overridden = bool((pr.get("_override") or {}).get("overridden"))
        return {"evaluation": {"revisionId": pr["revisionId"], "approved": not unmet, "overridden": overridden,
                               "approvalRulesSatisfied": met, "approvalRulesNotSatisfied": unmet}}

    def override_pull_request_approval_rules(self, ctx: RequestContext, pull_request_id: str, revision_id: str,
                                             override_status: str) -> dict[str, Any]:
        pr = self._open(ctx, pull_request_id)
        self._revision(pr, revision_id)
        current = bool((pr.get("_override") or {}).get("overridden"))
        if override_status not in ("OVERRIDE", "REVOKE"):
            raise error("InvalidOverrideStatusException", "The override status is not valid. Valid statuses are "
                        "OVERRIDE and REVOKE.")
        if (override_status == "OVERRIDE") == current:
            raise error("OverrideAlreadySetException", "The pull request has already had its approval rules set to "
                        "override.")
        pr["_override"] = ({"overridden": True, "overrider": self.caller(ctx)} if override_status == "OVERRIDE"
                           else None)
        self.pulls.save(ctx.account, ctx.region, pr)
        return {}

    def get_pull_request_override_state(self, ctx: RequestContext, pull_request_id: str,
                                        revision_id: str) -> dict[str, Any]:
        pr = self._current(ctx, pull_request_id)
        self._revision(pr, revision_id)
        state = pr.get("_override") or {}
        out: dict[str, Any] = {"overridden": bool(state.get("overridden"))}
        if state.get("overrider"):
            out["overrider"] = state["overrider"]
        return out
