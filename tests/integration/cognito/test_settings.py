"""Pool settings overcast stores without acting on them: resource servers, domains, identity
providers, the MFA configuration and tags; validation worded as Cognito words it."""

from __future__ import annotations

import botocore.exceptions
import pytest

from tests.integration.cognito.helpers import pool_and_client, unique


def test_stored_settings(idp):
    pool_id, _ = pool_and_client(idp)
    scopes = [{"ScopeName": "read", "ScopeDescription": "read orders"}]
    idp.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders", Scopes=scopes)
    assert idp.describe_resource_server(UserPoolId=pool_id, Identifier="orders")["ResourceServer"]["Scopes"] == scopes
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders")
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    domain = unique("auth")
    idp.create_user_pool_domain(Domain=domain, UserPoolId=pool_id)
    described = idp.describe_user_pool_domain(Domain=domain)["DomainDescription"]
    assert described["UserPoolId"] == pool_id and described["Status"] == "ACTIVE"
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == domain
    assert idp.describe_user_pool_domain(Domain=unique("none"))["DomainDescription"] == {}
    idp.create_identity_provider(UserPoolId=pool_id, ProviderName="Google", ProviderType="Google",
                                 ProviderDetails={"client_id": "x", "client_secret": "y", "authorize_scopes": "email"})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.create_identity_provider(UserPoolId=pool_id, ProviderName="Google", ProviderType="Google",
                                     ProviderDetails={"client_id": "x"})
    assert info.value.response["Error"]["Code"] == "DuplicateProviderException"
    assert [p["ProviderName"] for p in idp.list_identity_providers(UserPoolId=pool_id)["Providers"]] == ["Google"]
    config = idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                          SoftwareTokenMfaConfiguration={"Enabled": True})
    assert config["MfaConfiguration"] == "OPTIONAL"
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    arn = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    idp.tag_resource(ResourceArn=arn, Tags={"team": "auth"})
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "auth"}


def test_constraint_errors_are_invalid_parameter(idp):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        idp.create_user_pool(PoolName="p", LambdaConfig={"PreSignUp": "not-an-arn-but-long-enough"})
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    assert info.value.response["Error"]["Message"].startswith("1 validation error detected: Value 'not-an-arn-but-long-enough' at "
                                                              "'lambdaConfig.preSignUp' failed to satisfy constraint")


def test_verification_messages_kept_in_step(idp):
    pool = idp.create_user_pool(PoolName=unique("msg"), VerificationMessageTemplate={
        "EmailMessage": "Code {####}", "EmailSubject": "Your code", "SmsMessage": "{####} is your code"})["UserPool"]
    assert (pool["EmailVerificationMessage"], pool["EmailVerificationSubject"], pool["SmsVerificationMessage"]) == \
        ("Code {####}", "Your code", "{####} is your code")
    assert pool["VerificationMessageTemplate"]["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    policy = {"PasswordPolicy": {"MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": True,
                                 "RequireNumbers": False, "RequireSymbols": False, "TemporaryPasswordValidityDays": 3}}
    idp.update_user_pool(UserPoolId=pool["Id"], Policies=policy)
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Policies"] == policy
