"""CodeCommit merges beyond fast-forward (squash, three-way, conflicts and their resolution
strategies) and pull requests with approval rules, through boto3. Approvers are STS role sessions
(the author cannot approve their own pull request)."""

from __future__ import annotations

import json
import uuid

import botocore.exceptions
import pytest

from overcast.testing import wait_until

RULE = json.dumps({"Version": "2018-11-08", "Statements": [{
    "Type": "Approvers", "NumberOfApprovalsNeeded": 1,
    "ApprovalPoolMembers": ["arn:aws:sts::000000000000:assumed-role/Reviewer/*"]}]})


def _code(info) -> str:
    return str(info.value.response["Error"]["Code"])


def _repo(cc) -> str:
    """A repository with `main` (a.txt, b.txt) and `feature` changing b.txt, while `main` changes a.txt."""
    name = f"repo-{uuid.uuid4().hex[:10]}"
    cc.create_repository(repositoryName=name)
    first = cc.create_commit(repositoryName=name, branchName="main", putFiles=[
        {"filePath": "a.txt", "fileContent": b"a1\n"}, {"filePath": "b.txt", "fileContent": b"b1\n"}])["commitId"]
    cc.create_branch(repositoryName=name, branchName="feature", commitId=first)
    cc.put_file(repositoryName=name, branchName="feature", filePath="b.txt", fileContent=b"b2\n",
                parentCommitId=first)
    cc.put_file(repositoryName=name, branchName="main", filePath="a.txt", fileContent=b"a2\n", parentCommitId=first)
    return name


def _content(cc, name: str, path: str, ref: str = "main") -> bytes:
    return cc.get_file(repositoryName=name, filePath=path, commitSpecifier=ref)["fileContent"]


