"""MFA through boto3: SMS and email codes (delivered to the codes route), the choice between
factors, MFA_SETUP when MFA is required and the user has no factor, SetUserPoolMfaConfig's rules,
and AliasExistsException."""

from __future__ import annotations

import json
import time
from typing import Any

import botocore.exceptions
import pytest

from tests.integration.cognito.helpers import PASSWORD, codes, confirmed_user, pool_and_client


@pytest.fixture(scope="module")
def overcast_server(real_clock_server):
    """Challenge flows need AWS's 3-minute session lifetime in real time (see conftest)."""
    return real_clock_server

SMS: dict[str, Any] = {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/cognito-sms"}}


def error(info) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def sign_in(idp, client, name):
    return idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})


def test_sms_mfa_required_sends_a_code(overcast_server, idp):
    pool_id, client = pool_and_client(idp, MfaConfiguration="ON", **SMS)
    name = confirmed_user(idp, pool_id, phone_number="+15555550123")
    started = sign_in(idp, client, name)
    assert started["ChallengeName"] == "SMS_MFA"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    sent = [c for c in codes(overcast_server, pool_id, name) if c["Purpose"] == "MFA:SMS_MFA"]
    assert len(sent) == 1 and sent[0]["Destination"] == "+15555550123"
    wrong = "000000" if sent[0]["Code"] != "000000" else "111111"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SMS_MFA",
                                      Session=started["Session"],
                                      ChallengeResponses={"USERNAME": name, "SMS_MFA_CODE": wrong})
    assert error(info) == ("CodeMismatchException", "Invalid code received for user")
    # the session stays for another try
    done = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SMS_MFA",
                                         Session=started["Session"],
                                         ChallengeResponses={"USERNAME": name, "SMS_MFA_CODE": sent[0]["Code"]})
    assert done["AuthenticationResult"]["TokenType"] == "Bearer"
    # three wrong codes end it
    again = sign_in(idp, client, name)
    for _ in range(3):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SMS_MFA",
                                          Session=again["Session"],
                                          ChallengeResponses={"USERNAME": name, "SMS_MFA_CODE": "x"})
        assert error(info)[0] == "CodeMismatchException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SMS_MFA", Session=again["Session"],
                                      ChallengeResponses={"USERNAME": name, "SMS_MFA_CODE": "x"})
    assert error(info)[0] == "NotAuthorizedException"


def test_email_otp_and_choice_between_factors(overcast_server, idp):
    pool_id, client = pool_and_client(idp)
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SmsMfaConfiguration=SMS,
                                 EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Code"})
    name = confirmed_user(idp, pool_id, email="bob@example.com", phone_number="+15555550199")
    assert "AuthenticationResult" in sign_in(idp, client, name)  # OPTIONAL, no factor chosen: no MFA
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=name, EmailMfaSettings={"Enabled": True},
                                      SMSMfaSettings={"Enabled": True})
    got = idp.admin_get_user(UserPoolId=pool_id, Username=name)
    assert sorted(got["UserMFASettingList"]) == ["EMAIL_OTP", "SMS_MFA"] and "PreferredMfaSetting" not in got
    started = sign_in(idp, client, name)
    assert started["ChallengeName"] == "SELECT_MFA_TYPE"
    assert sorted(json.loads(started["ChallengeParameters"]["MFAS_CAN_CHOOSE"])) == ["EMAIL_OTP", "SMS_MFA"]
    chosen = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="SELECT_MFA_TYPE",
                                           Session=started["Session"],
                                           ChallengeResponses={"USERNAME": name, "ANSWER": "EMAIL_OTP"})
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    assert chosen["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "b***@e***"
    code = next(c for c in codes(overcast_server, pool_id, name) if c["Purpose"] == "MFA:EMAIL_OTP")
    assert code["Destination"] == "bob@example.com"
    done = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="EMAIL_OTP",
                                         Session=chosen["Session"],
                                         ChallengeResponses={"USERNAME": name, "EMAIL_OTP_CODE": code["Code"]})
    assert "AccessToken" in done["AuthenticationResult"]
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=name,
                                      SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert sign_in(idp, client, name)["ChallengeName"] == "SMS_MFA"


