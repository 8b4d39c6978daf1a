"""User pools through boto3: sign-up and confirmation, password sign-in, refresh, tokens verified
against the pool's JWKS, self-service operations, sign-out, and AWS's errors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import botocore.exceptions
import httpx
import jwt
import pytest

from tests.integration.cognito.helpers import PASSWORD, codes, confirmed_user, pool_and_client, unique


@pytest.fixture(scope="module")
def overcast_server(real_clock_server):
    """Challenge flows need AWS's 3-minute session lifetime in real time (see conftest)."""
    return real_clock_server


def error(info) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_sign_up_confirm_and_sign_in(overcast_server, idp):
    pool_id, client = pool_and_client(idp, AutoVerifiedAttributes=["email"])
    name = unique("alice")
    signed = idp.sign_up(ClientId=client["ClientId"], Username=name, Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])
    assert signed["UserConfirmed"] is False
    assert signed["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                             "AttributeName": "email"}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})
    assert error(info) == ("UserNotConfirmedException", "User is not confirmed.")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.confirm_sign_up(ClientId=client["ClientId"], Username=name, ConfirmationCode="000000x")
    assert error(info) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    [code] = codes(overcast_server, pool_id, name)
    idp.confirm_sign_up(ClientId=client["ClientId"], Username=name, ConfirmationCode=code["Code"])
    user = idp.admin_get_user(UserPoolId=pool_id, Username=name)
    assert user["UserStatus"] == "CONFIRMED"
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"] == "true"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": name, "PASSWORD": "Wrong0ne!"})
    assert error(info) == ("NotAuthorizedException", "Incorrect username or password.")
    result = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    jwks = httpx.get(f"{overcast_server.url}/{pool_id}/.well-known/jwks.json").json()
    key = jwt.PyJWK(jwks["keys"][0])
    claims = jwt.decode(result["IdToken"], key, algorithms=["RS256"], audience=client["ClientId"])
    assert claims["token_use"] == "id" and claims["cognito:username"] == name
    assert claims["email"] == "alice@example.com" and claims["email_verified"] is True
    assert claims["iss"].endswith(f"/{pool_id}") and claims["sub"] == signed["UserSub"]
    access = jwt.decode(result["AccessToken"], key, algorithms=["RS256"])
    assert access["token_use"] == "access" and access["client_id"] == client["ClientId"]
    assert access["scope"] == "aws.cognito.signin.user.admin" and access["origin_jti"] == claims["origin_jti"]
    got = idp.get_user(AccessToken=result["AccessToken"])
    assert got["Username"] == name
    refreshed = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]})["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    assert jwt.decode(refreshed["AccessToken"], key, algorithms=["RS256"])["origin_jti"] == access["origin_jti"]


def test_sign_up_errors(idp):
    _, client = pool_and_client(idp, Schema=[{"Name": "email", "Required": True}])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.sign_up(ClientId=client["ClientId"], Username="bob", Password="short",
                    UserAttributes=[{"Name": "email", "Value": "b@example.com"}])
    assert error(info) == ("InvalidPasswordException", "Password did not conform with policy: Password not long enough")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.sign_up(ClientId=client["ClientId"], Username="bob", Password=PASSWORD)
    assert error(info) == ("InvalidParameterException",
                           "Attributes did not conform to the schema: email: The attribute email is required")
    idp.sign_up(ClientId=client["ClientId"], Username="bob", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "b@example.com"}])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.sign_up(ClientId=client["ClientId"], Username="bob", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "b@example.com"}])
    assert error(info) == ("UsernameExistsException", "User already exists")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD})
    assert error(info) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.describe_user_pool(UserPoolId="us-east-1_nothere")
    assert error(info)[0] == "ResourceNotFoundException"


def test_client_secret_hash(idp):
    pool_id, client = pool_and_client(idp, secret=True)
    name = confirmed_user(idp, pool_id)
    params = {"USERNAME": name, "PASSWORD": PASSWORD}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
    assert error(info) == ("NotAuthorizedException",
                           f"Client {client['ClientId']} is configured with secret but SECRET_HASH was not received")
    digest = hmac.new(client["ClientSecret"].encode(), (name + client["ClientId"]).encode(), hashlib.sha256).digest()
    params["SECRET_HASH"] = base64.b64encode(digest).decode()
    assert "AccessToken" in idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                              AuthParameters=params)["AuthenticationResult"]


def test_admin_created_user_must_choose_a_password(overcast_server, idp):
    pool_id, client = pool_and_client(idp)
    name = unique("carol")
    created = idp.admin_create_user(UserPoolId=pool_id, Username=name,
                                    UserAttributes=[{"Name": "email", "Value": "carol@example.com"}])
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    [temporary] = codes(overcast_server, pool_id, name)
    started = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client["ClientId"],
                                      AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": name, "PASSWORD": temporary["Code"]})
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and started["Session"]
    done = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
                                         Session=started["Session"],
                                         ChallengeResponses={"USERNAME": name, "NEW_PASSWORD": "N3w-Passw0rd"})
    assert "IdToken" in done["AuthenticationResult"]
    assert idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "CONFIRMED"


