"""`--iam enforce`: a request that hands a role to a service. Lambda's CreateFunction and
UpdateFunctionConfiguration need the execution role to exist and trust `lambda.amazonaws.com`
(else `InvalidParameterValueException` "The role defined for the function cannot be assumed by
Lambda.") and the caller to be allowed `iam:PassRole` on it; CloudFormation's `RoleARN` needs
`iam:PassRole` once, with `iam:PassedToService` = `cloudformation.amazonaws.com`."""

from __future__ import annotations

import json
import uuid
from typing import Any

from overcast.testing.lambdas import wait_settled, zip_handler
from tests.integration.iam.conftest import allow, doc, refused

LAMBDA_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
STATES_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"})
CANNOT_ASSUME = ("InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.",
                 400)
CODE = {"ZipFile": zip_handler("def handler(event, context):\n    return 1\n")}


def _role(account, name: str, trust: dict) -> str:
    arn: str = account.root("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    return arn


def _create(lam, name: str, role: str) -> dict:
    created: dict = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                        Handler="handler.handler", Code=CODE, Timeout=60)
    return created


def test_create_function_needs_a_role_lambda_may_assume(account):
    lam = account.root("lambda")
    name = f"fn-{uuid.uuid4().hex[:8]}"
    missing = account.arn("role/not-there")
    assert refused(_create, lam=lam, name=name, role=missing) == CANNOT_ASSUME
    for_states = _role(account, f"{name}-states", STATES_TRUST)
    assert refused(_create, lam=lam, name=name, role=for_states) == CANNOT_ASSUME
    assert lam.list_functions()["Functions"] == []  # nothing created

    for_lambda = _role(account, f"{name}-lambda", LAMBDA_TRUST)
    assert _create(lam, name, for_lambda)["Role"] == for_lambda
    wait_settled(lam, name)

    code, message, status = refused(lam.update_function_configuration, FunctionName=name, Role=for_states)
    assert (code, message, status) == CANNOT_ASSUME
    assert lam.get_function_configuration(FunctionName=name)["Role"] == for_lambda
    account.root("iam").update_assume_role_policy(RoleName=f"{name}-states",
                                                  PolicyDocument=json.dumps(LAMBDA_TRUST))
    assert lam.update_function_configuration(FunctionName=name, Role=for_states)["Role"] == for_states


def test_handing_a_function_its_role_needs_pass_role(account):
    name = f"fn-{uuid.uuid4().hex[:8]}"
    role = _role(account, f"{name}-role", LAMBDA_TRUST)
    key = account.user("deployer", policy=doc(allow("lambda:*")))
    lam = account.as_keys("lambda", key)
    code, message, status = refused(_create, lam=lam, name=name, role=role)
    assert (code, status) == ("AccessDeniedException", 403)
    assert message == (f"User: arn:aws:iam::{account.id}:user/deployer is not authorized to perform: iam:PassRole "
                       f"on resource: {role} because no identity-based policy allows the iam:PassRole action")

    # PassRole only towards Lambda: a grant for another service does not do
    iam = account.root("iam")
    iam.put_user_policy(UserName="deployer", PolicyName="inline", PolicyDocument=json.dumps(doc(
        allow("lambda:*"), allow("iam:PassRole", role, Condition={
            "StringEquals": {"iam:PassedToService": "states.amazonaws.com"}}))))
    assert refused(_create, lam=lam, name=name, role=role)[0] == "AccessDeniedException"
    iam.put_user_policy(UserName="deployer", PolicyName="inline", PolicyDocument=json.dumps(doc(
        allow("lambda:*"), allow("iam:PassRole", role, Condition={
            "StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}))))
    assert _create(lam, name, role)["FunctionName"] == name


def test_a_stack_role_is_passed_once():
    """CloudFormation's `RoleARN` is checked by the gateway like any passed role, and only there: under
    `report` the would-be denial is listed once per request."""
    from overcast.testing import OvercastServer
    from tests.integration.iam.conftest import Account, report

    cfn_trust = doc({"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"},
                     "Action": "sts:AssumeRole"})
    template = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
    with OvercastServer(env={"OVERCAST_IAM": "report"}) as server:
        account = Account(server)
        role = _role(account, "stack-role", cfn_trust)
        key = account.user("deployer", policy=doc(allow("cloudformation:*")))
        cfn = account.as_keys("cloudformation", key)
        assert cfn.create_stack(StackName="passed", TemplateBody=template, RoleARN=role)["StackId"]
        (entry,) = [d for d in report(server) if d["action"] == "iam:PassRole"]
        assert (entry["principal"], entry["resource"], entry["count"]) == (
            f"arn:aws:iam::{account.id}:user/deployer", role, 1)


def test_a_schedule_needs_a_role_scheduler_may_assume(account):
    scheduler = account.root("scheduler")
    account.root("sqs").create_queue(QueueName="ticks")
    queue = f"arn:aws:sqs:us-east-1:{account.id}:ticks"
    for_lambda = _role(account, "not-for-schedules", LAMBDA_TRUST)
    schedule: dict[str, Any] = {"Name": "tick", "ScheduleExpression": "rate(1 hour)", "FlexibleTimeWindow": {"Mode": "OFF"},
                "Target": {"Arn": queue, "RoleArn": for_lambda, "Input": "{}"}}
    cannot = ("ValidationException", "The execution role you provide must allow AWS EventBridge Scheduler to assume "
              "the role.", 400)
    assert refused(scheduler.create_schedule, **schedule) == cannot
    assert refused(scheduler.create_schedule, **{**schedule, "Target": {
        **schedule["Target"], "RoleArn": account.arn("role/not-there")}}) == cannot
    assert scheduler.list_schedules()["Schedules"] == []

    for_scheduler = _role(account, "for-schedules", doc(
        {"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    good = {**schedule, "Target": {**schedule["Target"], "RoleArn": for_scheduler}}
    assert scheduler.create_schedule(**good)["ScheduleArn"]
    assert refused(scheduler.update_schedule, **schedule) == cannot
    assert scheduler.get_schedule(Name="tick")["Target"]["RoleArn"] == for_scheduler
