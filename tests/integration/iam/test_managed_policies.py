"""AWS managed policies: the bundled documents, the ones AWS has that overcast has no document for,
and `NoSuchEntity` for an `arn:aws:iam::aws:policy/...` AWS has no policy at."""

from __future__ import annotations

import json
from urllib.parse import unquote

from tests.integration.iam.conftest import refused

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                             "Principal": {"Service": "lambda.amazonaws.com"}}]})


def test_unknown_aws_managed_policy_does_not_exist(account):
    iam = account.root("iam")
    iam.create_role(RoleName="fn", AssumeRolePolicyDocument=TRUST)
    nope = "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"
    assert refused(iam.get_policy, PolicyArn=nope) == ("NoSuchEntity", f"Policy {nope} was not found.", 404)
    assert refused(iam.attach_role_policy, RoleName="fn", PolicyArn=nope) == \
        ("NoSuchEntity", f"Policy {nope} does not exist or is not attachable.", 404)
    # the right name under the wrong path is not a policy either (it lives under /service-role/)
    wrong_path = "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"
    assert refused(iam.attach_role_policy, RoleName="fn", PolicyArn=wrong_path)[0] == "NoSuchEntity"
    assert iam.list_attached_role_policies(RoleName="fn")["AttachedPolicies"] == []


def test_policies_sam_and_the_cdk_attach_have_their_documents(account):
    iam = account.root("iam")
    for arn, action in [("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess", "xray:PutTraceSegments"),
                        ("arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
                         "logs:PutLogEvents"),
                        ("arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited", "lambda:UpdateAlias"),
                        ("arn:aws:iam::aws:policy/CloudWatchLambdaInsightsExecutionRolePolicy", "logs:CreateLogGroup")]:
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        document = version["Document"]
        document = json.loads(unquote(document)) if isinstance(document, str) else document
        assert any(action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
                   for s in document["Statement"]), arn
        assert policy["Arn"] == arn


def test_an_aws_policy_without_a_bundled_document_is_attachable_and_grants_nothing(account):
    iam = account.root("iam")
    iam.create_role(RoleName="fn", AssumeRolePolicyDocument=TRUST)
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    iam.attach_role_policy(RoleName="fn", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Path"] == "/"
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="fn")["AttachedPolicies"]] == [arn]
    key = account.user("reader")
    iam.attach_user_policy(UserName="reader", PolicyArn=arn)
    code, message, _ = refused(account.as_keys("iam", key).get_role, RoleName="fn")
    assert (code, "because no identity-based policy allows the iam:GetRole action" in message) == ("AccessDenied", True)
