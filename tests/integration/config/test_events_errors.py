"""The event a custom rule's function receives (change and scheduled notifications), an AWS managed
rule overcast evaluates itself, and AWS Config's errors."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function, wait_until
from tests.integration.config.helpers import ROLE, clients, start_recorder

#: keeps every event it receives in a queue, and reports the account compliant on schedules
CAPTURE = """
import json, os, boto3
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE"], MessageBody=json.dumps(event))
    invoking = json.loads(event["invokingEvent"])
    if invoking["messageType"] == "ScheduledNotification":
        boto3.client("config").put_evaluations(ResultToken=event["resultToken"], Evaluations=[{
            "ComplianceResourceType": "AWS::::Account", "ComplianceResourceId": event["accountId"],
            "ComplianceType": "COMPLIANT", "OrderingTimestamp": invoking["notificationCreationTime"]}])
"""


def _code(call) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"]


def _events(sqs, queue):
    def received():
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]
    return received


def test_change_and_scheduled_events(overcast_server, account):
    config, s3, lam, sqs = clients(overcast_server, account, "config", "s3", "lambda", "sqs")
    queue = sqs.create_queue(QueueName=f"cfg-ev-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    start_recorder(config, s3, account, f"cfg-ev-{uuid.uuid4().hex[:8]}")
    name = create_function(lam, CAPTURE, Timeout=60, Environment={"Variables": {"QUEUE": queue}})
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    config.put_config_rule(ConfigRule={
        "ConfigRuleName": "tables", "InputParameters": '{"max": "3"}',
        "Scope": {"ComplianceResourceTypes": ["AWS::DynamoDB::Table"]},
        "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": arn, "SourceDetails": [
            {"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"}]}})
    ddb = clients(overcast_server, account, "dynamodb")[0]
    table = f"cfg-t-{uuid.uuid4().hex[:8]}"
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    event = wait_until(_events(sqs, queue), timeout=60)[0]
    rule = config.describe_config_rules(ConfigRuleNames=["tables"])["ConfigRules"][0]
    assert event["version"] == "1.0" and event["accountId"] == account and event["eventLeftScope"] is False
    assert (event["configRuleName"], event["configRuleArn"], event["configRuleId"]) == (
        "tables", rule["ConfigRuleArn"], rule["ConfigRuleId"])
    assert event["executionRoleArn"] == ROLE.format(account=account)
    assert json.loads(event["ruleParameters"]) == {"max": "3"} and event["resultToken"]
    invoking = json.loads(event["invokingEvent"])
    assert invoking["messageType"] == "ConfigurationItemChangeNotification"
    item = invoking["configurationItem"]
    assert (item["resourceType"], item["resourceId"], item["configurationItemStatus"]) == (
        "AWS::DynamoDB::Table", table, "ResourceDiscovered")
    assert item["configuration"]["tableName"] == table and item["ARN"].endswith(f":table/{table}")
    assert item["awsAccountId"] == account and item["configurationItemVersion"] == "1.3"

    config.put_config_rule(ConfigRule={
        "ConfigRuleName": "periodic", "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": arn, "SourceDetails": [
            {"EventSource": "aws.config", "MessageType": "ScheduledNotification",
             "MaximumExecutionFrequency": "One_Hour"}]}})

    def scheduled():
        return [e for e in _events(sqs, queue)() if e["configRuleName"] == "periodic"]

    invoking = json.loads(wait_until(scheduled, timeout=60)[0]["invokingEvent"])
    assert invoking["messageType"] == "ScheduledNotification" and invoking["awsAccountId"] == account
    wait_until(lambda: config.describe_compliance_by_config_rule(ConfigRuleNames=["periodic"])[
        "ComplianceByConfigRules"][0]["Compliance"]["ComplianceType"] == "COMPLIANT", timeout=60)


def test_managed_rule_s3_bucket_versioning(overcast_server, account):
    config, s3 = clients(overcast_server, account, "config", "s3")
    start_recorder(config, s3, account, f"cfg-m-{uuid.uuid4().hex[:8]}")
    bucket = f"cfg-m-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    config.put_config_rule(ConfigRule={"ConfigRuleName": "managed", "Source": {
        "Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})

    def compliance():
        found = config.describe_compliance_by_resource(ResourceType="AWS::S3::Bucket", ResourceId=bucket)
        return [r["Compliance"]["ComplianceType"] for r in found["ComplianceByResources"]]

    wait_until(lambda: compliance() == ["COMPLIANT"], timeout=30)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    wait_until(lambda: compliance() == ["NON_COMPLIANT"], timeout=30)

    # a rule scoped by tag evaluates the bucket once it carries the tag (the item's tags)
    config.put_config_rule(ConfigRule={"ConfigRuleName": "tagged", "Scope": {"TagKey": "audit", "TagValue": "yes"},
                                       "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})
    details = config.get_compliance_details_by_config_rule(ConfigRuleName="tagged")["EvaluationResults"]
    assert details == []
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "audit", "Value": "yes"}]})
    wait_until(lambda: config.get_compliance_details_by_config_rule(ConfigRuleName="tagged")["EvaluationResults"],
               timeout=30)
    item = config.get_resource_config_history(resourceType="AWS::S3::Bucket", resourceId=bucket)["configurationItems"][0]
    assert item["tags"] == {"audit": "yes"}


def test_errors(overcast_server, account):
    config, s3 = clients(overcast_server, account, "config", "s3")
    raw = overcast_server.client("config", aws_access_key_id=account, aws_secret_access_key="test", validate=False)
    assert _code(lambda: config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "x"})) == \
        "NoAvailableConfigurationRecorderException"
    config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": ROLE.format(account=account)})
    assert _code(lambda: config.put_configuration_recorder(ConfigurationRecorder={
        "name": "other", "roleARN": ROLE.format(account=account)})) == "MaxNumberOfConfigurationRecordersExceededException"
    assert _code(lambda: config.start_configuration_recorder(ConfigurationRecorderName="default")) == \
        "NoAvailableDeliveryChannelException"
    assert _code(lambda: config.start_configuration_recorder(ConfigurationRecorderName="nope")) == \
        "NoSuchConfigurationRecorderException"
    assert _code(lambda: config.put_delivery_channel(DeliveryChannel={
        "name": "default", "s3BucketName": f"missing-{uuid.uuid4().hex[:8]}"})) == "NoSuchBucketException"
    bucket = f"cfg-e-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    assert _code(lambda: config.delete_delivery_channel(DeliveryChannelName="default")) == \
        "LastDeliveryChannelDeleteFailedException"
    assert _code(lambda: config.describe_config_rules(ConfigRuleNames=["nope"])) == "NoSuchConfigRuleException"
    assert _code(lambda: config.delete_config_rule(ConfigRuleName="nope")) == "NoSuchConfigRuleException"
    evaluation = {"ComplianceResourceType": "AWS::S3::Bucket", "ComplianceResourceId": bucket,
                  "ComplianceType": "COMPLIANT", "OrderingTimestamp": datetime.now(UTC)}
    assert _code(lambda: config.put_evaluations(ResultToken="not-a-token", Evaluations=[evaluation])) == \
        "InvalidResultTokenException"
    assert _code(lambda: config.put_evaluations(ResultToken="not-a-token", Evaluations=[])) == \
        "InvalidParameterValueException"
    assert _code(lambda: config.put_configuration_recorder(ConfigurationRecorder={"roleARN": "arn"})) == \
        "InvalidConfigurationRecorderNameException"
    missing = f"arn:aws:lambda:us-east-1:{account}:function:missing"
    assert _code(lambda: config.put_config_rule(ConfigRule={"ConfigRuleName": "r", "Source": {
        "Owner": "CUSTOM_LAMBDA", "SourceIdentifier": missing, "SourceDetails": [
            {"EventSource": "aws.config", "MessageType": "ScheduledNotification"}]}})) == \
        "InsufficientPermissionsException"
    assert _code(lambda: config.put_config_rule(ConfigRule={"ConfigRuleName": "r", "Source": {
        "Owner": "CUSTOM_LAMBDA", "SourceIdentifier": missing}})) == "InvalidParameterValueException"
    assert _code(lambda: raw.put_config_rule(ConfigRule={"ConfigRuleName": "r", "MaximumExecutionFrequency": "Weekly",
                                                         "Source": {"Owner": "AWS",
                                                                    "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}})) \
        == "ValidationException"
    assert _code(lambda: config.get_resource_config_history(resourceType="AWS::S3::Bucket", resourceId="nope")) == \
        "ResourceNotDiscoveredException"
    config.stop_configuration_recorder(ConfigurationRecorderName="default")
    config.delete_delivery_channel(DeliveryChannelName="default")
    assert config.describe_delivery_channels()["DeliveryChannels"] == []


def test_rule_tags_and_update_by_id(overcast_server, account):
    config = clients(overcast_server, account, "config")[0]
    source = {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}
    config.put_config_rule(ConfigRule={"ConfigRuleName": "tagged", "Source": source},
                           Tags=[{"Key": "team", "Value": "a"}])
    rule = config.describe_config_rules(ConfigRuleNames=["tagged"])["ConfigRules"][0]
    arn = rule["ConfigRuleArn"]
    config.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    assert config.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "a"}]
    config.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert config.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    assert _code(lambda: config.tag_resource(ResourceArn="bad_arn", Tags=[{"Key": "k", "Value": "v"}])) == \
        "ResourceNotFoundException"
    config.put_config_rule(ConfigRule={"ConfigRuleId": rule["ConfigRuleId"], "Description": "updated",
                                       "Source": source})
    updated = config.describe_config_rules(ConfigRuleNames=["tagged"])["ConfigRules"][0]
    assert updated["Description"] == "updated" and updated["ConfigRuleArn"] == arn
    assert _code(lambda: config.put_config_rule(ConfigRule={"ConfigRuleId": "foo", "Source": source})) == \
        "InvalidParameterValueException"
    page = config.describe_config_rules()
    assert [r["ConfigRuleName"] for r in page["ConfigRules"]] == ["tagged"] and "NextToken" not in page
