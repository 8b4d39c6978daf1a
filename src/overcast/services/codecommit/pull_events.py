"""`CodeCommit Pull Request State Change` events on the account's default bus
(https://docs.aws.amazon.com/codecommit/latest/userguide/monitoring-events.html#pullRequestCreated):
`pullRequestCreated`, `pullRequestSourceBranchUpdated`, `pullRequestStatusChanged` (closed) and
`pullRequestMergeStatusUpdated` (merged), recorded in the outbox in the caller's transaction."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from overcast import arns
from overcast.delivery import record
from overcast.platform import Platform
from overcast.services.codecommit.triggers import RETRY


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pull_request_event(platform: Platform, repo: dict[str, Any], pr: dict[str, Any], event: str,
                       caller: str) -> None:
    target = pr["pullRequestTargets"][0]
    merged = bool(target.get("mergeMetadata", {}).get("isMerged"))
    detail = {
        "author": pr["authorArn"], "callerUserArn": caller, "creationDate": _iso(pr["creationDate"]),
        "destinationCommit": target["destinationCommit"], "destinationReference": target["destinationReference"],
        "event": event, "isMerged": "True" if merged else "False",
        "lastModifiedDate": _iso(pr["lastActivityDate"]), "pullRequestId": pr["pullRequestId"],
        "pullRequestStatus": pr["pullRequestStatus"].capitalize(), "repositoryNames": [repo["repositoryName"]],
        "revisionId": pr["revisionId"], "sourceCommit": target["sourceCommit"],
        "sourceReference": target["sourceReference"], "title": pr["title"],
    }
    if merged and target["mergeMetadata"].get("mergeCommitId"):
        detail["mergeOption"] = target["mergeMetadata"].get("mergeOption")
    now = platform.clock.now()
    envelope = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "CodeCommit Pull Request State Change",
                "source": "aws.codecommit", "account": repo["accountId"], "time": _iso(now), "region": repo["region"],
                "resources": [repo["Arn"]], "detail": detail}
    bus = arns.build("events", repo["region"], repo["accountId"], "event-bus/default")
    record(platform, bus, json.dumps(envelope, separators=(",", ":")), retry=RETRY)
