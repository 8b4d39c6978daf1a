"""`--iam enforce`: a state machine's tasks call other services with the machine's role (`roleArn`),
checked like any caller acting as a session of that role; a refused call fails the task with the
error and cause AWS records in the execution's history."""

from __future__ import annotations

import json
import uuid

from overcast.testing.lambdas import wait_settled, zip_handler
from tests.integration.iam.conftest import allow, doc
from tests.integration.stepfunctions.helpers import finished

STATES_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"})
LAMBDA_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})


def _role(account, name: str, trust: dict = STATES_TRUST) -> str:
    arn: str = account.root("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    return arn


def _grant(account, role: str, name: str, action: str | list[str], resource: str) -> None:
    account.root("iam").put_role_policy(RoleName=role, PolicyName=name,
                                        PolicyDocument=json.dumps(doc(allow(action, resource))))


def _execute(account, role_arn: str, states: dict, data: dict | None = None) -> tuple[dict, list[dict]]:
    sfn = account.root("stepfunctions")
    definition = {"StartAt": next(iter(states)), "States": states}
    arn = sfn.create_state_machine(name=f"sm-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
                                   roleArn=role_arn)["stateMachineArn"]
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps(data or {}))["executionArn"]
    described = finished(sfn, started, 90)
    return described, sfn.get_execution_history(executionArn=started)["events"]


def _failure(events: list[dict], kind: str) -> dict:
    (event,) = [e for e in events if e["type"] == kind]
    return dict(event[next(k for k in event if k.endswith("EventDetails"))])


def _session_prefix(account, role: str) -> str:
    return f"User: arn:aws:sts::{account.id}:assumed-role/{role}/"


def test_an_optimized_sqs_task_sends_with_the_machine_role(account):
    role = f"sfn-{uuid.uuid4().hex[:6]}"
    role_arn = _role(account, role)
    url = account.root("sqs").create_queue(QueueName="from-sfn")["QueueUrl"]
    queue = f"arn:aws:sqs:us-east-1:{account.id}:from-sfn"
    states = {"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
                       "Parameters": {"QueueUrl": url, "MessageBody": {"n": 1}}}}
    described, events = _execute(account, role_arn, states)
    assert described["status"] == "FAILED"
    details = _failure(events, "TaskFailed")
    assert details["error"] == "SQS.AmazonSQSException"
    message, _, rest = details["cause"].partition(" (Service: ")
    assert message.startswith(_session_prefix(account, role))
    assert message.endswith(f" is not authorized to perform: sqs:SendMessage on resource: {queue} because no "
                            f"identity-based policy allows the sqs:SendMessage action")
    assert rest.startswith("AmazonSQS; Status Code: 403; Error Code: AccessDenied; Request ID: ")
    assert described["error"] == "SQS.AmazonSQSException"
    assert account.root("sqs").receive_message(QueueUrl=url).get("Messages") is None

    _grant(account, role, "send", "sqs:SendMessage", queue)
    described, _ = _execute(account, role_arn, states)
    assert described["status"] == "SUCCEEDED", described
    (message_,) = account.root("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    assert json.loads(message_["Body"]) == {"n": 1}


def _function(account) -> tuple[str, str]:
    name = f"fn-{uuid.uuid4().hex[:8]}"
    role = _role(account, f"{name}-role", LAMBDA_TRUST)
    lam = account.root("lambda")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
                        Code={"ZipFile": zip_handler("def handler(event, context):\n    return {'got': event}\n")},
                        Timeout=60)
    wait_settled(lam, name)
    return name, f"arn:aws:lambda:us-east-1:{account.id}:function:{name}"


