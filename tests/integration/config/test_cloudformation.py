"""AWS::Config::ConfigRule with its recorder and delivery channel in a CloudFormation stack: the
recorder starts once both exist, and the stack's rule (a Lambda function of the same stack) marks
the stack's unversioned bucket NON_COMPLIANT."""

from __future__ import annotations

import uuid

from overcast.testing import wait_until
from tests.integration.cloudformation.helpers import create, wait
from tests.integration.config.helpers import VERSIONING_RULE, clients


def _template(account: str, bucket: str) -> dict:
    return {"Resources": {
        "Delivery": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"{bucket}-delivery"}},
        "Watched": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}},
        "Recorder": {"Type": "AWS::Config::ConfigurationRecorder", "Properties": {
            "RoleARN": f"arn:aws:iam::{account}:role/config-role",
            "RecordingGroup": {"AllSupported": False, "ResourceTypes": ["AWS::S3::Bucket"]}}},
        "Channel": {"Type": "AWS::Config::DeliveryChannel", "DependsOn": "Recorder",
                    "Properties": {"S3BucketName": {"Ref": "Delivery"}}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
        "Checker": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Timeout": 60,
            "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"ZipFile": VERSIONING_RULE}}},
        "Rule": {"Type": "AWS::Config::ConfigRule", "DependsOn": "Channel", "Properties": {
            "ConfigRuleName": "stack-versioning", "InputParameters": {"wanted": "Enabled"},
            "Scope": {"ComplianceResourceTypes": ["AWS::S3::Bucket"], "ComplianceResourceId": bucket},
            "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": {"Fn::GetAtt": ["Checker", "Arn"]},
                       "SourceDetails": [{"EventSource": "aws.config",
                                          "MessageType": "ConfigurationItemChangeNotification"}]}}}},
        "Outputs": {"RuleArn": {"Value": {"Fn::GetAtt": ["Rule", "Arn"]}},
                    "RuleId": {"Value": {"Fn::GetAtt": ["Rule", "ConfigRuleId"]}}}}


def test_stack_with_config_rule(overcast_server, account):
    cf, config = clients(overcast_server, account, "cloudformation", "config")
    bucket = f"cfg-stack-{uuid.uuid4().hex[:8]}"
    stack = create(cf, _template(account, bucket), Capabilities=["CAPABILITY_IAM"])
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert outputs["RuleArn"] == f"arn:aws:config:us-east-1:{account}:config-rule/{outputs['RuleId']}"
    status = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    assert [s["recording"] for s in status] == [True]

    def compliance():
        found = config.describe_compliance_by_config_rule(ConfigRuleNames=["stack-versioning"])
        return found["ComplianceByConfigRules"][0]["Compliance"]["ComplianceType"]

    wait_until(lambda: compliance() == "NON_COMPLIANT", timeout=60)
    details = config.get_compliance_details_by_config_rule(ConfigRuleName="stack-versioning")["EvaluationResults"]
    assert [d["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] for d in details] == [bucket]

    cf.delete_stack(StackName=stack["StackId"])
    wait_until(lambda: cf.describe_stacks(StackName=stack["StackId"])["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE",
               timeout=60)
    assert config.describe_config_rules()["ConfigRules"] == []
    assert config.describe_configuration_recorders()["ConfigurationRecorders"] == []


PACK = """
Resources:
  Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: versioning
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
"""


def test_stack_with_aggregator_authorization_and_pack(overcast_server, account):
    cf, config = clients(overcast_server, account, "cloudformation", "config")
    name = f"agg-{uuid.uuid4().hex[:8]}"
    stack = create(cf, {"Resources": {
        "Aggregator": {"Type": "AWS::Config::ConfigurationAggregator", "Properties": {
            "ConfigurationAggregatorName": name,
            "AccountAggregationSources": [{"AccountIds": [account], "AllAwsRegions": True}]}},
        "Authorization": {"Type": "AWS::Config::AggregationAuthorization", "Properties": {
            "AuthorizedAccountId": "111122223333", "AuthorizedAwsRegion": "us-east-1"}},
        "Pack": {"Type": "AWS::Config::ConformancePack", "Properties": {
            "ConformancePackName": "storage", "TemplateBody": PACK}}},
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Aggregator", "ConfigurationAggregatorArn"]}}}})
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    arn = stack["Outputs"][0]["OutputValue"]
    assert arn.startswith(f"arn:aws:config:us-east-1:{account}:config-aggregator/")
    assert config.describe_aggregation_authorizations()["AggregationAuthorizations"][0][
        "AuthorizedAccountId"] == "111122223333"
    rules = [r["ConfigRuleName"] for r in config.describe_config_rules()["ConfigRules"]]
    assert len(rules) == 1 and rules[0].startswith("versioning-conformance-pack-")
    cf.delete_stack(StackName=stack["StackId"])
    assert wait(cf, stack["StackId"])["StackStatus"] == "DELETE_COMPLETE"
    assert config.describe_configuration_aggregators()["ConfigurationAggregators"] == []
    assert config.describe_config_rules()["ConfigRules"] == []