def test_three_way_and_squash_merges(overcast_server):
    cc = overcast_server.client("codecommit")
    name = _repo(cc)
    options = cc.get_merge_options(repositoryName=name, sourceCommitSpecifier="feature",
                                   destinationCommitSpecifier="main")
    assert options["mergeOptions"] == ["SQUASH_MERGE", "THREE_WAY_MERGE"] and options["baseCommitId"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.merge_branches_by_fast_forward(repositoryName=name, sourceCommitSpecifier="feature",
                                          destinationCommitSpecifier="main")
    assert _code(info) == "ManualMergeRequiredException"
    main_before = cc.get_branch(repositoryName=name, branchName="main")["branch"]["commitId"]
    merged = cc.merge_branches_by_three_way(repositoryName=name, sourceCommitSpecifier="feature",
                                            destinationCommitSpecifier="main", commitMessage="merge feature")
    commit = cc.get_commit(repositoryName=name, commitId=merged["commitId"])["commit"]
    destination_parent, feature = commit["parents"]
    assert destination_parent == main_before
    assert commit["message"] == "merge feature"
    assert cc.get_branch(repositoryName=name, branchName="feature")["branch"]["commitId"] == feature
    assert _content(cc, name, "a.txt") == b"a2\n" and _content(cc, name, "b.txt") == b"b2\n"

    other = _repo(cc)
    squashed = cc.merge_branches_by_squash(repositoryName=other, sourceCommitSpecifier="feature",
                                           destinationCommitSpecifier="main")
    assert len(cc.get_commit(repositoryName=other, commitId=squashed["commitId"])["commit"]["parents"]) == 1
    assert _content(cc, other, "b.txt") == b"b2\n"


def test_conflicts_and_resolution_strategies(overcast_server):
    cc = overcast_server.client("codecommit")
    name = _repo(cc)
    main = cc.get_branch(repositoryName=name, branchName="main")["branch"]["commitId"]
    cc.put_file(repositoryName=name, branchName="main", filePath="b.txt", fileContent=b"b-main\n",
                parentCommitId=main)
    conflicts = cc.get_merge_conflicts(repositoryName=name, sourceCommitSpecifier="feature",
                                       destinationCommitSpecifier="main", mergeOption="THREE_WAY_MERGE")
    assert conflicts["mergeable"] is False
    assert [c["filePath"] for c in conflicts["conflictMetadataList"]] == ["b.txt"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.merge_branches_by_three_way(repositoryName=name, sourceCommitSpecifier="feature",
                                       destinationCommitSpecifier="main")
    assert _code(info) == "ManualMergeRequiredException"
    cc.merge_branches_by_squash(repositoryName=name, sourceCommitSpecifier="feature",
                                destinationCommitSpecifier="main", conflictResolutionStrategy="ACCEPT_SOURCE")
    assert _content(cc, name, "b.txt") == b"b2\n" and _content(cc, name, "a.txt") == b"a2\n"


def test_pull_request_with_an_approval_rule(overcast_server):
    cc = overcast_server.client("codecommit")
    sts = overcast_server.client("sts")
    name = _repo(cc)
    pr = cc.create_pull_request(title="Feature", description="b2", targets=[
        {"repositoryName": name, "sourceReference": "feature", "destinationReference": "main"}])["pullRequest"]
    pr_id = pr["pullRequestId"]
    target = pr["pullRequestTargets"][0]
    assert pr["pullRequestStatus"] == "OPEN" and pr_id.isdigit()
    assert target["sourceReference"] == "refs/heads/feature" and target["mergeMetadata"] == {"isMerged": False}
    assert pr_id in cc.list_pull_requests(repositoryName=name, pullRequestStatus="OPEN")["pullRequestIds"]
    cc.create_pull_request_approval_rule(pullRequestId=pr_id, approvalRuleName="one-reviewer",
                                         approvalRuleContent=RULE)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.merge_pull_request_by_three_way(pullRequestId=pr_id, repositoryName=name)
    assert _code(info) == "PullRequestApprovalRulesNotSatisfiedException"
    revision = cc.get_pull_request(pullRequestId=pr_id)["pullRequest"]["revisionId"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.update_pull_request_approval_state(pullRequestId=pr_id, revisionId=revision, approvalState="APPROVE")
    assert _code(info) == "PullRequestCannotBeApprovedByAuthorException"

    creds = sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/Reviewer", RoleSessionName="ana")["Credentials"]
    reviewer = overcast_server.client("codecommit", aws_access_key_id=creds["AccessKeyId"],
                                      aws_secret_access_key=creds["SecretAccessKey"],
                                      aws_session_token=creds["SessionToken"])
    reviewer.update_pull_request_approval_state(pullRequestId=pr_id, revisionId=revision, approvalState="APPROVE")
    evaluation = cc.evaluate_pull_request_approval_rules(pullRequestId=pr_id, revisionId=revision)["evaluation"]
    assert evaluation["approved"] is True and evaluation["approvalRulesSatisfied"] == ["one-reviewer"]
    merged = cc.merge_pull_request_by_three_way(pullRequestId=pr_id, repositoryName=name)["pullRequest"]
    metadata = merged["pullRequestTargets"][0]["mergeMetadata"]
    assert merged["pullRequestStatus"] == "CLOSED"
    assert metadata["isMerged"] is True and metadata["mergeOption"] == "THREE_WAY_MERGE"
    assert _content(cc, name, "b.txt") == b"b2\n"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.merge_pull_request_by_three_way(pullRequestId=pr_id, repositoryName=name)
    assert _code(info) == "PullRequestAlreadyClosedException"


def test_a_new_source_commit_starts_a_new_revision(overcast_server):
    cc = overcast_server.client("codecommit")
    name = _repo(cc)
    pr = cc.create_pull_request(title="t", targets=[{"repositoryName": name, "sourceReference": "feature"}])[
        "pullRequest"]
    assert pr["pullRequestTargets"][0]["destinationReference"] == "refs/heads/main"  # the default branch
    head = cc.get_branch(repositoryName=name, branchName="feature")["branch"]["commitId"]
    cc.put_file(repositoryName=name, branchName="feature", filePath="c.txt", fileContent=b"c\n",
                parentCommitId=head)
    again = cc.get_pull_request(pullRequestId=pr["pullRequestId"])["pullRequest"]
    assert again["revisionId"] != pr["revisionId"]
    assert again["pullRequestTargets"][0]["sourceCommit"] != head
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.create_pull_request(title="t", targets=[{"repositoryName": name, "sourceReference": "main",
                                                    "destinationReference": "main"}])
    assert _code(info) == "SourceAndDestinationAreSameException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.get_pull_request(pullRequestId="999999")
    assert _code(info) == "PullRequestDoesNotExistException"


def test_pull_request_events_on_eventbridge(overcast_server):
    cc, events, sqs = (overcast_server.client(n) for n in ("codecommit", "events", "sqs"))
    name = _repo(cc)
    queue = sqs.create_queue(QueueName=f"pr-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"pr-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventPattern=json.dumps({
        "source": ["aws.codecommit"], "detail-type": ["CodeCommit Pull Request State Change"],
        "detail": {"repositoryNames": [name]}}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn}])
    pr = cc.create_pull_request(title="t", targets=[{"repositoryName": name, "sourceReference": "feature"}])[
        "pullRequest"]
    cc.update_pull_request_status(pullRequestId=pr["pullRequestId"], pullRequestStatus="CLOSED")
    seen: list[dict] = []

    def both():
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            seen.append(json.loads(message["Body"])["detail"])
        return {d["event"] for d in seen} >= {"pullRequestCreated", "pullRequestStatusChanged"}

    wait_until(both, 60, "the pull request's events")
    closed = next(d for d in seen if d["event"] == "pullRequestStatusChanged")
    assert closed["pullRequestStatus"] == "Closed" and closed["isMerged"] == "False"
    assert closed["pullRequestId"] == pr["pullRequestId"] and closed["sourceReference"] == "refs/heads/feature"
