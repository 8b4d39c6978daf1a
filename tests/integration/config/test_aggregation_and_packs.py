"""AWS Config's aggregators (another account's items only once it authorizes the aggregator),
retention configurations and conformance packs (the template's rules deployed and evaluated)."""

from __future__ import annotations

import uuid

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from overcast.testing import wait_until
from tests.integration.config.helpers import clients, new_account, start_recorder

PACK_TEMPLATE = """
Parameters:
  WantedStatus:
    Type: String
    Default: Enabled
Resources:
  Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: s3-versioning
      Scope:
        ComplianceResourceTypes: [AWS::S3::Bucket]
      Source:
        Owner: AWS
        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
      InputParameters:
        status: !Ref WantedStatus
  NotARule:
    Type: AWS::SNS::Topic
"""


def _code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def _buckets_seen(config, name: str) -> set[tuple[str, str]]:
    found = config.list_aggregate_discovered_resources(ConfigurationAggregatorName=name,
                                                       ResourceType="AWS::S3::Bucket")["ResourceIdentifiers"]
    return {(r["SourceAccountId"], r["ResourceId"]) for r in found}


def test_aggregator_reads_authorized_accounts(overcast_server, account):
    other = new_account()
    config, s3 = clients(overcast_server, account, "config", "s3")
    other_config, other_s3 = clients(overcast_server, other, "config", "s3")
    mine, theirs = f"agg-mine-{uuid.uuid4().hex[:8]}", f"agg-theirs-{uuid.uuid4().hex[:8]}"
    start_recorder(config, s3, account, mine)
    start_recorder(other_config, other_s3, other, theirs)
    try:
        with pytest.raises(ClientError) as excinfo:
            config.put_configuration_aggregator(ConfigurationAggregatorName="all", AccountAggregationSources=[
                {"AccountIds": [account, other]}])
        assert _code(excinfo) == "InvalidParameterValueException"
        created = config.put_configuration_aggregator(ConfigurationAggregatorName="all", AccountAggregationSources=[
            {"AccountIds": [account, other], "AwsRegions": ["us-east-1"]}],
            Tags=[{"Key": "team", "Value": "ops"}])["ConfigurationAggregator"]
        assert created["ConfigurationAggregatorArn"].startswith(
            f"arn:aws:config:us-east-1:{account}:config-aggregator/config-aggregator-")
        assert config.list_tags_for_resource(ResourceArn=created["ConfigurationAggregatorArn"])["Tags"] == [
            {"Key": "team", "Value": "ops"}]
        wait_until(lambda: (account, mine) in _buckets_seen(config, "all"), 60, "own bucket aggregated")
        assert not any(acct == other for acct, _ in _buckets_seen(config, "all"))  # not authorized yet
        pending = other_config.describe_pending_aggregation_requests()["PendingAggregationRequests"]
        assert {"RequesterAccountId": account, "RequesterAwsRegion": "us-east-1"} in pending
        other_config.put_aggregation_authorization(AuthorizedAccountId=account, AuthorizedAwsRegion="us-east-1")
        wait_until(lambda: (other, theirs) in _buckets_seen(config, "all"), 60, "authorized account aggregated")
        item = config.get_aggregate_resource_config(ConfigurationAggregatorName="all", ResourceIdentifier={
            "SourceAccountId": other, "SourceRegion": "us-east-1", "ResourceId": theirs,
            "ResourceType": "AWS::S3::Bucket"})["ConfigurationItem"]
        assert item["accountId"] == other and item["resourceName"] == theirs
        config.delete_configuration_aggregator(ConfigurationAggregatorName="all")
        with pytest.raises(ClientError) as excinfo:
            config.describe_configuration_aggregators(ConfigurationAggregatorNames=["all"])
        assert _code(excinfo) == "NoSuchConfigurationAggregatorException"
    finally:
        other_config.stop_configuration_recorder(ConfigurationRecorderName="default")


def test_retention_configuration(overcast_server, account):
    config = clients(overcast_server, account, "config")[0]
    unchecked = overcast_server.client("config", aws_access_key_id=account, aws_secret_access_key="test",
                                       config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as excinfo:
        unchecked.put_retention_configuration(RetentionPeriodInDays=29)
    assert _code(excinfo) == "ValidationException"
    assert config.put_retention_configuration(RetentionPeriodInDays=365)["RetentionConfiguration"] == {
        "Name": "default", "RetentionPeriodInDays": 365}
    assert config.describe_retention_configurations()["RetentionConfigurations"] == [
        {"Name": "default", "RetentionPeriodInDays": 365}]
    config.delete_retention_configuration(RetentionConfigurationName="default")
    with pytest.raises(ClientError) as excinfo:
        config.delete_retention_configuration(RetentionConfigurationName="default")
    assert _code(excinfo) == "NoSuchRetentionConfigurationException"


def test_conformance_pack_deploys_its_rules(overcast_server, account):
    config, s3 = clients(overcast_server, account, "config", "s3")
    start_recorder(config, s3, account, f"cfg-pack-{uuid.uuid4().hex[:8]}")
    templates = f"cfg-templates-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=templates)
    s3.put_object(Bucket=templates, Key="pack.yaml", Body=PACK_TEMPLATE.encode())
    arn = config.put_conformance_pack(ConformancePackName="storage",
                                      TemplateS3Uri=f"s3://{templates}/pack.yaml")["ConformancePackArn"]
    assert arn.startswith(f"arn:aws:config:us-east-1:{account}:conformance-pack/storage/conformance-pack-")
    rules = config.describe_config_rules()["ConfigRules"]
    assert len(rules) == 1
    rule = rules[0]
    assert rule["ConfigRuleName"].startswith("s3-versioning-conformance-pack-")
    assert rule["CreatedBy"] == "config-conforms.amazonaws.com"
    assert rule["InputParameters"] == '{"status": "Enabled"}'
    status = config.describe_conformance_pack_status(ConformancePackNames=["storage"])
    assert status["ConformancePackStatusDetails"][0]["ConformancePackState"] == "CREATE_COMPLETE"

    def summary():
        found = config.get_conformance_pack_compliance_summary(ConformancePackNames=["storage"])
        return found["ConformancePackComplianceSummaryList"][0]["ConformancePackComplianceStatus"]

    wait_until(lambda: summary() == "NON_COMPLIANT", 60, "the pack non-compliant (buckets without versioning)")
    by_rule = config.describe_conformance_pack_compliance(ConformancePackName="storage")
    assert by_rule["ConformancePackRuleComplianceList"][0]["ComplianceType"] == "NON_COMPLIANT"
    details = config.get_conformance_pack_compliance_details(ConformancePackName="storage")
    assert {r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
            for r in details["ConformancePackRuleEvaluationResults"]} >= {templates}

    with pytest.raises(ClientError) as excinfo:
        config.put_conformance_pack(ConformancePackName="broken", TemplateBody="Resources: [not, a, map]")
    assert _code(excinfo) == "ValidationException"
    config.delete_conformance_pack(ConformancePackName="storage")
    assert config.describe_config_rules()["ConfigRules"] == []
    with pytest.raises(ClientError) as excinfo:
        config.describe_conformance_packs(ConformancePackNames=["storage"])
    assert _code(excinfo) == "NoSuchConformancePackException"
