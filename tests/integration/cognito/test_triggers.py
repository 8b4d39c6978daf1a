"""Every user pool trigger with a real function whose answer changes the outcome, with AWS's
event shapes and errors."""

from __future__ import annotations

import botocore.exceptions
import jwt
import pytest

from overcast.testing import create_function
from tests.integration.cognito.helpers import PASSWORD, codes, confirmed_user, pool_and_client, unique


@pytest.fixture(scope="module")
def overcast_server(real_clock_server):
    """Challenge flows need AWS's 3-minute session lifetime in real time (see conftest)."""
    return real_clock_server


def arn(lam, source: str) -> str:
    name = create_function(lam, source, Timeout=30)
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def error(info) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def sign_in(idp, client, name, password=PASSWORD):
    return idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": name, "PASSWORD": password})


def test_pre_sign_up_auto_confirms_and_verifies(idp, lam):
    fn = arn(lam, """
def handler(event, context):
    assert event["triggerSource"] == "PreSignUp_SignUp", event
    assert event["request"]["userAttributes"]["email"] == "zoe@example.com"
    assert event["response"] == {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
    event["response"]["autoConfirmUser"] = True
    event["response"]["autoVerifyEmail"] = True
    return event
""")
    pool_id, client = pool_and_client(idp, LambdaConfig={"PreSignUp": fn})
    name = unique("zoe")
    signed = idp.sign_up(ClientId=client["ClientId"], Username=name, Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": "zoe@example.com"}])
    assert signed["UserConfirmed"] is True and "CodeDeliveryDetails" not in signed
    user = idp.admin_get_user(UserPoolId=pool_id, Username=name)
    assert user["UserStatus"] == "CONFIRMED"
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"] == "true"
    assert "IdToken" in sign_in(idp, client, name)["AuthenticationResult"]


def test_pre_sign_up_error_is_user_lambda_validation(idp, lam):
    fn = arn(lam, "def handler(event, context):\n    raise Exception('domain not allowed')\n")
    _, client = pool_and_client(idp, LambdaConfig={"PreSignUp": fn})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.sign_up(ClientId=client["ClientId"], Username=unique("x"), Password=PASSWORD)
    assert error(info) == ("UserLambdaValidationException", "PreSignUp failed with error domain not allowed.")


def test_post_confirmation_and_custom_message(overcast_server, idp, lam):
    post = arn(lam, """
import boto3
def handler(event, context):
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    boto3.client("cognito-idp").admin_add_user_to_group(UserPoolId=event["userPoolId"],
        Username=event["userName"], GroupName="members")
    return event
""")
    message = arn(lam, """
def handler(event, context):
    if event["triggerSource"] == "CustomMessage_SignUp":
        event["response"]["emailSubject"] = "Welcome"
        event["response"]["emailMessage"] = "Hi " + event["userName"] + ", code " + event["request"]["codeParameter"]
    return event
""")
    pool_id, client = pool_and_client(idp, AutoVerifiedAttributes=["email"],
                                      LambdaConfig={"PostConfirmation": post, "CustomMessage": message})
    idp.create_group(GroupName="members", UserPoolId=pool_id)
    name = unique("yan")
    idp.sign_up(ClientId=client["ClientId"], Username=name, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "yan@example.com"}])
    [code] = codes(overcast_server, pool_id, name)
    assert code["Message"] == f"Hi {name}, code {code['Code']}" and code["Subject"] == "Welcome"
    idp.confirm_sign_up(ClientId=client["ClientId"], Username=name, ConfirmationCode=code["Code"])
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=name)["Groups"]
    assert [g["GroupName"] for g in groups] == ["members"]


def test_pre_and_post_authentication(idp, lam):
    pre = arn(lam, """
def handler(event, context):
    if event["request"]["userAttributes"].get("custom:blocked") == "yes":
        raise Exception("blocked")
    return event
""")
    post = arn(lam, """
import boto3
def handler(event, context):
    assert event["triggerSource"] == "PostAuthentication_Authentication"
    boto3.client("cognito-idp").admin_update_user_attributes(UserPoolId=event["userPoolId"],
        Username=event["userName"], UserAttributes=[{"Name": "custom:logins", "Value": "1"}])
    return event
""")
    pool_id, client = pool_and_client(idp, Schema=[{"Name": "blocked", "AttributeDataType": "String"},
                                                   {"Name": "logins", "AttributeDataType": "String"}],
                                      LambdaConfig={"PreAuthentication": pre, "PostAuthentication": post})
    ok = confirmed_user(idp, pool_id)
    blocked = confirmed_user(idp, pool_id, **{"custom:blocked": "yes"})
    sign_in(idp, client, ok)
    attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool_id, Username=ok)["UserAttributes"]}
    assert attrs["custom:logins"] == "1"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sign_in(idp, client, blocked)
    assert error(info) == ("UserLambdaValidationException", "PreAuthentication failed with error blocked.")


