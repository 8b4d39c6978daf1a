"""AWS Config's lists page with Limit and NextToken: rule evaluation status, compliance by resource,
compliance details, tags, aggregate resource counts by group, organization conformance pack
detailed status (they answered every item whatever Limit said)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from overcast.testing import wait_until
from tests.integration.config.helpers import clients, start_recorder

_VERSIONING = {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}


def _pages(call: Callable[..., dict[str, Any]], key: str, limit: int, **params: Any) -> list[list[Any]]:
    """Every page of a list read `limit` items at a time, following NextToken to the end."""
    pages, token = [], None
    while True:
        found = call(Limit=limit, **params, **({"NextToken": token} if token else {}))
        pages.append(found[key])
        token = found.get("NextToken")
        if not token:
            return pages


def test_rule_lists_page(overcast_server, account):
    config, s3 = clients(overcast_server, account, "config", "s3")
    prefix = f"cfg-paging-{uuid.uuid4().hex[:8]}"
    start_recorder(config, s3, account, f"{prefix}-0")
    buckets = {f"{prefix}-0", f"{prefix}-1", f"{prefix}-2"}
    for bucket in sorted(buckets - {f"{prefix}-0"}):
        s3.create_bucket(Bucket=bucket)
    rules = ["rule-a", "rule-b", "rule-c"]
    for name in rules:
        config.put_config_rule(ConfigRule={"ConfigRuleName": name, "Source": _VERSIONING,
                                           "Scope": {"ComplianceResourceTypes": ["AWS::S3::Bucket"]}})

    def evaluated() -> bool:
        found = config.get_compliance_details_by_config_rule(ConfigRuleName="rule-a")["EvaluationResults"]
        return buckets <= {r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] for r in found}

    wait_until(evaluated, 60, "the three buckets evaluated")

    statuses = _pages(config.describe_config_rule_evaluation_status, "ConfigRulesEvaluationStatus", 2)
    assert [len(page) for page in statuses] == [2, 1]
    assert sorted(s["ConfigRuleName"] for page in statuses for s in page) == rules

    details = _pages(config.get_compliance_details_by_config_rule, "EvaluationResults", 2, ConfigRuleName="rule-a")
    assert all(len(page) <= 2 for page in details) and len(details) >= 2
    ids = [r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] for page in details for r in page]
    assert len(ids) == len(set(ids)) and buckets <= set(ids)

    by_resource = _pages(config.describe_compliance_by_resource, "ComplianceByResources", 1,
                         ResourceType="AWS::S3::Bucket")
    assert all(len(page) == 1 for page in by_resource)
    assert buckets <= {page[0]["ResourceId"] for page in by_resource}

    # the lists without Limit answer everything in one page (fewer than their page size)
    by_rule = config.describe_compliance_by_config_rule()
    assert sorted(c["ConfigRuleName"] for c in by_rule["ComplianceByConfigRules"]) == rules
    assert "NextToken" not in by_rule
    per_bucket = config.get_compliance_details_by_resource(ResourceType="AWS::S3::Bucket", ResourceId=f"{prefix}-1")
    assert len(per_bucket["EvaluationResults"]) == 3 and "NextToken" not in per_bucket


def test_tags_page(overcast_server, account):
    (config,) = clients(overcast_server, account, "config")
    config.put_config_rule(ConfigRule={"ConfigRuleName": "tagged", "Source": _VERSIONING},
                           Tags=[{"Key": f"k{i}", "Value": str(i)} for i in range(5)])
    arn = config.describe_config_rules(ConfigRuleNames=["tagged"])["ConfigRules"][0]["ConfigRuleArn"]
    pages = _pages(config.list_tags_for_resource, "Tags", 2, ResourceArn=arn)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [t["Key"] for page in pages for t in page] == [f"k{i}" for i in range(5)]


def test_aggregate_counts_page_their_groups(overcast_server, account):
    config, s3, sqs = clients(overcast_server, account, "config", "s3", "sqs")
    start_recorder(config, s3, account, f"cfg-aggpage-{uuid.uuid4().hex[:8]}")
    sqs.create_queue(QueueName=f"cfg-aggpage-{uuid.uuid4().hex[:8]}")
    config.put_configuration_aggregator(ConfigurationAggregatorName="mine", AccountAggregationSources=[
        {"AccountIds": [account], "AwsRegions": ["us-east-1"]}])

    def grouped() -> dict[str, Any] | None:
        found = config.get_aggregate_discovered_resource_counts(ConfigurationAggregatorName="mine",
                                                                GroupByKey="RESOURCE_TYPE")
        kinds = {g["GroupName"] for g in found["GroupedResourceCounts"]}
        return found if {"AWS::S3::Bucket", "AWS::SQS::Queue"} <= kinds else None

    everything = wait_until(grouped, 60, "a bucket and a queue aggregated")
    pages = _pages(config.get_aggregate_discovered_resource_counts, "GroupedResourceCounts", 1,
                   ConfigurationAggregatorName="mine", GroupByKey="RESOURCE_TYPE")
    assert all(len(page) == 1 for page in pages)
    assert [g for page in pages for g in page] == everything["GroupedResourceCounts"]
    first = config.get_aggregate_discovered_resource_counts(ConfigurationAggregatorName="mine",
                                                            GroupByKey="RESOURCE_TYPE", Limit=1)
    assert first["TotalDiscoveredResources"] == everything["TotalDiscoveredResources"]  # the total counts all


def test_organization_pack_detailed_status_pages(overcast_server, account):
    (config,) = clients(overcast_server, account, "config")
    config.put_organization_conformance_pack(OrganizationConformancePackName="org-detail", TemplateBody="""
Resources:
  Versioning:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: s3-versioning
      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}
""")
    found = config.get_organization_conformance_pack_detailed_status(OrganizationConformancePackName="org-detail",
                                                                     Limit=1)
    assert len(found["OrganizationConformancePackDetailedStatuses"]) == 1 and "NextToken" not in found


def test_a_token_not_handed_out_is_refused(overcast_server, account):
    (config,) = clients(overcast_server, account, "config")
    config.put_config_rule(ConfigRule={"ConfigRuleName": "tokens", "Source": _VERSIONING})
    arn = config.describe_config_rules(ConfigRuleNames=["tokens"])["ConfigRules"][0]["ConfigRuleArn"]
    for call, params, code in (
            (config.list_tags_for_resource, {"ResourceArn": arn}, "InvalidNextTokenException"),
            (config.describe_compliance_by_resource, {}, "InvalidNextTokenException"),
            (config.describe_config_rule_evaluation_status, {}, "InvalidNextTokenException"),
            # the one list whose model names no InvalidNextTokenException
            (config.get_compliance_details_by_resource, {"ResourceType": "AWS::S3::Bucket", "ResourceId": "b"},
             "InvalidParameterValueException")):
        with pytest.raises(ClientError) as excinfo:
            call(NextToken="not-a-token", **params)
        assert excinfo.value.response["Error"]["Code"] == code
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