def test_groups_attributes_and_list_filter(idp):
    pool_id, client = pool_and_client(idp)
    idp.create_group(GroupName="admins", UserPoolId=pool_id, Precedence=1)
    name = confirmed_user(idp, pool_id, email="dave@example.com")
    other = confirmed_user(idp, pool_id, email="erin@example.com")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=name, GroupName="admins")
    assert [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=name)["Groups"]] \
        == ["admins"]
    assert [u["Username"] for u in idp.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]] == [name]
    found = idp.list_users(UserPoolId=pool_id, Filter='email ^= "erin"')["Users"]
    assert [u["Username"] for u in found] == [other]
    tokens = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert jwt.decode(tokens["IdToken"], options={"verify_signature": False})["cognito:groups"] == ["admins"]
    idp.update_user_attributes(AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": "name", "Value": "Dave"}])
    attrs = {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"]}
    assert attrs["name"] == "Dave"
    idp.admin_disable_user(UserPoolId=pool_id, Username=name)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})
    assert error(info) == ("NotAuthorizedException", "User is disabled.")


def test_global_sign_out_revokes_tokens(idp):
    pool_id, client = pool_and_client(idp)
    name = confirmed_user(idp, pool_id)
    tokens = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
    idp.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.get_user(AccessToken=tokens["AccessToken"])
    assert error(info) == ("NotAuthorizedException", "Access Token has been revoked")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.get_user(AccessToken="n/a")
    assert error(info) == ("NotAuthorizedException", "Invalid Access Token")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert error(info) == ("NotAuthorizedException", "Invalid Refresh Token")


def test_forgot_password(overcast_server, idp):
    pool_id, client = pool_and_client(idp)
    name = confirmed_user(idp, pool_id, email="frank@example.com")
    sent = idp.forgot_password(ClientId=client["ClientId"], Username=name)["CodeDeliveryDetails"]
    assert sent["DeliveryMedium"] == "EMAIL"
    [code] = [c for c in codes(overcast_server, pool_id, name) if c["Purpose"] == "ForgotPassword"]
    idp.confirm_forgot_password(ClientId=client["ClientId"], Username=name, ConfirmationCode=code["Code"],
                                Password="An0ther-Pass")
    assert idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": name, "PASSWORD": "An0ther-Pass"})["AuthenticationResult"]


def test_srp_sign_in_with_pycognito(overcast_server, idp):
    from pycognito.aws_srp import AWSSRP

    pool_id, client = pool_and_client(idp)
    name = confirmed_user(idp, pool_id)
    tokens = AWSSRP(username=name, password=PASSWORD, pool_id=pool_id, client_id=client["ClientId"],
                    client=idp).authenticate_user()["AuthenticationResult"]
    assert jwt.decode(tokens["AccessToken"], options={"verify_signature": False})["username"] == name
    with pytest.raises(botocore.exceptions.ClientError) as info:
        AWSSRP(username=name, password="Wr0ng-pass", pool_id=pool_id, client_id=client["ClientId"],
               client=idp).authenticate_user()
    assert error(info) == ("NotAuthorizedException", "Incorrect username or password.")


def test_aws_cli_sign_up_and_sign_in(overcast_server, idp):
    import json
    import subprocess
    import sys

    env = overcast_server.aws_cli_env()

    def aws(*args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", overcast_server.url,
                              "cognito-idp", *args], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if out.stdout.strip() else {}

    pool_id = aws("create-user-pool", "--pool-name", unique("cli"))["UserPool"]["Id"]
    client_id = aws("create-user-pool-client", "--user-pool-id", pool_id, "--client-name", "cli",
                    "--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                    )["UserPoolClient"]["ClientId"]
    aws("sign-up", "--client-id", client_id, "--username", "cli-user", "--password", PASSWORD)
    aws("admin-confirm-sign-up", "--user-pool-id", pool_id, "--username", "cli-user")
    result = aws("initiate-auth", "--client-id", client_id, "--auth-flow", "USER_PASSWORD_AUTH",
                 "--auth-parameters", f"USERNAME=cli-user,PASSWORD={PASSWORD}")["AuthenticationResult"]
    assert idp.get_user(AccessToken=result["AccessToken"])["Username"] == "cli-user"


def test_software_token_mfa(idp):
    from overcast.services.cognito_idp.api_mfa import totp

    pool_id, client = pool_and_client(idp, MfaConfiguration="OPTIONAL")
    name = confirmed_user(idp, pool_id)
    tokens = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
    secret = idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    valid = {totp(secret, time.time() + drift) for drift in (-30, 0, 30)}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.verify_software_token(AccessToken=tokens["AccessToken"],
                                  UserCode=next(c for c in ("123456", "654321", "111111") if c not in valid))
    assert error(info) == ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    assert idp.verify_software_token(AccessToken=tokens["AccessToken"],
                                     UserCode=totp(secret, time.time()))["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"],
                                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    got = idp.admin_get_user(UserPoolId=pool_id, Username=name)
    assert got["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and got["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    started = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SOFTWARE_TOKEN_MFA",
                                         Session=started["Session"],
                                         ChallengeResponses={"USERNAME": name,
                                                             "SOFTWARE_TOKEN_MFA_CODE": totp(secret, time.time())})
    assert "AccessToken" in done["AuthenticationResult"]