def test_pre_token_generation_v1_and_v2(idp, lam):
    v1 = arn(lam, """
def handler(event, context):
    assert event["triggerSource"] == "TokenGeneration_Authentication"
    event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"tenant": "acme"},
        "claimsToSuppress": ["email"], "groupOverrideDetails": {"groupsToOverride": ["vip"]}}
    return event
""")
    v2 = arn(lam, """
def handler(event, context):
    assert event["version"] == "2" and event["request"]["scopes"] == ["aws.cognito.signin.user.admin"]
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme"}},
        "accessTokenGeneration": {"claimsToAddOrOverride": {"plan": "gold"}, "scopesToAdd": ["orders/read"]}}
    return event
""")
    pool_id, client = pool_and_client(idp, LambdaConfig={"PreTokenGeneration": v1})
    name = confirmed_user(idp, pool_id, email="t@example.com")
    tokens = sign_in(idp, client, name)["AuthenticationResult"]
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["tenant"] == "acme" and "email" not in claims and claims["cognito:groups"] == ["vip"]
    idp.update_user_pool(UserPoolId=pool_id, LambdaConfig={
        "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": v2}})
    tokens = sign_in(idp, client, name)["AuthenticationResult"]
    access = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    assert access["plan"] == "gold" and access["scope"] == "aws.cognito.signin.user.admin orders/read"
    assert jwt.decode(tokens["IdToken"], options={"verify_signature": False})["tenant"] == "acme"


def test_user_migration(idp, lam):
    fn = arn(lam, """
def handler(event, context):
    if event["triggerSource"] == "UserMigration_Authentication" and event["request"]["password"] == "Legacy-Pass1":
        event["response"]["userAttributes"] = {"email": "old@example.com", "email_verified": "true"}
        event["response"]["finalUserStatus"] = "CONFIRMED"
        event["response"]["messageAction"] = "SUPPRESS"
        return event
    raise Exception("Bad password")
""")
    pool_id, client = pool_and_client(idp, LambdaConfig={"UserMigration": fn})
    name = unique("legacy")
    result = sign_in(idp, client, name, "Legacy-Pass1")["AuthenticationResult"]
    assert jwt.decode(result["IdToken"], options={"verify_signature": False})["email"] == "old@example.com"
    assert idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "CONFIRMED"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sign_in(idp, client, unique("other"), "Nope-Pass1")
    assert error(info) == ("UserLambdaValidationException", "UserMigration failed with error Bad password.")


def test_custom_auth_challenge(idp, lam):
    define = arn(lam, """
def handler(event, context):
    session = event["request"]["session"]
    if session and session[-1]["challengeResult"]:
        event["response"].update(issueTokens=True, failAuthentication=False)
    elif len(session) >= 2:
        event["response"].update(issueTokens=False, failAuthentication=True)
    else:
        event["response"].update(issueTokens=False, failAuthentication=False, challengeName="CUSTOM_CHALLENGE")
    return event
""")
    create = arn(lam, """
def handler(event, context):
    event["response"]["publicChallengeParameters"] = {"question": "2+2?"}
    event["response"]["privateChallengeParameters"] = {"answer": "4"}
    event["response"]["challengeMetadata"] = "MATH"
    return event
""")
    verify = arn(lam, """
def handler(event, context):
    event["response"]["answerCorrect"] = (event["request"]["challengeAnswer"]
        == event["request"]["privateChallengeParameters"]["answer"])
    return event
""")
    pool_id, client = pool_and_client(idp, LambdaConfig={"DefineAuthChallenge": define, "CreateAuthChallenge": create,
                                                         "VerifyAuthChallengeResponse": verify})
    name = confirmed_user(idp, pool_id)
    started = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": name})
    assert started["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert started["ChallengeParameters"] == {"question": "2+2?", "USERNAME": name}
    wrong = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="CUSTOM_CHALLENGE",
                                          Session=started["Session"],
                                          ChallengeResponses={"USERNAME": name, "ANSWER": "5"})
    assert wrong["ChallengeName"] == "CUSTOM_CHALLENGE"
    done = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="CUSTOM_CHALLENGE",
                                         Session=wrong["Session"], ChallengeResponses={"USERNAME": name, "ANSWER": "4"})
    assert "AccessToken" in done["AuthenticationResult"]
    again = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": name})
    first = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="CUSTOM_CHALLENGE",
                                          Session=again["Session"], ChallengeResponses={"USERNAME": name, "ANSWER": "1"})
    with pytest.raises(botocore.exceptions.ClientError) as info:  # a second wrong answer: Define fails it
        idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="CUSTOM_CHALLENGE",
                                      Session=first["Session"], ChallengeResponses={"USERNAME": name, "ANSWER": "2"})
    assert error(info) == ("NotAuthorizedException", "Incorrect username or password.")


