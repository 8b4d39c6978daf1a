"""`git clone` and `git push` with the real git binary against a repository's clone URL on
overcast, and the repository's triggers (Lambda asynchronously, SNS) and EventBridge events that a
push or an API commit runs, with AWS's event shapes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from overcast.testing import create_function, wait_until

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the git binary is not installed")

RECORDER = """
import json, os, boto3
sqs = boto3.client("sqs")

def handler(event, context):
    sqs.send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(event))
"""


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "HOME": str(cwd.parent), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com", "GIT_COMMITTER_NAME": "Ann",
           "GIT_COMMITTER_EMAIL": "ann@example.com"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _messages(sqs: Any, url: str, want: int) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []

    def enough() -> bool:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            got.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return len(got) >= want

    wait_until(enough, 90, f"{want} messages")
    return got


@pytest.fixture
def queue(overcast_server):
    sqs = overcast_server.client("sqs")
    url = sqs.create_queue(QueueName=f"cc-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs, url, arn


def test_git_push_runs_the_trigger_function(overcast_server, queue, tmp_path):
    sqs, url, _ = queue
    cc, lam = overcast_server.client("codecommit"), overcast_server.client("lambda")
    name = f"repo-{uuid.uuid4().hex[:10]}"
    meta = cc.create_repository(repositoryName=name)["repositoryMetadata"]
    fn = create_function(lam, RECORDER, Timeout=60, Environment={"Variables": {"OUT": url}})
    fn_arn = lam.get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
    config = cc.put_repository_triggers(repositoryName=name, triggers=[
        {"name": "on-main", "destinationArn": fn_arn, "customData": "hello", "branches": ["main"],
         "events": ["all"]},
        {"name": "on-other", "destinationArn": fn_arn, "branches": ["other"], "events": ["all"]},
    ])["configurationId"]
    assert cc.get_repository_triggers(repositoryName=name)["triggers"][0]["customData"] == "hello"

    work = tmp_path / "work"
    work.mkdir()
    _git(work, "clone", meta["cloneUrlHttp"], "repo")
    repo = work / "repo"
    (repo / "app.py").write_text("print('hi')\n")
    _git(repo, "checkout", "-b", "main")
    _git(repo, "add", "app.py")
    _git(repo, "commit", "-m", "first")
    _git(repo, "push", "origin", "main")
    head = _git(repo, "rev-parse", "HEAD").strip()

    [event] = _messages(sqs, url, 1)
    [record] = event["Records"]
    assert record["eventSource"] == "aws:codecommit" and record["eventName"] == "ReferenceChanges"
    assert record["codecommit"]["references"] == [{"commit": head, "ref": "refs/heads/main", "created": True}]
    assert record["eventTriggerName"] == "on-main" and record["customData"] == "hello"
    assert record["eventSourceARN"] == meta["Arn"] and record["eventTriggerConfigId"] == config
    assert record["awsRegion"] == "us-east-1"

    # what was pushed is visible through the API, and the first branch became the default one
    assert cc.get_file(repositoryName=name, filePath="app.py")["fileContent"] == b"print('hi')\n"
    assert cc.get_repository(repositoryName=name)["repositoryMetadata"]["defaultBranch"] == "main"
    # an API commit is a change of reference too: an update this time
    put = cc.put_file(repositoryName=name, branchName="main", fileContent=b"v2\n", filePath="app.py",
                      parentCommitId=head)
    [event] = _messages(sqs, url, 1)
    assert event["Records"][0]["codecommit"]["references"] == [{"commit": put["commitId"], "ref": "refs/heads/main"}]
    # and a fresh clone gets it, by the URL without a region too
    _git(work, "clone", meta["cloneUrlHttp"].replace("/us-east-1/v1/", "/v1/"), "again")
    assert (work / "again" / "app.py").read_text() == "v2\n"

    # a push of a new branch, then its deletion: only the trigger on that branch hears of them
    again = work / "again"
    _git(again, "push", "origin", "main:other")
    [created] = _messages(sqs, url, 1)
    assert created["Records"][0]["eventTriggerName"] == "on-other"
    assert created["Records"][0]["codecommit"]["references"] == [
        {"commit": put["commitId"], "ref": "refs/heads/other", "created": True}]
    _git(again, "push", "origin", "--delete", "other")
    [deleted] = _messages(sqs, url, 1)
    assert deleted["Records"][0]["codecommit"]["references"] == [
        {"commit": put["commitId"], "ref": "refs/heads/other", "deleted": True}]
    assert cc.list_branches(repositoryName=name)["branches"] == ["main"]
    # a tag is no branch: no trigger hears of it (it reaches EventBridge only)
    _git(again, "tag", "v1")
    _git(again, "push", "origin", "v1")
    _git(again, "push", "origin", "main:other")
    [after_tag] = _messages(sqs, url, 1)
    assert [r["ref"] for r in after_tag["Records"][0]["codecommit"]["references"]] == ["refs/heads/other"]


def test_sns_trigger_eventbridge_and_test_triggers(overcast_server, queue):
    sqs, url, queue_arn = queue
    cc, sns, events = (overcast_server.client(s) for s in ("codecommit", "sns", "events"))
    name = f"repo-{uuid.uuid4().hex[:10]}"
    meta = cc.create_repository(repositoryName=name)["repositoryMetadata"]
    topic = sns.create_topic(Name=f"cc-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    rule = f"cc-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["aws.codecommit"], "resources": [meta["Arn"]]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn}])
    cc.put_repository_triggers(repositoryName=name, triggers=[
        {"name": "created-only", "destinationArn": topic, "events": ["createReference"]}])

    first = cc.put_file(repositoryName=name, branchName="main", fileContent=b"a", filePath="a.txt")
    got = _messages(sqs, url, 2)
    trigger = next(m for m in got if "Records" in m)["Records"][0]
    assert trigger["codecommit"]["references"] == [
        {"commit": first["commitId"], "ref": "refs/heads/main", "created": True}]
    change = next(m for m in got if "detail-type" in m)
    assert change["detail-type"] == "CodeCommit Repository State Change" and change["source"] == "aws.codecommit"
    assert change["detail"]["event"] == "referenceCreated" and change["detail"]["commitId"] == first["commitId"]
    assert change["detail"]["referenceName"] == "main" and change["detail"]["repositoryName"] == name

    # an update matches no trigger event here: only EventBridge hears of it
    second = cc.put_file(repositoryName=name, branchName="main", fileContent=b"b", filePath="a.txt",
                         parentCommitId=first["commitId"])
    [only] = _messages(sqs, url, 1)
    assert only["detail"]["event"] == "referenceUpdated" and only["detail"]["oldCommitId"] == first["commitId"]
    assert only["detail"]["commitId"] == second["commitId"]

    tested = cc.test_repository_triggers(repositoryName=name, triggers=[
        {"name": "t", "destinationArn": topic, "events": ["all"]},
        {"name": "gone", "destinationArn": topic + "-missing", "events": ["all"]}])
    assert tested["successfulExecutions"] == ["t"]
    assert [f["trigger"] for f in tested["failedExecutions"]] == ["gone"]
    [test_event] = _messages(sqs, url, 1)
    assert test_event["Records"][0]["eventName"] == "TriggerEventTest"

    # a branch created and deleted through the API
    cc.create_branch(repositoryName=name, branchName="gone", commitId=second["commitId"])
    cc.delete_branch(repositoryName=name, branchName="gone")
    got = _messages(sqs, url, 3)  # the created-only trigger, and EventBridge's created and deleted
    kinds = sorted(m["detail"]["event"] for m in got if "detail" in m)
    assert kinds == ["referenceCreated", "referenceDeleted"]
    assert [m["Records"][0]["codecommit"]["references"][0]["ref"] for m in got if "Records" in m] == [
        "refs/heads/gone"]


def test_clone_of_a_missing_repository_fails(overcast_server, tmp_path):
    url = f"{overcast_server.url}/_aws/codecommit/us-east-1/v1/repos/missing-{uuid.uuid4().hex[:8]}"
    done = subprocess.run(["git", "clone", url, "x"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    assert done.returncode != 0 and "not found" in done.stderr


@pytest.mark.parametrize(("trigger", "code"), [
    ({"name": "t", "destinationArn": "arn:aws:sqs:us-east-1:000000000000:q", "events": ["all"]},
     "InvalidRepositoryTriggerDestinationArnException"),
    ({"name": "t", "destinationArn": "arn:aws:sns:eu-west-1:000000000000:t", "events": ["all"]},
     "InvalidRepositoryTriggerRegionException"),
    ({"name": "t", "destinationArn": "arn:aws:sns:us-east-1:000000000000:t", "events": ["all", "createReference"]},
     "InvalidRepositoryTriggerEventsException"),
    ({"name": "t", "destinationArn": "arn:aws:sns:us-east-1:000000000000:t", "events": ["push"]},
     "InvalidRepositoryTriggerEventsException"),
    ({"name": "", "destinationArn": "arn:aws:sns:us-east-1:000000000000:t", "events": ["all"]},
     "RepositoryTriggerNameRequiredException"),
])
def test_trigger_validation(overcast_server, trigger, code):
    cc = overcast_server.client("codecommit", validate=False)
    name = f"repo-{uuid.uuid4().hex[:10]}"
    cc.create_repository(repositoryName=name)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.put_repository_triggers(repositoryName=name, triggers=[trigger])
    assert info.value.response["Error"]["Code"] == code