def test_mfa_setup_when_required_and_no_factor(overcast_server, idp):
    from overcast.services.cognito_idp.api_mfa import totp

    pool_id, client = pool_and_client(idp)
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    name = confirmed_user(idp, pool_id)
    started = sign_in(idp, client, name)
    assert started["ChallengeName"] == "MFA_SETUP"
    assert json.loads(started["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    associated = idp.associate_software_token(Session=started["Session"])
    verified = idp.verify_software_token(Session=associated["Session"],
                                         UserCode=totp(associated["SecretCode"], time.time()))
    assert verified["Status"] == "SUCCESS"
    done = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="MFA_SETUP",
                                         Session=verified["Session"], ChallengeResponses={"USERNAME": name})
    assert "AccessToken" in done["AuthenticationResult"]
    assert sign_in(idp, client, name)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_set_user_pool_mfa_config_rules(idp):
    pool_id, _ = pool_and_client(idp)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON")
    assert error(info) == ("InvalidParameterException",
                           "At least one of [SmsMfaConfiguration] or [SoftwareTokenMfaConfiguration] must be provided.")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON", SmsMfaConfiguration={})
    assert error(info)[0] == "InvalidParameterException"
    on = idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                      SoftwareTokenMfaConfiguration={"Enabled": True})
    assert on["SoftwareTokenMfaConfiguration"] == {"Enabled": True} and "SmsMfaConfiguration" not in on
    off = idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF")
    assert off["MfaConfiguration"] == "OFF" and "SoftwareTokenMfaConfiguration" not in off
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "OFF"


def test_pool_defaults_and_alias_exists(idp):
    pool = idp.create_user_pool(PoolName="aliases", UsernameAttributes=["email"])["UserPool"]
    assert pool["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"][0] == {"Priority": 1, "Name": "verified_email"}
    for who in ("one", "two"):
        idp.admin_create_user(UserPoolId=pool["Id"], Username=f"{who}@example.com", MessageAction="SUPPRESS")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username="one@example.com",
                                         UserAttributes=[{"Name": "email", "Value": "two@example.com"}])
    assert error(info) == ("AliasExistsException", "An account with the given email already exists.")


def test_confirming_a_taken_email_alias(overcast_server, idp):
    pool_id, client = pool_and_client(idp, AliasAttributes=["email"], AutoVerifiedAttributes=["email"])
    first = confirmed_user(idp, pool_id, email="shared@example.com", email_verified="true")
    second = "second-" + first
    idp.sign_up(ClientId=client["ClientId"], Username=second, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "shared@example.com"}])
    code = next(c["Code"] for c in codes(overcast_server, pool_id, second) if c["Purpose"] == "SignUp")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.confirm_sign_up(ClientId=client["ClientId"], Username=second, ConfirmationCode=code)
    assert error(info) == ("AliasExistsException", "An account with the given email already exists.")
    idp.confirm_sign_up(ClientId=client["ClientId"], Username=second, ConfirmationCode=code, ForceAliasCreation=True)
    old = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool_id, Username=first)["UserAttributes"]}
    assert old["email_verified"] == "false"
    new = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool_id, Username=second)["UserAttributes"]}
    assert new["email_verified"] == "true"


def test_message_texts_default_and_from_the_pool(overcast_server, idp):
    pool_id, client = pool_and_client(idp, AutoVerifiedAttributes=["email"], AdminCreateUserConfig={
        "InviteMessageTemplate": {"EmailMessage": "Hi {username}, use {####}", "EmailSubject": "Welcome"}})
    name = "msg-" + pool_id[-6:].lower()
    idp.sign_up(ClientId=client["ClientId"], Username=name, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "m@example.com"}])
    [sent] = codes(overcast_server, pool_id, name)
    assert (sent["Subject"], sent["Message"]) == ("Your verification code", f"Your verification code is {sent['Code']}. ")
    invited = "inv-" + name
    idp.admin_create_user(UserPoolId=pool_id, Username=invited, TemporaryPassword="Temp-Passw0rd!",
                          UserAttributes=[{"Name": "email", "Value": "i@example.com"}])
    [invite] = codes(overcast_server, pool_id, invited)
    assert (invite["Subject"], invite["Message"]) == ("Welcome", f"Hi {invited}, use Temp-Passw0rd!")
