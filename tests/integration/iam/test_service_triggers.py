"""`--iam enforce`: services that invoke functions or deliver to topics and queues as their service
principal (Cognito triggers, SES receipt rules, CodeCommit triggers...) need the target's resource
policy to allow them for the source; refused, the caller sees what AWS shows."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.integration.iam.test_deliveries import _function

PRE_SIGN_UP = """
def handler(event, context):
    event["response"]["autoConfirmUser"] = True
    return event
"""


def test_cognito_triggers_need_the_function_policy_for_the_pool(account):
    name, _ = _function(account, PRE_SIGN_UP)
    function = f"arn:aws:lambda:us-east-1:{account.id}:function:{name}"
    idp = account.root("cognito-idp")
    pool = idp.create_user_pool(PoolName="users", LambdaConfig={"PreSignUp": function})["UserPool"]
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app")["UserPoolClient"]
    with pytest.raises(ClientError) as caught:
        idp.sign_up(ClientId=client["ClientId"], Username="ann", Password="Passw0rd!Passw0rd")
    assert caught.value.response["Error"]["Code"] == "UnexpectedLambdaException"
    assert caught.value.response["Error"]["Message"] == \
        "PreSignUp invocation failed due to error AccessDeniedException."
    lam = account.root("lambda")
    lam.add_permission(FunctionName=name, StatementId="cognito", Action="lambda:InvokeFunction",
                       Principal="cognito-idp.amazonaws.com", SourceArn=pool["Arn"])
    signed = idp.sign_up(ClientId=client["ClientId"], Username="ann", Password="Passw0rd!Passw0rd")
    assert signed["UserConfirmed"] is True
