"""Repository triggers and CodeCommit's EventBridge events.

A change of references (a `git push`, or an API commit, branch creation or deletion) records, in
the caller's transaction, one delivery per matching trigger — an asynchronous Lambda invocation or
an SNS publish, through the outbox (docs/delivery.md) — and one `CodeCommit Repository State
Change` event per reference on the default event bus. The rules are AWS's:
https://docs.aws.amazon.com/codecommit/latest/userguide/how-to-notify.html and
https://docs.aws.amazon.com/codecommit/latest/userguide/monitoring-events.html
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from overcast import arns
from overcast.delivery import RetryPolicy, as_account, as_service, record
from overcast.services.codecommit.errors import error

if TYPE_CHECKING:
    from overcast.platform import Platform

EVENTS = ("all", "updateReference", "createReference", "deleteReference")
MAX_TRIGGERS = 10
MAX_BRANCHES = 100
RETRY = RetryPolicy(max_attempts=10, max_age=3600, first=1.0, cap=60.0)


@dataclass(frozen=True)
class RefChange:
    """One reference moved: `old` None when created, `new` None when deleted."""

    ref: str
    old: str | None
    new: str | None

    @property
    def kind(self) -> str:
        return "createReference" if self.old is None else "deleteReference" if self.new is None else "updateReference"

    @property
    def is_branch(self) -> bool:
        return self.ref.startswith("refs/heads/")

    @property
    def branch(self) -> str:
        """The branch's (or tag's) short name."""
        return self.ref.removeprefix("refs/heads/").removeprefix("refs/tags/")


def validate(triggers: list[dict[str, Any]] | None, region: str) -> list[dict[str, Any]]:
    """AWS's checks of a trigger list (PutRepositoryTriggers, TestRepositoryTriggers)."""
    if triggers is None:
        raise error("RepositoryTriggersListRequiredException", "The list of triggers for the repository is required "
                    "but was not specified.")
    if len(triggers) > MAX_TRIGGERS:
        raise error("MaximumRepositoryTriggersExceededException",
                    f"The number of triggers allowed for the repository was exceeded. The maximum is {MAX_TRIGGERS}.")
    for trigger in triggers:
        if not trigger.get("name"):
            raise error("RepositoryTriggerNameRequiredException", "A name for the trigger is required, but was not "
                        "specified.")
        arn = trigger.get("destinationArn")
        if not arn:
            raise error("RepositoryTriggerDestinationArnRequiredException", "A destination ARN for the target service "
                        "for the trigger is required, but was not specified.")
        try:
            parsed = arns.parse(arn)
        except ValueError:
            parsed = None
        if parsed is None or parsed.service not in ("sns", "lambda"):
            raise error("InvalidRepositoryTriggerDestinationArnException", "The Amazon Resource Name (ARN) for the "
                        "trigger is not valid for the specified destination. The most common reason for this error "
                        "is that the ARN does not meet the requirements for the service type.")
        if parsed.region != region:
            raise error("InvalidRepositoryTriggerRegionException", "The AWS Region for the trigger target does not "
                        "match the AWS Region for the repository. Triggers must be created in the same AWS Region "
                        "as the target for the trigger.")
        if len(trigger.get("branches") or []) > MAX_BRANCHES:
            raise error("MaximumBranchesExceededException", "The number of branches for the trigger was exceeded.")
        events = trigger.get("events")
        if not events:
            raise error("RepositoryTriggerEventsListRequiredException", "At least one event for the trigger is "
                        "required, but was not specified.")
        if any(e not in EVENTS for e in events) or ("all" in events and len(events) > 1):
            raise error("InvalidRepositoryTriggerEventsException", "One or more events specified for the trigger "
                        "is not valid. Check to make sure that all events specified match the requirements for "
                        "allowed events.")
    return triggers


def _matches(trigger: dict[str, Any], change: RefChange) -> bool:
    """Triggers hear of branches only; EventBridge of tags too."""
    if not change.is_branch:
        return False
    events = trigger.get("events") or []
    wanted = "all" in events or change.kind in events
    branches = trigger.get("branches") or []
    return wanted and (not branches or change.branch in branches)


