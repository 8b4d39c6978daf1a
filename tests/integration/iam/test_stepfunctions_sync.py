"""`--iam enforce`: a `states:startExecution.sync` task follows its child with the machine's role,
which needs `states:DescribeExecution` on the child's executions, and stops the child when the
parent is stopped, which needs `states:StopExecution` on them, as AWS's policy for the role says
([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html))."""

from __future__ import annotations

import json
import uuid

from overcast.testing import wait_until
from tests.integration.iam.conftest import allow, doc
from tests.integration.stepfunctions.helpers import finished

STATES_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"})


def _setup(account, child_states: dict) -> tuple[str, str, str, str]:
    """(parent machine ARN, role name, child machine ARN, child executions' ARN pattern)."""
    sfn = account.root("stepfunctions")
    tag = uuid.uuid4().hex[:6]
    iam = account.root("iam")
    role = f"sfn-{tag}"
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(STATES_TRUST))["Role"]["Arn"]
    child_name = f"child-{tag}"
    child = sfn.create_state_machine(name=child_name, roleArn=role_arn, definition=json.dumps(
        {"StartAt": next(iter(child_states)), "States": child_states}))["stateMachineArn"]
    rule = f"arn:aws:events:us-east-1:{account.id}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
    iam.put_role_policy(RoleName=role, PolicyName="start", PolicyDocument=json.dumps(doc(
        allow("states:StartExecution", child),
        allow(["events:PutTargets", "events:PutRule", "events:DescribeRule"], rule))))
    parent = sfn.create_state_machine(name=f"parent-{tag}", roleArn=role_arn, definition=json.dumps({
        "StartAt": "Child", "States": {"Child": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "End": True,
            "Parameters": {"StateMachineArn": child, "Input": {"n": 1}}}}}))["stateMachineArn"]
    return parent, role, child, f"arn:aws:states:us-east-1:{account.id}:execution:{child_name}:*"


def test_a_sync_child_is_followed_with_describe_execution(account):
    sfn = account.root("stepfunctions")
    parent, role, child, executions = _setup(account, {"P": {"Type": "Pass", "End": True}})
    started = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    described = finished(sfn, started, 90)
    assert described["status"] == "FAILED"
    assert described["error"] == "Sfn.AWSStepFunctionsException"
    assert f"assumed-role/{role}/" in described["cause"]
    assert " is not authorized to perform: states:DescribeExecution on resource: arn:aws:states:us-east-1:" \
           f"{account.id}:execution:{child.rsplit(':', 1)[-1]}:" in described["cause"]
    (ran,) = sfn.list_executions(stateMachineArn=child)["executions"]  # the child was started all the same
    assert finished(sfn, ran["executionArn"], 90)["status"] == "SUCCEEDED"

    account.root("iam").put_role_policy(RoleName=role, PolicyName="follow", PolicyDocument=json.dumps(doc(
        allow("states:DescribeExecution", executions))))
    started = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    described = finished(sfn, started, 90)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"])["Output"] == {"n": 1}


def _child_of_stopped_parent(account, parent: str, child: str) -> dict:
    sfn = account.root("stepfunctions")
    before = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=child)["executions"]}
    started = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    running = wait_until(lambda: [e for e in sfn.list_executions(stateMachineArn=child)["executions"]
                                  if e["executionArn"] not in before] or None, 60, "the child started")
    wait_until(lambda: any(e["type"] == "TaskSucceeded" or e["type"] == "TaskStarted"
                           for e in sfn.get_execution_history(executionArn=started)["events"]), 60, "task started")
    sfn.stop_execution(executionArn=started)
    assert sfn.describe_execution(executionArn=started)["status"] == "ABORTED"
    return dict(running[0])


def test_stopping_the_parent_stops_the_child_with_stop_execution(account):
    sfn = account.root("stepfunctions")
    parent, role, child, executions = _setup(account, {"W": {"Type": "Wait", "Seconds": 3600, "End": True}})
    account.root("iam").put_role_policy(RoleName=role, PolicyName="follow", PolicyDocument=json.dumps(doc(
        allow("states:DescribeExecution", executions))))
    kept = _child_of_stopped_parent(account, parent, child)
    assert sfn.describe_execution(executionArn=kept["executionArn"])["status"] == "RUNNING"  # may not stop it

    account.root("iam").put_role_policy(RoleName=role, PolicyName="follow", PolicyDocument=json.dumps(doc(
        allow(["states:DescribeExecution", "states:StopExecution"], executions))))
    stopped = _child_of_stopped_parent(account, parent, child)
    wait_until(lambda: sfn.describe_execution(executionArn=stopped["executionArn"])["status"] == "ABORTED", 60,
               "the child stopped")
    assert sfn.describe_execution(executionArn=kept["executionArn"])["status"] == "RUNNING"
    sfn.stop_execution(executionArn=kept["executionArn"])