def test_custom_email_sender_is_stored(idp):
    config = {"CustomEmailSender": {"LambdaVersion": "V1_0",
                                    "LambdaArn": "arn:aws:lambda:us-east-1:000000000000:function:sender"},
              "KMSKeyID": "arn:aws:kms:us-east-1:000000000000:key/k"}
    pool_id, _ = pool_and_client(idp, LambdaConfig=config)
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"] == config


def test_custom_email_sender_gets_the_code(overcast_server, idp, lam):
    sender = arn(lam, """
import base64, boto3
def handler(event, context):
    assert event["triggerSource"] == "CustomEmailSender_SignUp", event
    assert event["request"]["type"] == "customEmailSenderRequestV1"
    assert event["request"]["userAttributes"]["email"] == "kim@example.com"
    code = base64.b64decode(event["request"]["code"]).decode()
    boto3.client("cognito-idp").admin_update_user_attributes(UserPoolId=event["userPoolId"],
        Username=event["userName"], UserAttributes=[{"Name": "custom:sent", "Value": code}])
    return event
""")
    key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    pool_id, client = pool_and_client(
        idp, AutoVerifiedAttributes=["email"], Schema=[{"Name": "sent", "AttributeDataType": "String"}],
        LambdaConfig={"CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": sender}, "KMSKeyID": key})
    name = unique("kim")
    idp.sign_up(ClientId=client["ClientId"], Username=name, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "kim@example.com"}])
    [code] = codes(overcast_server, pool_id, name)
    user = idp.admin_get_user(UserPoolId=pool_id, Username=name)
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["custom:sent"] == code["Code"]


def test_custom_auth_with_srp_first(idp, lam):
    from pycognito.aws_srp import AWSSRP

    define = arn(lam, """
def handler(event, context):
    session = event["request"]["session"]
    names = [s["challengeName"] for s in session]
    ok = all(s["challengeResult"] for s in session)
    if names == ["SRP_A"]:
        event["response"].update(issueTokens=False, failAuthentication=False, challengeName="PASSWORD_VERIFIER")
    elif names == ["SRP_A", "PASSWORD_VERIFIER"] and ok:
        event["response"].update(issueTokens=False, failAuthentication=False, challengeName="CUSTOM_CHALLENGE")
    elif names == ["SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"] and ok:
        event["response"].update(issueTokens=True, failAuthentication=False)
    else:
        event["response"].update(issueTokens=False, failAuthentication=True)
    return event
""")
    create = arn(lam, """
def handler(event, context):
    event["response"]["publicChallengeParameters"] = {"question": "3*3?"}
    event["response"]["privateChallengeParameters"] = {"answer": "9"}
    return event
""")
    verify = arn(lam, """
def handler(event, context):
    event["response"]["answerCorrect"] = event["request"]["challengeAnswer"] == "9"
    return event
""")
    pool_id, client = pool_and_client(idp, LambdaConfig={"DefineAuthChallenge": define, "CreateAuthChallenge": create,
                                                         "VerifyAuthChallengeResponse": verify})
    name = confirmed_user(idp, pool_id)
    srp = AWSSRP(username=name, password=PASSWORD, pool_id=pool_id, client_id=client["ClientId"], client=idp)
    params = srp.get_auth_params()
    params["CHALLENGE_NAME"] = "SRP_A"
    started = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH", AuthParameters=params)
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    proof = srp.process_challenge(started["ChallengeParameters"], params)
    custom = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                           ChallengeResponses=proof)
    assert custom["ChallengeName"] == "CUSTOM_CHALLENGE" and custom["ChallengeParameters"]["question"] == "3*3?"
    done = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="CUSTOM_CHALLENGE",
                                         Session=custom["Session"], ChallengeResponses={"USERNAME": name, "ANSWER": "9"})
    assert "AccessToken" in done["AuthenticationResult"]