def _reference(change: RefChange) -> dict[str, Any]:
    ref: dict[str, Any] = {"commit": change.new or change.old, "ref": change.ref}
    if change.kind == "createReference":
        ref["created"] = True
    elif change.kind == "deleteReference":
        ref["deleted"] = True
    return ref


def lambda_event(repo: dict[str, Any], trigger: dict[str, Any], references: list[dict[str, Any]], *,
                 event_name: str, user_arn: str, now: float) -> dict[str, Any]:
    """The event CodeCommit sends a trigger's function (and topic):
    https://docs.aws.amazon.com/codecommit/latest/userguide/how-to-notify-lambda.html"""
    when = datetime.fromtimestamp(now, UTC)
    return {"Records": [{
        "awsRegion": repo["region"],
        "codecommit": {"references": references},
        "customData": trigger.get("customData") or None,
        "eventId": str(uuid.uuid4()),
        "eventName": event_name,
        "eventPartNumber": 1,
        "eventSource": "aws:codecommit",
        "eventSourceARN": repo["Arn"],
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000",
        "eventTotalParts": 1,
        "eventTriggerConfigId": repo.get("configurationId") or "",
        "eventTriggerName": trigger["name"],
        "eventVersion": "1.0",
        "userIdentityARN": user_arn,
    }]}


def send(platform: Platform, repo: dict[str, Any], trigger: dict[str, Any], event: dict[str, Any]) -> None:
    """Record one delivery of a trigger's event to its function or topic."""
    arn = trigger["destinationArn"]
    options: dict[str, Any] = {}
    if arns.parse(arn).service == "sns":
        options["Subject"] = f"UPDATE: AWS CodeCommit {repo['region']} push: {repo['repositoryName']}"
    record(platform, arn, json.dumps(event, separators=(",", ":")), options=options, retry=RETRY,
           on_behalf=sender(platform, repo, arn))


def sender(platform: Platform, repo: dict[str, Any], arn: str) -> dict[str, str] | None:
    """How CodeCommit delivers a trigger's event, for IAM (docs/iam.md): a function's policy must allow
    `codecommit.amazonaws.com` for the repository; a topic of the repository's account is published to
    with the account's authority (its default policy allows it), another account's as CodeCommit
    ([AWS](https://docs.aws.amazon.com/codecommit/latest/userguide/how-to-notify-lambda.html))."""
    if platform.config.iam == "off":
        return None
    if arns.parse(arn).service == "sns" and arn.split(":")[4:5] == [repo["accountId"]]:
        return as_account(repo["accountId"], repo["Arn"])
    return as_service("codecommit.amazonaws.com", repo["Arn"], repo["accountId"])


def fire(platform: Platform, repo: dict[str, Any], changes: list[RefChange], user_arn: str) -> None:
    """The deliveries of one change of references: triggers, then EventBridge."""
    now = platform.clock.now()
    for trigger in repo.get("triggers") or []:
        references = [_reference(c) for c in changes if _matches(trigger, c)]
        if references:
            send(platform, repo, trigger, lambda_event(repo, trigger, references, event_name="ReferenceChanges",
                                                       user_arn=user_arn, now=now))
    bus = arns.build("events", repo["region"], repo["accountId"], "event-bus/default")
    for change in changes:
        record(platform, bus, json.dumps(state_change(repo, change, user_arn, now), separators=(",", ":")),
               retry=RETRY)


def state_change(repo: dict[str, Any], change: RefChange, user_arn: str, now: float) -> dict[str, Any]:
    """`CodeCommit Repository State Change` on the default bus."""
    detail: dict[str, Any] = {
        "callerUserArn": user_arn,
        "event": {"createReference": "referenceCreated", "updateReference": "referenceUpdated",
                  "deleteReference": "referenceDeleted"}[change.kind],
        "referenceFullName": change.ref,
        "referenceName": change.branch,
        "referenceType": "branch" if change.is_branch else "tag",
        "repositoryId": repo["repositoryId"],
        "repositoryName": repo["repositoryName"],
    }
    if change.new:
        detail["commitId"] = change.new
    if change.old:
        detail["oldCommitId"] = change.old
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "CodeCommit Repository State Change",
        "source": "aws.codecommit", "account": repo["accountId"],
        "time": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": repo["region"],
        "resources": [repo["Arn"]], "detail": detail,
    }
