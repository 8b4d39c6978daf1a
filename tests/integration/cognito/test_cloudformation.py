"""User pools from templates: AWS::Cognito::UserPool with a trigger, a client, a group, a user and
its group membership; SAM's `Cognito` event source wiring a function to a pool."""

from __future__ import annotations

import jwt

from tests.integration.cloudformation.helpers import check, create, outputs, unique
from tests.integration.cognito.helpers import PASSWORD

TEMPLATE = """
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UsernameAttributes: [email]
      AutoVerifiedAttributes: [email]
      Schema:
        - Name: tenant
          AttributeDataType: String
          Mutable: true
      Policies:
        PasswordPolicy:
          MinimumLength: 10
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool
      ExplicitAuthFlows: [ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
      GenerateSecret: false
  Admins:
    Type: AWS::Cognito::UserPoolGroup
    Properties:
      UserPoolId: !Ref Pool
      GroupName: admins
      Precedence: 1
  Ann:
    Type: AWS::Cognito::UserPoolUser
    Properties:
      UserPoolId: !Ref Pool
      Username: ann@example.com
      MessageAction: SUPPRESS
  AnnIsAdmin:
    Type: AWS::Cognito::UserPoolUserToGroupAttachment
    Properties:
      UserPoolId: !Ref Pool
      GroupName: !Ref Admins
      Username: !Ref Ann
Outputs:
  PoolId: {Value: !Ref Pool}
  Arn: {Value: !GetAtt Pool.Arn}
  Url: {Value: !GetAtt Pool.ProviderURL}
  ClientId: {Value: !Ref Client}
"""

SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool
      ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
  AutoConfirm:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Timeout: 30
      InlineCode: |
        def handler(event, context):
            event["response"]["autoConfirmUser"] = True
            return event
      Events:
        SignUp:
          Type: Cognito
          Properties:
            UserPool: !Ref Pool
            Trigger: PreSignUp
Outputs:
  PoolId: {Value: !Ref Pool}
  ClientId: {Value: !Ref Client}
"""


def test_pool_client_group_user_from_a_template(overcast_server, idp):
    cf = overcast_server.client("cloudformation")
    out = outputs(check(cf, create(cf, TEMPLATE, unique("pool"))))
    pool_id = out["PoolId"]
    assert out["Arn"] == f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{pool_id}"
    assert out["Url"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert "custom:tenant" in {a["Name"] for a in pool["SchemaAttributes"]}
    user = idp.admin_get_user(UserPoolId=pool_id, Username="ann@example.com")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    idp.admin_set_user_password(UserPoolId=pool_id, Username="ann@example.com", Password="Long-Passw0rd",
                                Permanent=True)
    tokens = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=out["ClientId"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "ann@example.com", "PASSWORD": "Long-Passw0rd"})
    claims = jwt.decode(tokens["AuthenticationResult"]["IdToken"], options={"verify_signature": False})
    assert claims["cognito:groups"] == ["admins"] and claims["email"] == "ann@example.com"


def test_sam_cognito_event_source(overcast_server, idp):
    cf = overcast_server.client("cloudformation")
    out = outputs(check(cf, create(cf, SAM, unique("sam-pool"), Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])))
    config = idp.describe_user_pool(UserPoolId=out["PoolId"])["UserPool"]["LambdaConfig"]
    assert config["PreSignUp"].startswith("arn:aws:lambda:us-east-1:000000000000:function:")
    signed = idp.sign_up(ClientId=out["ClientId"], Username=unique("sam"), Password=PASSWORD)
    assert signed["UserConfirmed"] is True


M2M = """
Parameters:
  Prefix: {Type: String}
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      MfaConfiguration: OPTIONAL
      EnabledMfas: [SOFTWARE_TOKEN_MFA]
  Domain:
    Type: AWS::Cognito::UserPoolDomain
    Properties:
      UserPoolId: !Ref Pool
      Domain: !Ref Prefix
  Api:
    Type: AWS::Cognito::UserPoolResourceServer
    Properties:
      UserPoolId: !Ref Pool
      Identifier: api
      Name: API
      Scopes: [{ScopeName: read, ScopeDescription: read}]
  Machine:
    Type: AWS::Cognito::UserPoolClient
    DependsOn: Api
    Properties:
      UserPoolId: !Ref Pool
      GenerateSecret: true
      AllowedOAuthFlows: [client_credentials]
      AllowedOAuthScopes: [api/read]
      AllowedOAuthFlowsUserPoolClient: true
Outputs:
  PoolId: {Value: !Ref Pool}
  Domain: {Value: !Ref Domain}
  Server: {Value: !Ref Api}
  ClientId: {Value: !Ref Machine}
  Secret: {Value: !GetAtt Machine.ClientSecret}
"""


def test_domain_resource_server_and_mfa_from_a_template(overcast_server, idp):
    import httpx

    cf = overcast_server.client("cloudformation")
    prefix = unique("dom").lower()
    out = outputs(check(cf, create(cf, M2M, unique("m2m"), Parameters=[
        {"ParameterKey": "Prefix", "ParameterValue": prefix}])))
    assert (out["Domain"], out["Server"]) == (prefix, "api")
    mfa = idp.get_user_pool_mfa_config(UserPoolId=out["PoolId"])
    assert mfa["MfaConfiguration"] == "OPTIONAL" and mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    token = httpx.post(f"{overcast_server.url}/_cognito/{prefix}/oauth2/token",
                       data={"grant_type": "client_credentials"}, auth=(out["ClientId"], out["Secret"]))
    assert token.status_code == 200
    assert jwt.decode(token.json()["access_token"], options={"verify_signature": False})["scope"] == "api/read"
