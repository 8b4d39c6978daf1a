"""The bundled AWS managed policies against AWS's own list of them (the one its SAM translator ships)."""

from __future__ import annotations

from overcast.authz.managed import BY_ARN, aws_managed_arns, managed_policy


def test_every_bundled_policy_is_an_aws_managed_policy_at_its_real_path():
    assert len(aws_managed_arns()) > 1000
    assert sorted(arn for arn in BY_ARN if arn not in aws_managed_arns()) == []


def test_serverless_tools_policies_are_bundled():
    for arn in ("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
                "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
                "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
                "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited",
                "arn:aws:iam::aws:policy/AmazonEventBridgeFullAccess"):
        assert BY_ARN[arn][2]["Statement"], arn


def test_unknown_and_undocumented_policies():
    assert managed_policy("arn:aws:iam::aws:policy/NoSuchPolicyAnywhere") is None
    assert managed_policy("arn:aws:iam::aws:policy/AWSLambdaFullAccess") is None  # retired by AWS
    name, path, document = managed_policy("arn:aws:iam::aws:policy/service-role/AWSConfigRulesExecutionRole") or ("", "", {})
    assert (name, path, document["Statement"]) == ("AWSConfigRulesExecutionRole", "/service-role/", [])