def test_lambda_tasks_invoke_with_the_machine_role(account):
    role = f"sfn-{uuid.uuid4().hex[:6]}"
    role_arn = _role(account, role)
    name, function = _function(account)
    optimized = {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                          "Parameters": {"FunctionName": name, "Payload": {"x": 1}}}}
    bare = {"Call": {"Type": "Task", "Resource": function, "End": True}}
    denial = (f" is not authorized to perform: lambda:InvokeFunction on resource: {function} because no "
              f"identity-based policy allows the lambda:InvokeFunction action (Service: AWSLambda; Status Code: 403;"
              f" Error Code: AccessDeniedException; Request ID: ")
    for states, kind in ((optimized, "TaskFailed"), (bare, "LambdaFunctionFailed")):
        described, events = _execute(account, role_arn, states)
        assert described["status"] == "FAILED"
        details = _failure(events, kind)
        assert details["error"] == "Lambda.AWSLambdaException"
        assert details["cause"].startswith(_session_prefix(account, role))
        assert denial in details["cause"]

    _grant(account, role, "invoke", "lambda:InvokeFunction", function)
    described, _ = _execute(account, role_arn, optimized)
    assert json.loads(described["output"])["Payload"] == {"got": {"x": 1}}
    described, _ = _execute(account, role_arn, bare, {"y": 2})
    assert json.loads(described["output"]) == {"got": {"y": 2}}


def test_aws_sdk_tasks_call_with_the_machine_role(account):
    role = f"sfn-{uuid.uuid4().hex[:6]}"
    role_arn = _role(account, role)
    ddb = account.root("dynamodb")
    ddb.create_table(TableName="orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    table = f"arn:aws:dynamodb:us-east-1:{account.id}:table/orders"
    states = {"Put": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem", "End": True,
                      "Parameters": {"TableName": "orders", "Item": {"id": {"S": "a"}}}}}
    described, events = _execute(account, role_arn, states)
    assert described["status"] == "FAILED"
    details = _failure(events, "TaskFailed")
    assert details["error"] == "DynamoDB.DynamoDbException"
    assert details["cause"].startswith(_session_prefix(account, role))
    assert (f" is not authorized to perform: dynamodb:PutItem on resource: {table} because no identity-based "
            f"policy allows the dynamodb:PutItem action (Service: DynamoDB, Status Code: 400, Request ID: ") \
        in details["cause"]
    assert "Item" not in ddb.get_item(TableName="orders", Key={"id": {"S": "a"}})

    _grant(account, role, "put", "dynamodb:PutItem", table)
    described, _ = _execute(account, role_arn, states)
    assert described["status"] == "SUCCEEDED", described
    assert ddb.get_item(TableName="orders", Key={"id": {"S": "a"}})["Item"] == {"id": {"S": "a"}}


def test_create_state_machine_checks_the_roles_trust_and_managed_rule(account):
    from tests.integration.iam.conftest import refused

    sfn = account.root("stepfunctions")
    pass_only = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    wrong = _role(account, f"lam-{uuid.uuid4().hex[:6]}", LAMBDA_TRUST)
    code, message, _ = refused(sfn.create_state_machine, name="untrusted", definition=pass_only, roleArn=wrong)
    assert (code, message) == ("AccessDeniedException", "Neither the global service principal states.amazonaws.com, "
                               "nor the regional one is authorized to assume the provided role.")
    role = f"sfn-{uuid.uuid4().hex[:6]}"
    role_arn = _role(account, role)
    nested = json.dumps({"StartAt": "Child", "States": {"Child": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "End": True,
        "Parameters": {"StateMachineArn": f"arn:aws:states:us-east-1:{account.id}:stateMachine:child"}}}})
    code, message, _ = refused(sfn.create_state_machine, name="parent", definition=nested, roleArn=role_arn)
    assert (code, message) == ("AccessDeniedException", f"'{role_arn}' is not authorized to create managed-rule.")
    _grant(account, role, "rule", ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
           f"arn:aws:events:us-east-1:{account.id}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule")
    assert sfn.create_state_machine(name="parent", definition=nested, roleArn=role_arn)["stateMachineArn"]
