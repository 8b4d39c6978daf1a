"""`--iam enforce`: a stack creates its resources with its caller's permissions, or with its service
role (`RoleARN`) when it has one; a refused call fails the resource with the service's message
and `HandlerErrorCode: AccessDenied`, as on AWS."""

from __future__ import annotations

import json

from overcast.testing import wait_until
from tests.integration.iam.conftest import allow, doc

TEMPLATE = json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "stacked"}}}})
CFN_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"},
                 "Action": "sts:AssumeRole"})


def _settled(cfn, name: str) -> dict:
    return wait_until(lambda: next((s for s in cfn.describe_stacks(StackName=name)["Stacks"]
                                    if not s["StackStatus"].endswith("_IN_PROGRESS")), None), 60, f"stack {name}")


def _queue_reason(cfn, name: str) -> str:
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    return next(e["ResourceStatusReason"] for e in events
                if e["LogicalResourceId"] == "Queue" and e["ResourceStatus"] == "CREATE_FAILED")


def test_a_stack_acts_with_its_callers_permissions_or_its_role(account):
    key = account.user("deployer", policy=doc(allow("cloudformation:*"), allow("iam:PassRole")))
    cfn = account.as_keys("cloudformation", key)
    cfn.create_stack(StackName="as-caller", TemplateBody=TEMPLATE)
    assert _settled(cfn, "as-caller")["StackStatus"] == "ROLLBACK_COMPLETE"
    queue = f"arn:aws:sqs:us-east-1:{account.id}:stacked"
    reason = _queue_reason(cfn, "as-caller")
    assert (f"User: arn:aws:iam::{account.id}:user/deployer is not authorized to perform: sqs:CreateQueue on "
            f"resource: {queue} because no identity-based policy allows the sqs:CreateQueue action") in reason
    assert "(HandlerErrorCode: AccessDenied)" in reason

    iam = account.root("iam")
    role = iam.create_role(RoleName="stack-role", AssumeRolePolicyDocument=json.dumps(CFN_TRUST))["Role"]["Arn"]
    cfn.create_stack(StackName="as-role", TemplateBody=TEMPLATE, RoleARN=role)
    assert _settled(cfn, "as-role")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert (f"User: arn:aws:sts::{account.id}:assumed-role/stack-role/AWSCloudFormation is not authorized to "
            f"perform: sqs:CreateQueue") in _queue_reason(cfn, "as-role")

    iam.put_role_policy(RoleName="stack-role", PolicyName="queues", PolicyDocument=json.dumps(doc(allow("sqs:*"))))
    cfn.create_stack(StackName="granted", TemplateBody=TEMPLATE, RoleARN=role)
    stack = _settled(cfn, "granted")
    assert (stack["StackStatus"], stack["RoleARN"]) == ("CREATE_COMPLETE", role)
    assert account.root("sqs").get_queue_url(QueueName="stacked")["QueueUrl"]
    cfn.delete_stack(StackName="granted")  # the stack keeps its role: deleting is the role's too
    wait_until(lambda: not account.root("sqs").list_queues().get("QueueUrls"), 60, "the queue deleted")


def test_handing_a_stack_a_role_needs_pass_role(account):
    from tests.integration.iam.conftest import refused

    iam = account.root("iam")
    role = iam.create_role(RoleName="stack-role-2", AssumeRolePolicyDocument=json.dumps(CFN_TRUST))["Role"]["Arn"]
    key = account.user("no-pass", policy=doc(allow("cloudformation:*")))
    cfn = account.as_keys("cloudformation", key)
    code, message, status = refused(cfn.create_stack, StackName="passing", TemplateBody=TEMPLATE, RoleARN=role)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{account.id}:user/no-pass is not authorized to perform: iam:PassRole on "
                       f"resource: {role} because no identity-based policy allows the iam:PassRole action")
    iam.put_user_policy(UserName="no-pass", PolicyName="pass", PolicyDocument=json.dumps(doc(allow(
        "iam:PassRole", role, Condition={"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}))))
    assert cfn.create_stack(StackName="passing", TemplateBody=TEMPLATE, RoleARN=role)["StackId"]


def test_a_stack_role_must_trust_cloudformation(account):
    from tests.integration.iam.conftest import refused

    trusts_lambda = doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                         "Action": "sts:AssumeRole"})
    role = account.root("iam").create_role(RoleName="not-for-stacks",
                                           AssumeRolePolicyDocument=json.dumps(trusts_lambda))["Role"]["Arn"]
    code, message, status = refused(account.root("cloudformation").create_stack, StackName="untrusting",
                                    TemplateBody=TEMPLATE, RoleARN=role)
    assert (code, message, status) == ("ValidationError", f"Role {role} is invalid or cannot be assumed", 400)
