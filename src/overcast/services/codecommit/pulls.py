"""Pull requests' state: one JSON document per pull request (numbered per account and region, as
CodeCommit numbers them), brought up to date with its branches when read: a new source commit makes
a new revision (approvals start over), and a source already in the destination closes the pull
request as merged, as CodeCommit does."""

from __future__ import annotations

import json
import uuid
from typing import Any

from dulwich.repo import Repo

from overcast.services.codecommit.errors import error
from overcast.services.codecommit.gitstore import branches, resolve
from overcast.services.codecommit.merging import fast_forwardable, merge_base

PUBLIC = ("pullRequestId", "title", "description", "lastActivityDate", "creationDate", "pullRequestStatus",
          "authorArn", "pullRequestTargets", "clientRequestToken", "revisionId", "approvalRules")


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in PUBLIC if k in doc}


def new_revision() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex[:32]


class PullRequests:
    """`platform.component(PullRequests)`."""

    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self.db = platform.db

    def next_id(self, account: str, region: str) -> int:
        value = self.db.scalar("SELECT MAX(id) FROM codecommit_pull_requests WHERE account=? AND region=?",
                               (account, region))
        return int(value or 0) + 1

    def get(self, account: str, region: str, pull_request_id: str | None) -> dict[str, Any]:
        if not pull_request_id:
            raise error("PullRequestIdRequiredException", "A pull request ID is required.")
        if not str(pull_request_id).isdigit():
            raise error("InvalidPullRequestIdException", "The pull request ID is not valid. Make sure that you have "
                        "provided the full ID and that the pull request is in the specified repository, and then try "
                        "again.")
        row = self.db.query_one("SELECT doc FROM codecommit_pull_requests WHERE account=? AND region=? AND id=?",
                                (account, region, int(pull_request_id)))
        if row is None:
            raise error("PullRequestDoesNotExistException", f"The pull request ID could not be found: "
                        f"{pull_request_id}")
        return dict(json.loads(row["doc"]))

    def save(self, account: str, region: str, doc: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO codecommit_pull_requests(account, region, id, repository, status, doc) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (account, region, int(doc["pullRequestId"]), doc["pullRequestTargets"][0]["repositoryName"],
                         doc["pullRequestStatus"], json.dumps(doc)))

    def ids(self, account: str, region: str, repository: str, status: str | None) -> list[str]:
        rows = self.db.query("SELECT id, doc FROM codecommit_pull_requests WHERE account=? AND region=? AND "
                             "repository=? AND (status=? OR ? IS NULL) ORDER BY id DESC",
                             (account, region, repository, status, status))
        return [str(r["id"]) for r in rows]

    def author_of(self, account: str, region: str, pull_request_id: str) -> str:
        return str(self.get(account, region, pull_request_id)["authorArn"])


def refresh(repo: Repo, doc: dict[str, Any], now: float) -> list[str]:
    """Bring an open pull request's target up to date with its branches; the events of what
    changed (`pullRequestSourceBranchUpdated`, `pullRequestMergeStatusUpdated`, or a silent
    `updated` when only the destination moved)."""
    if doc["pullRequestStatus"] != "OPEN":
        return []
    target = doc["pullRequestTargets"][0]
    heads = branches(repo)
    source_branch = target["sourceReference"].removeprefix("refs/heads/")
    destination_branch = target["destinationReference"].removeprefix("refs/heads/")
    if source_branch not in heads or destination_branch not in heads:
        return []
    source, destination = resolve(repo, heads[source_branch], None), resolve(repo, heads[destination_branch], None)
    events: list[str] = []
    if source.id.decode() != target["sourceCommit"]:
        target["sourceCommit"] = source.id.decode()
        doc["revisionId"] = new_revision()
        doc["_approvals"] = {}
        doc["_override"] = None
        events.append("pullRequestSourceBranchUpdated")
    if destination.id.decode() != target["destinationCommit"]:
        target["destinationCommit"] = destination.id.decode()
        events.append("updated")
    base = merge_base(repo, source, destination)
    target["mergeBase"] = base.id.decode() if base else ""
    if source.id != destination.id and fast_forwardable(repo, destination, source):
        # the source is already in the destination: merged by other means
        target["mergeMetadata"] = {"isMerged": True, "mergeOption": "FAST_FORWARD_MERGE"}
        doc["pullRequestStatus"] = "CLOSED"
        events.append("pullRequestMergeStatusUpdated")
    if events:
        doc["lastActivityDate"] = now
    return events
