"""Device tracking: NewDeviceMetadata, ConfirmDevice with pycognito's device verifier, the device
operations, and a remembered device signing in with DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER
(pycognito's AWSSRP), which skips MFA."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import jwt
import pytest
from pycognito.aws_srp import AWSSRP, generate_hash_device

from tests.integration.cognito.helpers import PASSWORD, confirmed_user, pool_and_client

SMS: dict[str, Any] = {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/cognito-sms"}}


def test_remembered_device_signs_in_with_device_srp(idp):
    pool_id, client = pool_and_client(idp, MfaConfiguration="ON", **SMS, DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True})
    name = confirmed_user(idp, pool_id, phone_number="+15555550100")
    started = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client["ClientId"],
                                      AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})
    assert started["ChallengeName"] == "SMS_MFA"
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=name, SMSMfaSettings={"Enabled": False})
    idp.update_user_pool(UserPoolId=pool_id, MfaConfiguration="OPTIONAL")
    result = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client["ClientId"],
                                     AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
    meta = result["NewDeviceMetadata"]
    assert meta["DeviceKey"].startswith(pool_id.split("_")[0] + "_")
    claims = jwt.decode(result["AccessToken"], options={"verify_signature": False})
    assert claims["device_key"] == meta["DeviceKey"]
    password, verifier = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    confirmed = idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=meta["DeviceKey"],
                                   DeviceSecretVerifierConfig=verifier, DeviceName="laptop")
    assert confirmed["UserConfirmationNecessary"] is True
    idp.update_device_status(AccessToken=result["AccessToken"], DeviceKey=meta["DeviceKey"],
                             DeviceRememberedStatus="remembered")
    device = idp.get_device(AccessToken=result["AccessToken"], DeviceKey=meta["DeviceKey"])["Device"]
    attributes = {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}
    assert attributes["device_name"] == "laptop" and attributes["dev:device_remembered_status"] == "remembered"
    listed = idp.admin_list_devices(UserPoolId=pool_id, Username=name)["Devices"]
    assert [d["DeviceKey"] for d in listed] == [meta["DeviceKey"]]
    # MFA back on: the remembered device answers DEVICE_SRP_AUTH instead
    idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=name, SMSMfaSettings={"Enabled": True})
    srp = AWSSRP(username=name, password=PASSWORD, pool_id=pool_id, client_id=client["ClientId"], client=idp,
                 device_key=meta["DeviceKey"], device_group_key=meta["DeviceGroupKey"], device_password=password)
    tokens = srp.authenticate_user()
    assert "AccessToken" in tokens["AuthenticationResult"]
    assert "NewDeviceMetadata" not in tokens["AuthenticationResult"]
    again = jwt.decode(tokens["AuthenticationResult"]["AccessToken"], options={"verify_signature": False})
    assert again["device_key"] == meta["DeviceKey"]
    # a wrong device password fails
    wrong = AWSSRP(username=name, password=PASSWORD, pool_id=pool_id, client_id=client["ClientId"], client=idp,
                   device_key=meta["DeviceKey"], device_group_key=meta["DeviceGroupKey"], device_password="x")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        wrong.authenticate_user()
    assert info.value.response["Error"]["Code"] == "NotAuthorizedException"
    idp.forget_device(AccessToken=result["AccessToken"], DeviceKey=meta["DeviceKey"])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.admin_get_device(UserPoolId=pool_id, Username=name, DeviceKey=meta["DeviceKey"])
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
