"""`--iam enforce`: services that invoke functions or deliver to topics and queues as their service
principal (Cognito triggers, SES receipt rules, CodeCommit triggers...) need the target's resource
policy to allow them for the source; refused, the caller sees what AWS shows."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from overcast.testing import wait_until
from tests.integration.iam.test_deliveries import _denied, _function

PRE_SIGN_UP = """
def handler(event, context):
    event["response"]["autoConfirmUser"] = True
    return event
"""


def test_cognito_triggers_need_the_function_policy_for_the_pool(account):
    name, _ = _function(account, PRE_SIGN_UP)
    function = f"arn:aws:lambda:us-east-1:{account.id}:function:{name}"
    idp = account.root("cognito-idp")
    pool = idp.create_user_pool(PoolName="users", LambdaConfig={"PreSignUp": function})["UserPool"]
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app")["UserPoolClient"]
    with pytest.raises(ClientError) as caught:
        idp.sign_up(ClientId=client["ClientId"], Username="ann", Password="Passw0rd!Passw0rd")
    assert caught.value.response["Error"]["Code"] == "UnexpectedLambdaException"
    assert caught.value.response["Error"]["Message"] == \
        "PreSignUp invocation failed due to error AccessDeniedException."
    lam = account.root("lambda")
    lam.add_permission(FunctionName=name, StatementId="cognito", Action="lambda:InvokeFunction",
                       Principal="cognito-idp.amazonaws.com", SourceArn=pool["Arn"])
    signed = idp.sign_up(ClientId=client["ClientId"], Username="ann", Password="Passw0rd!Passw0rd")
    assert signed["UserConfirmed"] is True


def _alarm(account, name: str, action: str) -> None:
    cw = account.root("cloudwatch")
    cw.put_metric_alarm(AlarmName=name, MetricName="Depth", Namespace="App", Statistic="Maximum", Period=3600,
                        EvaluationPeriods=1, Threshold=10.0, ComparisonOperator="GreaterThanThreshold",
                        AlarmActions=[action])
    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="test")


def _actions(account, name: str) -> list[str]:
    items = account.root("cloudwatch").describe_alarm_history(AlarmName=name, HistoryItemType="Action")
    return [item["HistorySummary"] for item in items["AlarmHistoryItems"]]


def test_alarm_actions_publish_with_the_accounts_authority_and_invoke_as_cloudwatch(account):
    sns = account.root("sns")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    _alarm(account, "allowed", topic)  # the default topic policy lets the owner's alarms publish
    assert _actions(account, "allowed") == [f"Successfully executed action {topic}"]
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "SNS:Publish",
                                                    "Resource": topic}]}
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(deny))
    _alarm(account, "denied", topic)
    alarm = f"arn:aws:cloudwatch:us-east-1:{account.id}:alarm:denied"
    assert _actions(account, "denied") == [
        f"Failed to execute action {topic}. Received error: 'Resource: {alarm} is not authorized to perform: "
        f"SNS:Publish on resource: {topic}'"]

    name, _ = _function(account, "def handler(event, context):\n    return None\n")
    function = f"arn:aws:lambda:us-east-1:{account.id}:function:{name}"
    _alarm(account, "fn", function)
    assert _actions(account, "fn")[0].startswith(f"Failed to execute action {function}. Received error: ")
    account.root("lambda").add_permission(
        FunctionName=name, StatementId="alarms", Action="lambda:InvokeFunction",
        Principal="lambda.alarms.cloudwatch.amazonaws.com",
        SourceArn=f"arn:aws:cloudwatch:us-east-1:{account.id}:alarm:fn")
    account.root("cloudwatch").set_alarm_state(AlarmName="fn", StateValue="OK", StateReason="reset")
    _alarm(account, "fn", function)
    assert _actions(account, "fn")[0] == f"Successfully executed action {function}"


def _error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_ses_receipt_rules_need_the_targets_policies(account):
    ses = account.root("ses")
    ses.create_receipt_rule_set(RuleSetName="inbound")
    name, _ = _function(account, "def handler(event, context):\n    return None\n")
    function = f"arn:aws:lambda:us-east-1:{account.id}:function:{name}"
    rule = {"Name": "to-fn", "Enabled": True, "Recipients": ["in@example.com"],
            "Actions": [{"LambdaAction": {"FunctionArn": function, "InvocationType": "Event"}}]}
    assert _error(ses.create_receipt_rule, RuleSetName="inbound", Rule=rule) == (
        "InvalidLambdaFunction", f"Could not invoke Lambda function: {function}")
    account.root("lambda").add_permission(FunctionName=name, StatementId="ses", Action="lambda:InvokeFunction",
                                          Principal="ses.amazonaws.com", SourceAccount=account.id)
    ses.create_receipt_rule(RuleSetName="inbound", Rule=rule)

    bucket = f"mail-{account.id}"
    s3 = account.root("s3")
    s3.create_bucket(Bucket=bucket)
    store = {"Name": "to-s3", "Enabled": True, "Recipients": ["in@example.com"],
             "Actions": [{"S3Action": {"BucketName": bucket, "ObjectKeyPrefix": "raw/"}}]}
    assert _error(ses.create_receipt_rule, RuleSetName="inbound", Rule=store) == (
        "InvalidS3Configuration", f"Could not write to bucket: {bucket}")
    source = f"arn:aws:ses:us-east-1:{account.id}:receipt-rule-set/inbound:receipt-rule/to-s3"
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/*", "Condition": {"StringEquals": {"aws:SourceAccount": account.id},
                                                               "ArnLike": {"aws:SourceArn": source}}}]}))
    ses.create_receipt_rule(RuleSetName="inbound", Rule=store)


FIREHOSE_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "firehose.amazonaws.com"}}]}


def test_firehose_writes_to_s3_with_the_destinations_role(account):
    iam, s3 = account.root("iam"), account.root("s3")
    role = iam.create_role(RoleName="firehose-s3", AssumeRolePolicyDocument=json.dumps(FIREHOSE_TRUST))["Role"]["Arn"]
    bucket = f"fh-{account.id}"
    s3.create_bucket(Bucket=bucket)
    firehose = account.root("firehose")
    firehose.create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration={
        "RoleARN": role, "BucketARN": f"arn:aws:s3:::{bucket}",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}})
    firehose.put_record(DeliveryStreamName="clicks", Record={"Data": b"one\n"})
    session = f"arn:aws:sts::{account.id}:assumed-role/firehose-s3/clicks"
    denial = _denied(account.server, session, f"arn:aws:s3:::{bucket}/*")
    assert denial["action"] == "s3:PutObject"
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    iam.put_role_policy(RoleName="firehose-s3", PolicyName="write", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject",
                                                "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    # the records stayed buffered: they are delivered once the role may write
    (obj,) = wait_until(lambda: s3.list_objects_v2(Bucket=bucket).get("Contents"), 60, "the object")
    assert s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read() == b"one\n"


def test_codecommit_triggers_need_the_function_policy_for_the_repository(account, enforcing):
    name, _ = _function(account, "def handler(event, context):\n    return None\n")
    function = f"arn:aws:lambda:us-east-1:{account.id}:function:{name}"
    cc = account.root("codecommit")
    repo = cc.create_repository(repositoryName="app")["repositoryMetadata"]["Arn"]
    triggers = [{"name": "on-push", "destinationArn": function, "events": ["all"]}]
    cc.put_repository_triggers(repositoryName="app", triggers=triggers)
    tested = cc.test_repository_triggers(repositoryName="app", triggers=triggers)
    assert tested["successfulExecutions"] == []
    (failed,) = tested["failedExecutions"]
    assert failed["trigger"] == "on-push"
    assert failed["failureMessage"].startswith("User: codecommit.amazonaws.com is not authorized to perform: "
                                               f"lambda:InvokeFunction on resource: {function}")
    assert _denied(enforcing, "codecommit.amazonaws.com", function)["grant"]["statement"]["Condition"] == {
        "ArnEquals": {"aws:SourceArn": repo}}
    account.root("lambda").add_permission(FunctionName=name, StatementId="cc", Action="lambda:InvokeFunction",
                                          Principal="codecommit.amazonaws.com", SourceArn=repo)
    tested = cc.test_repository_triggers(repositoryName="app", triggers=triggers)
    assert (tested["successfulExecutions"], tested["failedExecutions"]) == (["on-push"], [])


CONFIG_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                       "Principal": {"Service": "config.amazonaws.com"}}]}


def test_config_delivery_channel_needs_the_recorders_role_to_write(account):
    iam, s3, config = account.root("iam"), account.root("s3"), account.root("config")
    role = iam.create_role(RoleName="recorder", AssumeRolePolicyDocument=json.dumps(CONFIG_TRUST))["Role"]["Arn"]
    config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": role})
    bucket = f"config-{account.id}"
    s3.create_bucket(Bucket=bucket)
    channel = {"name": "default", "s3BucketName": bucket, "s3KeyPrefix": "cfg"}
    assert _error(config.put_delivery_channel, DeliveryChannel=channel) == (
        "InsufficientDeliveryPolicyException",
        f"Insufficient delivery policy to s3 bucket: {bucket}, unable to write to bucket, provided s3 key prefix is "
        "'cfg', provided kms key is 'null'.")
    iam.put_role_policy(RoleName="recorder", PolicyName="deliver", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject",
                                                "Resource": f"arn:aws:s3:::{bucket}/cfg/AWSLogs/{account.id}/*"}]}))
    config.put_delivery_channel(DeliveryChannel=channel)
    assert config.describe_delivery_channels()["DeliveryChannels"][0]["s3BucketName"] == bucket


def test_dynamodb_kinesis_streaming_needs_the_caller_to_write_the_stream(account):
    account.root("kinesis").create_stream(StreamName="changes", ShardCount=1)
    stream = f"arn:aws:kinesis:us-east-1:{account.id}:stream/changes"
    account.root("dynamodb").create_table(
        TableName="items", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    table_only = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:EnableKinesisStreamingDestination", "Resource": "*"},
        {"Effect": "Allow", "Action": ["kinesis:ListStreams", "kinesis:DescribeStream"], "Resource": "*"}]}
    key = account.user("streamer", policy=table_only)
    ddb = account.as_keys("dynamodb", key)
    code, message = _error(ddb.enable_kinesis_streaming_destination, TableName="items", StreamArn=stream)
    assert (code, message) == ("AccessDeniedException", (
        f"User: arn:aws:iam::{account.id}:user/streamer is not authorized to perform: kinesis:PutRecords on "
        f"resource: {stream} because no identity-based policy allows the kinesis:PutRecords action"))
    account.root("iam").put_user_policy(UserName="streamer", PolicyName="put", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:PutRecords",
                                                "Resource": stream}]}))
    assert ddb.enable_kinesis_streaming_destination(TableName="items", StreamArn=stream)["DestinationStatus"] \
        == "ENABLING"


def test_ses_event_destinations_publish_with_the_accounts_authority(account, enforcing):
    sns, ses = account.root("sns"), account.root("ses")
    topic = sns.create_topic(Name="mail-events")["TopicArn"]
    ses.create_configuration_set(ConfigurationSet={"Name": "tracked"})
    ses.create_configuration_set_event_destination(ConfigurationSetName="tracked", EventDestination={
        "Name": "all", "Enabled": True, "MatchingEventTypes": ["send"], "SNSDestination": {"TopicARN": topic}})
    sender = f"app@{account.id}.example.net"
    ses.verify_email_identity(EmailAddress=sender)
    url = account.root("sqs").create_queue(QueueName="mail-events")["QueueUrl"]
    queue = f"arn:aws:sqs:us-east-1:{account.id}:mail-events"
    account.root("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                                "Action": "sqs:SendMessage", "Resource": queue}]})})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"})

    def send() -> None:
        ses.send_email(Source=sender, ConfigurationSetName="tracked", Destination={"ToAddresses": ["a@example.com"]},
                       Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})

    send()  # the topic's default policy lets its own account's SES publish
    got = wait_until(lambda: account.root("sqs").receive_message(QueueUrl=url).get("Messages"), 30, "the event")
    assert json.loads(got[0]["Body"])["eventType"] == "Send"
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "SNS:Publish",
                                                    "Resource": topic}]}
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(deny))
    send()
    denial = _denied(enforcing, f"arn:aws:iam::{account.id}:root", topic)
    assert denial["reason"].startswith("deny-") and denial["action"] == "sns:Publish"


def test_stream_mapping_failures_go_to_the_destination_with_the_execution_role(account, enforcing):
    kinesis = account.root("kinesis")
    kinesis.create_stream(StreamName="failing", ShardCount=1)
    stream = f"arn:aws:kinesis:us-east-1:{account.id}:stream/failing"
    name, role = _function(account, "def handler(event, context):\n    raise ValueError('no')\n",
                           "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole")
    url = account.root("sqs").create_queue(QueueName="stream-dlq")["QueueUrl"]
    dlq = f"arn:aws:sqs:us-east-1:{account.id}:stream-dlq"
    account.root("lambda").create_event_source_mapping(
        EventSourceArn=stream, FunctionName=name, StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=0,
        BatchSize=1, DestinationConfig={"OnFailure": {"Destination": dlq}})
    kinesis.put_record(StreamName="failing", Data=b"1", PartitionKey="k")
    role_name = role.rsplit("/", 1)[1]
    denial = _denied(enforcing, f"arn:aws:sts::{account.id}:assumed-role/{role_name}/{name}", dlq)
    assert denial["action"] == "sqs:SendMessage"
    account.root("iam").put_role_policy(RoleName=role_name, PolicyName="dlq", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": dlq}]}))
    kinesis.put_record(StreamName="failing", Data=b"2", PartitionKey="k")
    got = wait_until(lambda: account.root("sqs").receive_message(QueueUrl=url).get("Messages"), 60, "the failure")
    assert json.loads(got[0]["Body"])["KinesisBatchInfo"]["batchSize"] == 1


def test_firehose_reads_its_kinesis_source_with_the_sources_role(account):
    iam, s3 = account.root("iam"), account.root("s3")
    role = iam.create_role(RoleName="firehose-src", AssumeRolePolicyDocument=json.dumps(FIREHOSE_TRUST))["Role"]["Arn"]
    bucket = f"fh-src-{account.id}"
    s3.create_bucket(Bucket=bucket)
    iam.put_role_policy(RoleName="firehose-src", PolicyName="write", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject",
                                                "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    kinesis = account.root("kinesis")
    kinesis.create_stream(StreamName="events", ShardCount=1)
    stream = f"arn:aws:kinesis:us-east-1:{account.id}:stream/events"
    account.root("firehose").create_delivery_stream(
        DeliveryStreamName="from-kinesis", DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream, "RoleARN": role},
        ExtendedS3DestinationConfiguration={"RoleARN": role, "BucketARN": f"arn:aws:s3:::{bucket}",
                                            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}})
    kinesis.put_record(StreamName="events", Data=b"e1\n", PartitionKey="k")
    denial = _denied(account.server, f"arn:aws:sts::{account.id}:assumed-role/firehose-src/from-kinesis", stream)
    assert denial["action"] == "kinesis:GetRecords"
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    iam.put_role_policy(RoleName="firehose-src", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:GetRecords",
                                                "Resource": stream}]}))
    (obj,) = wait_until(lambda: s3.list_objects_v2(Bucket=bucket).get("Contents"), 60, "the object")
    assert s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read() == b"e1\n"
