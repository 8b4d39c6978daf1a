"""`--iam enforce`: API Gateway's control plane is `apigateway:<HTTP method>` on
`arn:aws:apigateway:<region>::<resource path>`, over HTTP and in process alike (a stack's
resources, a state machine's AWS SDK task), and HTTP APIs' paths are `/apis/...` (no `/v2`)."""

from __future__ import annotations

import json
import uuid

from overcast.testing import wait_until
from tests.integration.iam.conftest import allow, doc, refused
from tests.integration.stepfunctions.helpers import finished

STATES_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"})
RESTAPIS = "arn:aws:apigateway:us-east-1::/restapis"


def test_an_http_api_is_created_with_post_on_apis(account):
    key = account.user("builder", policy=doc(allow("apigateway:POST", "arn:aws:apigateway:us-east-1::/apis")))
    v2 = account.as_keys("apigatewayv2", key)
    api = v2.create_api(Name="h", ProtocolType="HTTP")["ApiId"]
    code, message, status = refused(v2.get_api, ApiId=api)
    assert (code, status) == ("AccessDeniedException", 403)
    assert message == (f"User: arn:aws:iam::{account.id}:user/builder is not authorized to perform: apigateway:GET "
                       f"on resource: arn:aws:apigateway:us-east-1::/apis/{api} because no identity-based policy "
                       f"allows the apigateway:GET action")


def _run(account, role_arn: str) -> tuple[dict, list[dict]]:
    sfn = account.root("stepfunctions")
    states = {"Create": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:apigateway:createRestApi",
                         "Parameters": {"Name": "from-sfn"}, "End": True}}
    arn = sfn.create_state_machine(name=f"sm-{uuid.uuid4().hex[:8]}", roleArn=role_arn,
                                   definition=json.dumps({"StartAt": "Create", "States": states}))["stateMachineArn"]
    started = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    return finished(sfn, started, 90), sfn.get_execution_history(executionArn=started)["events"]


def test_a_state_machine_creates_a_rest_api_with_post_on_restapis(account):
    role = f"sfn-{uuid.uuid4().hex[:6]}"
    iam = account.root("iam")
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(STATES_TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="read", PolicyDocument=json.dumps(doc(
        allow("apigateway:GET", "arn:aws:apigateway:us-east-1::/*"))))
    described, events = _run(account, role_arn)
    assert described["status"] == "FAILED"
    (failed,) = [e["taskFailedEventDetails"] for e in events if e["type"] == "TaskFailed"]
    assert (f"assumed-role/{role}/") in failed["cause"]
    assert (f" is not authorized to perform: apigateway:POST on resource: {RESTAPIS} because no identity-based "
            f"policy allows the apigateway:POST action") in failed["cause"]
    assert account.root("apigateway").get_rest_apis()["items"] == []

    iam.put_role_policy(RoleName=role, PolicyName="create", PolicyDocument=json.dumps(doc(
        allow("apigateway:POST", RESTAPIS))))
    described, _ = _run(account, role_arn)
    assert described["status"] == "SUCCEEDED", described
    assert [a["name"] for a in account.root("apigateway").get_rest_apis()["items"]] == ["from-sfn"]


def test_a_stack_creates_a_rest_api_with_post_on_restapis(account):
    template = json.dumps({"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "s"}}}})
    read = allow("apigateway:GET", f"{RESTAPIS}/*")
    key = account.user("deployer", policy=doc(allow("cloudformation:*"), read))
    cfn = account.as_keys("cloudformation", key)

    def settled(name: str) -> dict:
        return wait_until(lambda: next((s for s in cfn.describe_stacks(StackName=name)["Stacks"]
                                        if not s["StackStatus"].endswith("_IN_PROGRESS")), None), 60, name)

    cfn.create_stack(StackName="api-refused", TemplateBody=template)
    assert settled("api-refused")["StackStatus"] == "ROLLBACK_COMPLETE"
    (reason,) = [e["ResourceStatusReason"] for e in cfn.describe_stack_events(StackName="api-refused")["StackEvents"]
                 if e["LogicalResourceId"] == "Api" and e["ResourceStatus"] == "CREATE_FAILED"]
    assert (f"User: arn:aws:iam::{account.id}:user/deployer is not authorized to perform: apigateway:POST on "
            f"resource: {RESTAPIS} because no identity-based policy allows the apigateway:POST action") in reason

    account.root("iam").put_user_policy(UserName="deployer", PolicyName="inline", PolicyDocument=json.dumps(doc(
        allow("cloudformation:*"), read, allow("apigateway:POST", RESTAPIS))))
    cfn.create_stack(StackName="api-granted", TemplateBody=template)
    assert settled("api-granted")["StackStatus"] == "CREATE_COMPLETE"
