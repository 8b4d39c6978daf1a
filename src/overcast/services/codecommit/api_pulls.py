"""Pull requests: Create, Get, List, UpdatePullRequestTitle/Description/Status, and merging one
(MergePullRequestByFastForward/BySquash/ByThreeWay) once its approval rules are satisfied or
overridden (https://docs.aws.amazon.com/codecommit/latest/userguide/pull-requests.html)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.codecommit.api_merges import MergeOperations
from overcast.services.codecommit.approvals import satisfied
from overcast.services.codecommit.errors import error, page
from overcast.services.codecommit.gitstore import branches, resolve
from overcast.services.codecommit.merging import merge_base
from overcast.services.codecommit.pull_events import pull_request_event
from overcast.services.codecommit.pulls import PullRequests, new_revision, public, refresh
from overcast.services.codecommit.triggers import RefChange


def _reference(value: str | None) -> str:
    """A branch reference as CodeCommit keeps it (`refs/heads/{branch}`)."""
    if not value:
        raise error("ReferenceNameRequiredException", "A reference name is required.")
    if value.startswith("refs/") and not value.startswith("refs/heads/"):
        raise error("ReferenceTypeNotSupportedException", "The specified reference is not a supported type.")
    return value if value.startswith("refs/heads/") else f"refs/heads/{value}"


class PullRequestOperations(MergeOperations):
    @property
    def pulls(self) -> PullRequests:
        return self.platform.component(PullRequests)

    def _current(self, ctx: RequestContext, pull_request_id: str | None) -> dict[str, Any]:
        """The pull request, brought up to date with its branches."""
        doc = self.pulls.get(ctx.account, ctx.region, pull_request_id)
        repository = self._repo(ctx, doc["pullRequestTargets"][0]["repositoryName"])
        events = refresh(self.store.repo(repository), doc, self.platform.clock.now())
        if events:
            self._save(ctx, repository, doc, [e for e in events if e != "updated"])
        return doc

    def _save(self, ctx: RequestContext, repository: dict[str, Any], doc: dict[str, Any], events: list[str]) -> None:
        """Store the pull request and record its state-change events, in one transaction."""
        with self.platform.db.tx():
            self.pulls.save(ctx.account, ctx.region, doc)
            for event in events:
                pull_request_event(self.platform, repository, doc, event, self.caller(ctx))

    def create_pull_request(self, ctx: RequestContext, title: str, targets: list[dict[str, Any]],
                            description: str | None = None, client_request_token: str | None = None,
                            **_: Any) -> dict[str, Any]:
        if not title:
            raise error("TitleRequiredException", "A pull request title is required. It cannot be empty or null.")
        if not targets:
            raise error("TargetsRequiredException", "An array of target objects is required. It cannot be empty "
                        "or null.")
        if len(targets) > 1:
            raise error("MultipleRepositoriesInPullRequestException", "You cannot include more than one repository "
                        "in a pull request. Make sure you have specified only one repository name in your request, "
                        "and then try again.")
        if client_request_token:
            for pr_id in self._all_ids(ctx):
                existing = self.pulls.get(ctx.account, ctx.region, pr_id)
                if existing.get("clientRequestToken") == client_request_token:
                    if existing["title"] != title:
                        raise error("IdempotencyParameterMismatchException", "The client request token is not "
                                    "valid. Either the token is not in a valid format, or the token has been used "
                                    "in a previous request and cannot be reused.")
                    return {"pullRequest": public(existing)}
        target = targets[0]
        doc = self._repo(ctx, target.get("repositoryName"))
        repo = self.store.repo(doc)
        heads = branches(repo)
        source_ref = _reference(target.get("sourceReference"))
        destination_ref = _reference(target.get("destinationReference") or doc.get("defaultBranch"))
        for ref in (source_ref, destination_ref):
            if ref.removeprefix("refs/heads/") not in heads:
                raise error("ReferenceDoesNotExistException", f"The specified reference does not exist: {ref}")
        if source_ref == destination_ref:
            raise error("SourceAndDestinationAreSameException", "The source branch and destination branch for the "
                        "pull request are the same. You must specify different branches for the source and "
                        "destination.")
        source = resolve(repo, source_ref.removeprefix("refs/heads/"), None)
        destination = resolve(repo, destination_ref.removeprefix("refs/heads/"), None)
        base = merge_base(repo, source, destination)
        now = self.platform.clock.now()
        pr: dict[str, Any] = {
            "pullRequestId": str(self.pulls.next_id(ctx.account, ctx.region)), "title": title,
            "lastActivityDate": now, "creationDate": now, "pullRequestStatus": "OPEN", "authorArn": self.caller(ctx),
            "pullRequestTargets": [{
                "repositoryName": doc["repositoryName"], "sourceReference": source_ref,
                "destinationReference": destination_ref, "destinationCommit": destination.id.decode(),
                "sourceCommit": source.id.decode(), "mergeBase": base.id.decode() if base else "",
                "mergeMetadata": {"isMerged": False}}],
            "revisionId": new_revision(), "approvalRules": [], "_approvals": {}, "_override": None,
        }
        if description:
            pr["description"] = description
        if client_request_token:
            pr["clientRequestToken"] = client_request_token
        self._save(ctx, doc, pr, ["pullRequestCreated"])
        return {"pullRequest": public(pr)}

    def _all_ids(self, ctx: RequestContext) -> list[str]:
        rows = self.platform.db.query("SELECT id FROM codecommit_pull_requests WHERE account=? AND region=?",
                                      (ctx.account, ctx.region))
        return [str(r["id"]) for r in rows]

    def get_pull_request(self, ctx: RequestContext, pull_request_id: str) -> dict[str, Any]:
        return {"pullRequest": public(self._current(ctx, pull_request_id))}

    def list_pull_requests(self, ctx: RequestContext, repository_name: str, author_arn: str | None = None,
                           pull_request_status: str | None = None, next_token: str | None = None,
                           max_results: int | None = None) -> dict[str, Any]:
        self._repo(ctx, repository_name)
        ids = self.pulls.ids(ctx.account, ctx.region, repository_name, pull_request_status)
        if author_arn:
            ids = [i for i in ids if self.pulls.author_of(ctx.account, ctx.region, i) == author_arn]
        chunk, following = page(ids, next_token, max_results or 100)
        out: dict[str, Any] = {"pullRequestIds": chunk}
        if following:
            out["nextToken"] = following
        return out

    def _update(self, ctx: RequestContext, pull_request_id: str, **changes: Any) -> dict[str, Any]:
        doc = self._current(ctx, pull_request_id)
        if doc["pullRequestStatus"] == "CLOSED":
            raise error("PullRequestAlreadyClosedException", "The pull request status cannot be updated because it "
                        "is already closed.")
        doc.update(changes, lastActivityDate=self.platform.clock.now())
        repository = self._repo(ctx, doc["pullRequestTargets"][0]["repositoryName"])
        self._save(ctx, repository, doc, ["pullRequestStatusChanged"] if changes.get("pullRequestStatus") else [])
        return {"pullRequest": public(doc)}

    def update_pull_request_title(self, ctx: RequestContext, pull_request_id: str, title: str) -> dict[str, Any]:
        if not title:
            raise error("TitleRequiredException", "A pull request title is required. It cannot be empty or null.")
        return self._update(ctx, pull_request_id, title=title)

    def update_pull_request_description(self, ctx: RequestContext, pull_request_id: str,
                                        description: str) -> dict[str, Any]:
        return self._update(ctx, pull_request_id, description=description)

    def update_pull_request_status(self, ctx: RequestContext, pull_request_id: str,
                                   pull_request_status: str) -> dict[str, Any]:
        if pull_request_status != "CLOSED":
            raise error("InvalidPullRequestStatusUpdateException", "The pull request status update is not valid. "
                        "The only valid update is from OPEN to CLOSED.")
        return self._update(ctx, pull_request_id, pullRequestStatus="CLOSED")

    # -- merging -----------------------------------------------------------------------------------

    def _merge_pull_request(self, ctx: RequestContext, option: str, pull_request_id: str, repository_name: str,
                            source_commit_id: str | None, strategy: str | None, message: str | None,
                            name: str | None, email: str | None) -> dict[str, Any]:
        pr = self._current(ctx, pull_request_id)
        target = pr["pullRequestTargets"][0]
        if target["repositoryName"] != repository_name:
            raise error("RepositoryNotAssociatedWithPullRequestException", "The repository does not contain any "
                        "pull requests with that pull request ID. Use GetPullRequest to verify the correct "
                        "repository name for the pull request ID.")
        if pr["pullRequestStatus"] == "CLOSED":
            raise error("PullRequestAlreadyClosedException", "The pull request status cannot be updated because it "
                        "is already closed.")
        if source_commit_id and source_commit_id != target["sourceCommit"]:
            raise error("TipOfSourceReferenceIsDifferentException", "The tip of the source branch in the destination "
                        "repository does not match the tip of the source branch specified in your request. The pull "
                        "request might have been updated. Make sure that you have the latest changes.")
        if not self.approval_satisfied(pr):
            raise error("PullRequestApprovalRulesNotSatisfiedException", "The pull request cannot be merged because "
                        "one or more approval rules applied to the pull request have conditions that have not been "
                        "met.")
        doc = self._repo(ctx, repository_name)
        destination_branch = target["destinationReference"].removeprefix("refs/heads/")
        with self.store.lock(doc["repositoryId"]):
            repo = self.store.repo(doc)
            source = resolve(repo, target["sourceCommit"], None)
            destination = resolve(repo, branches(repo)[destination_branch], None)
            new = self.merged_commit(repo, source, destination, option, strategy, message, name, email)
            if new.id != destination.id:
                self._move(ctx, doc, [RefChange(target["destinationReference"], destination.id.decode(),
                                                new.id.decode())])
        target["mergeMetadata"] = {"isMerged": True, "mergedBy": self.caller(ctx), "mergeCommitId": new.id.decode(),
                                   "mergeOption": option}
        pr.update(pullRequestStatus="CLOSED", lastActivityDate=self.platform.clock.now())
        self._save(ctx, doc, pr, ["pullRequestMergeStatusUpdated"])
        return {"pullRequest": public(pr)}

    def approval_satisfied(self, pr: dict[str, Any]) -> bool:
        if (pr.get("_override") or {}).get("overridden"):
            return True
        approvers = [arn for arn, state in (pr.get("_approvals") or {}).items() if state == "APPROVE"]
        return all(satisfied(rule["approvalRuleContent"], approvers) for rule in pr.get("approvalRules") or [])

    def merge_pull_request_by_fast_forward(self, ctx: RequestContext, pull_request_id: str, repository_name: str,
                                           source_commit_id: str | None = None) -> dict[str, Any]:
        return self._merge_pull_request(ctx, "FAST_FORWARD_MERGE", pull_request_id, repository_name,
                                        source_commit_id, None, None, None, None)

    def merge_pull_request_by_squash(self, ctx: RequestContext, pull_request_id: str, repository_name: str,
                                     source_commit_id: str | None = None,
                                     conflict_resolution_strategy: str | None = None,
                                     commit_message: str | None = None, author_name: str | None = None,
                                     email: str | None = None, **_: Any) -> dict[str, Any]:
        return self._merge_pull_request(ctx, "SQUASH_MERGE", pull_request_id, repository_name, source_commit_id,
                                        conflict_resolution_strategy, commit_message, author_name, email)

    def merge_pull_request_by_three_way(self, ctx: RequestContext, pull_request_id: str, repository_name: str,
                                        source_commit_id: str | None = None,
                                        conflict_resolution_strategy: str | None = None,
                                        commit_message: str | None = None, author_name: str | None = None,
                                        email: str | None = None, **_: Any) -> dict[str, Any]:
        return self._merge_pull_request(ctx, "THREE_WAY_MERGE", pull_request_id, repository_name, source_commit_id,
                                        conflict_resolution_strategy, commit_message, author_name, email)
