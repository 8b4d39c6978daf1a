"""AWS Config end to end: the recorder sees overcast's buckets, a custom rule's function (invoked
asynchronously with AWS's event) answers with PutEvaluations, compliance follows, and compliance
changes reach EventBridge's default bus."""

from __future__ import annotations

import json
import uuid

from overcast.testing import wait_until
from tests.integration.config.helpers import clients, rule_function, start_recorder


def _compliance(config, rule):
    found = config.describe_compliance_by_config_rule(ConfigRuleNames=[rule])["ComplianceByConfigRules"]
    return found[0]["Compliance"]["ComplianceType"]


def _bucket_compliance(config, bucket):
    found = config.describe_compliance_by_resource(ResourceType="AWS::S3::Bucket", ResourceId=bucket)
    return found["ComplianceByResources"][0]["Compliance"]["ComplianceType"] if found["ComplianceByResources"] else None


def test_custom_rule_marks_bucket_without_versioning(overcast_server, account):
    config, s3, lam, events, sqs = clients(overcast_server, account, "config", "s3", "lambda", "events", "sqs")
    queue = sqs.create_queue(QueueName=f"cfg-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="compliance", EventPattern=json.dumps({"source": ["aws.config"],
                                                                "detail-type": ["Config Rules Compliance Change"]}))
    events.put_targets(Rule="compliance", Targets=[{"Id": "q", "Arn": queue_arn}])
    start_recorder(config, s3, account, f"cfg-delivery-{uuid.uuid4().hex[:8]}")
    bucket = f"cfg-watched-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    function_arn = rule_function(lam)
    config.put_config_rule(ConfigRule={
        "ConfigRuleName": "versioning", "Scope": {"ComplianceResourceTypes": ["AWS::S3::Bucket"]},
        "InputParameters": json.dumps({"wanted": "Enabled"}),
        "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": function_arn,
                   "SourceDetails": [{"EventSource": "aws.config",
                                      "MessageType": "ConfigurationItemChangeNotification"}]}})
    rule = config.describe_config_rules(ConfigRuleNames=["versioning"])["ConfigRules"][0]
    assert rule["ConfigRuleState"] == "ACTIVE" and rule["ConfigRuleId"].startswith("config-rule-")
    assert rule["ConfigRuleArn"] == f"arn:aws:config:us-east-1:{account}:config-rule/{rule['ConfigRuleId']}"

    wait_until(lambda: _bucket_compliance(config, bucket) == "NON_COMPLIANT", timeout=60)
    assert _compliance(config, "versioning") == "NON_COMPLIANT"
    details = config.get_compliance_details_by_config_rule(ConfigRuleName="versioning",
                                                           ComplianceTypes=["NON_COMPLIANT"])["EvaluationResults"]
    mine = [d for d in details if d["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"] == bucket]
    assert mine[0]["Annotation"] == "versioning is Off"
    status = config.describe_config_rule_evaluation_status(ConfigRuleNames=["versioning"])[
        "ConfigRulesEvaluationStatus"][0]
    assert status["FirstEvaluationStarted"] is True
    assert status["FirstActivatedTime"] <= status["LastSuccessfulInvocationTime"]
    assert status["FirstActivatedTime"] <= status["LastSuccessfulEvaluationTime"]

    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    wait_until(lambda: _bucket_compliance(config, bucket) == "COMPLIANT", timeout=60)
    by_resource = config.get_compliance_details_by_resource(ResourceType="AWS::S3::Bucket", ResourceId=bucket)
    assert [r["ComplianceType"] for r in by_resource["EvaluationResults"]] == ["COMPLIANT"]

    def change_event():
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            body = json.loads(message["Body"])
            detail = body["detail"]
            if detail["resourceId"] == bucket and detail["newEvaluationResult"]["complianceType"] == "COMPLIANT":
                return body
        return None

    event = wait_until(change_event, timeout=30)
    assert event["source"] == "aws.config" and event["detail-type"] == "Config Rules Compliance Change"
    assert event["detail"]["oldEvaluationResult"]["complianceType"] == "NON_COMPLIANT"
    assert event["detail"]["configRuleName"] == "versioning" and event["detail"]["awsAccountId"] == account


def test_recorder_records_configuration_items(overcast_server, account):
    config, s3, sqs = clients(overcast_server, account, "config", "s3", "sqs")
    start_recorder(config, s3, account, f"cfg-delivery-{uuid.uuid4().hex[:8]}")
    queue = sqs.create_queue(QueueName=f"cfg-q-{uuid.uuid4().hex[:8]}")["QueueUrl"]

    def discovered():
        found = config.list_discovered_resources(resourceType="AWS::SQS::Queue")["resourceIdentifiers"]
        return [r for r in found if r["resourceId"] == queue]

    found = wait_until(discovered, timeout=30)
    assert found[0]["resourceName"] == queue.rsplit("/", 1)[-1]
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "45"})
    history = wait_until(lambda: (lambda items: items if len(items) >= 2 else None)(
        config.get_resource_config_history(resourceType="AWS::SQS::Queue", resourceId=queue)["configurationItems"]),
        timeout=30)
    assert [i["configurationItemStatus"] for i in history[:2]] == ["OK", "ResourceDiscovered"]  # newest first
    assert json.loads(history[0]["configuration"])["VisibilityTimeout"] == "45"
    assert history[0]["version"] == "1.3" and history[0]["awsRegion"] == "us-east-1"
    sqs.delete_queue(QueueUrl=queue)
    wait_until(lambda: config.get_resource_config_history(
        resourceType="AWS::SQS::Queue", resourceId=queue)["configurationItems"][0]["configurationItemStatus"]
        == "ResourceDeleted", timeout=30)
    assert discovered() == []
    deleted = config.list_discovered_resources(resourceType="AWS::SQS::Queue", includeDeletedResources=True)
    assert next(r for r in deleted["resourceIdentifiers"] if r["resourceId"] == queue)["resourceDeletionTime"]
    status = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"][0]
    assert status["recording"] is True and status["lastStatus"] == "SUCCESS"
