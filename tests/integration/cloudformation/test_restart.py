"""A server killed (SIGKILL) in the middle of a stack operation: after the restart the stack reaches
a consistent final status, reported in its events, and no resource is left behind."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import botocore.exceptions

from overcast.testing import OvercastServer, wait_until
from tests.integration.cloudformation.helpers import body, check, events, physical, unique, wait

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
# Records the request and never answers: the custom resource keeps the operation in progress
SILENT = """
import json, os
def handler(event, context):
    with open(os.environ["RECORD"], "a") as out:
        out.write(json.dumps(event) + "\\n")
"""


def template(record: Path, with_custom: bool, timeout: int = 30) -> dict:
    resources = {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": timeout}},
        "Handler": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE, "Code": {"ZipFile": SILENT},
            "Environment": {"Variables": {"RECORD": str(record)}}}},
    }
    if with_custom:
        resources["Stuck"] = {"Type": "Custom::Stuck", "DependsOn": "Queue", "Properties": {
            "ServiceToken": {"Fn::GetAtt": ["Handler", "Arn"]}, "ServiceTimeout": 3600}}
    return {"Resources": resources}


def _in_background(call) -> threading.Thread:  # the call may die with the server: that is the point
    def run() -> None:
        try:
            call()
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _wait_for_request(record: Path, count: int) -> None:
    wait_until(lambda: record.exists() and len(record.read_text().splitlines()) >= count, 30,
               "the custom resource's function invoked")


def test_sigkill_during_create_and_update(tmp_path):
    record = tmp_path / "requests.jsonl"
    with OvercastServer(tmp_path / "server", time_scale=0.01) as server:
        cf = server.client("cloudformation")
        sqs = server.client("sqs")

        # a create interrupted mid-way is rolled back after the restart
        name = unique("crash")
        _in_background(lambda: cf.create_stack(StackName=name, TemplateBody=body(template(record, True))))
        _wait_for_request(record, 1)
        assert cf.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "CREATE_IN_PROGRESS"
        queue_url = physical(cf, name)["Queue"]
        server.restart(crash=True)
        cf = server.client("cloudformation")
        stack = check(cf, wait(cf, name), "ROLLBACK_COMPLETE")
        assert stack["StackStatusReason"] == "overcast restarted while the operation was in progress"
        trail = events(cf, name)
        assert (name, "ROLLBACK_IN_PROGRESS", "overcast restarted while the operation was in progress") in trail
        assert ("Queue", "DELETE_COMPLETE", "") in trail
        try:
            server.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
            raise AssertionError("the queue should have been deleted by the rollback")
        except botocore.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] in ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue")

        # an update interrupted mid-way is rolled back to the previous template
        name = unique("crash")
        first = template(record, False, timeout=30)
        check(cf, wait(cf, cf.create_stack(StackName=name, TemplateBody=body(first))["StackId"]))
        url = physical(cf, name)["Queue"]
        requests_before = len(record.read_text().splitlines())
        changed = template(record, True, timeout=77)
        _in_background(lambda: server.client("cloudformation").update_stack(StackName=name,
                                                                           TemplateBody=body(changed)))
        _wait_for_request(record, requests_before + 1)
        sqs = server.client("sqs")
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
            "VisibilityTimeout": "77"}
        server.restart(crash=True)
        cf = server.client("cloudformation")
        check(cf, wait(cf, name), "UPDATE_ROLLBACK_COMPLETE")
        assert physical(cf, name) == {"Queue": url, "Handler": physical(cf, name)["Handler"]}
        sqs = server.client("sqs")
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
            "VisibilityTimeout": "30"}
        assert json.loads(json.dumps(cf.get_template(StackName=name)["TemplateBody"])) == first
