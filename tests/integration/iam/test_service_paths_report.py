"""`--iam report` on the platform's own paths: a state machine's task, a pipe, a stack and a
Cognito trigger run as they would without IAM, and each would-be denial is listed."""

from __future__ import annotations

import json
import uuid

from overcast.testing import OvercastServer, wait_until
from tests.integration.iam.conftest import Account, doc, report
from tests.integration.iam.test_stepfunctions_role import STATES_TRUST, _execute


def test_report_mode_lists_the_service_paths_denials():
    with OvercastServer(env={"OVERCAST_IAM": "report"}) as server:
        account = Account(server)
        role = account.root("iam").create_role(RoleName="sfn", AssumeRolePolicyDocument=json.dumps(STATES_TRUST))
        url = account.root("sqs").create_queue(QueueName="out")["QueueUrl"]
        queue = f"arn:aws:sqs:us-east-1:{account.id}:out"
        states = {"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
                           "Parameters": {"QueueUrl": url, "MessageBody": "hi"}}}
        described, _ = _execute(account, role["Role"]["Arn"], states)
        assert described["status"] == "SUCCEEDED"  # only reported
        (denial,) = [d for d in report(server) if d["resource"] == queue]
        assert denial["principal"].startswith(f"arn:aws:sts::{account.id}:assumed-role/sfn/")
        assert denial["mode"] == "report" and denial["action"] == "sqs:SendMessage"
        assert denial["grant"] == {"identity_policy_of": role["Role"]["Arn"], "statement": {
            "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue}}

        key = account.user("dev", policy=doc({"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"}))
        cfn = account.as_keys("cloudformation", key)
        template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}}}
        cfn.create_stack(StackName="s", TemplateBody=json.dumps(template))
        wait_until(lambda: cfn.describe_stacks(StackName="s")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE", 60,
                   "the stack")
        assert any(d["principal"] == f"arn:aws:iam::{account.id}:user/dev" and d["action"] == "sns:CreateTopic"
                   for d in report(server))

        pipe_role = account.root("iam").create_role(RoleName=f"p-{uuid.uuid4().hex[:6]}", AssumeRolePolicyDocument=
                                                    json.dumps(STATES_TRUST))["Role"]["Arn"]
        source = account.root("sqs").create_queue(QueueName="src")["QueueUrl"]
        pipes = account.root("pipes")
        pipes.create_pipe(Name="p", Source=f"arn:aws:sqs:us-east-1:{account.id}:src", Target=queue, RoleArn=pipe_role)
        wait_until(lambda: pipes.describe_pipe(Name="p")["CurrentState"] == "RUNNING", 30, "the pipe running")
        account.root("sqs").send_message(QueueUrl=source, MessageBody="piped")
        wait_until(lambda: any(m["Body"] != "hi" for m in account.root("sqs").receive_message(
            QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])), 30, "the piped message")
        actions = {d["action"] for d in report(server) if d["principal"].endswith("/p")}
        assert {"sqs:ReceiveMessage", "sqs:SendMessage"} <= actions
