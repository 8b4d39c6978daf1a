"""IAM actions of the Resource Groups Tagging API (`tag:`, though it signs as `tagging`) and of
Parameter Store (`ssm:` on the parameter's ARN)."""

from __future__ import annotations

import json

from tests.integration.iam.conftest import allow, doc, refused


def test_tagging_actions_are_tag_prefixed(account):
    key = account.user("tagger")
    tagging = account.as_keys("resourcegroupstaggingapi", key)
    code, message, _ = refused(tagging.get_resources)
    assert code == "AccessDeniedException"
    assert "not authorized to perform: tag:GetResources" in message
    account.root("iam").put_user_policy(UserName="tagger", PolicyName="tags",
                                        PolicyDocument=json.dumps(doc(allow("tag:GetResources"))))
    assert tagging.get_resources()["ResourceTagMappingList"] == []


def test_parameter_actions_name_the_parameter(account):
    account.root("ssm").put_parameter(Name="/app/db", Value="v", Type="String")
    key = account.user("reader")
    ssm = account.as_keys("ssm", key)
    _, message, _ = refused(ssm.get_parameter, Name="/app/db")
    assert f"ssm:GetParameter on resource: arn:aws:ssm:us-east-1:{account.id}:parameter/app/db" in message
    account.root("iam").put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=json.dumps(
        doc(allow("ssm:GetParameter", f"arn:aws:ssm:us-east-1:{account.id}:parameter/app/*"))))
    assert ssm.get_parameter(Name="/app/db")["Parameter"]["Value"] == "v"
