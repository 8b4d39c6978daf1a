"""Policies, definitions and other JSON documents carried inside string members, nested 10,000
deep: each service answers its own 400 (read with overcast/documents.py's bounded reader), never a
500 from Python's recursion limit, and nothing over-deep is stored to break a later delivery or
evaluation. (The first probe's list covered request bodies, Lambda, API Gateway, IAM and
CloudFormation; these are the rest found by probing every policy-like member.)"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.gateway.helpers import unique

DEEP = "[" * 10_000 + "]" * 10_000
DEEP_OBJECT = '{"a":' * 10_000 + "1" + "}" * 10_000


def _sqs_policy(raw, doc):
    url = raw("sqs").create_queue(QueueName=unique("q"))["QueueUrl"]
    return raw("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": doc})


def _sqs_redrive(raw, doc):
    url = raw("sqs").create_queue(QueueName=unique("q"))["QueueUrl"]
    return raw("sqs").set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": doc})


def _sns_delivery(raw, doc):
    arn = raw("sns").create_topic(Name=unique("t"))["TopicArn"]
    return raw("sns").set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy", AttributeValue=doc)


def _s3_policy(raw, doc):
    bucket = unique("deep-")
    raw("s3").create_bucket(Bucket=bucket)
    return raw("s3").put_bucket_policy(Bucket=bucket, Policy=doc)


def within(doc: str, limit: int) -> str:
    """`doc`, or one as deep as fits under a size limit that would otherwise answer first."""
    return doc if len(doc) <= limit else '{"a":' * 3000 + "1" + "}" * 3000


def _secret_policy(raw, doc):
    doc = within(doc, 20_480)
    arn = raw("secretsmanager").create_secret(Name=unique("s"), SecretString="x")["ARN"]
    return raw("secretsmanager").put_resource_policy(SecretId=arn, ResourcePolicy=doc)


def _kms_policy(raw, doc):
    doc = within(doc, 32_768)
    key = raw("kms").create_key()["KeyMetadata"]["KeyId"]
    return raw("kms").put_key_policy(KeyId=key, PolicyName="default", Policy=doc)


def _table_policy(raw, doc):
    ddb = raw("dynamodb")
    arn = ddb.create_table(TableName=unique("t"), KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                           AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                           BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    return ddb.put_resource_policy(ResourceArn=arn, Policy=doc)


def _ses_template_data(raw, doc):
    ses = raw("ses")
    name = unique("tpl")
    ses.create_template(Template={"TemplateName": name, "SubjectPart": "s", "TextPart": "t"})
    return ses.test_render_template(TemplateName=name, TemplateData=doc)


def _sesv2_identity_policy(raw, doc):
    sesv2 = raw("sesv2")
    identity = f"{unique('x')}.example.com"
    sesv2.create_email_identity(EmailIdentity=identity)
    return sesv2.create_email_identity_policy(EmailIdentity=identity, PolicyName="p", Policy=within(doc, 20_000))


CASES: dict[str, tuple[Callable[[Any, str], Any], str]] = {
    "ses-template-data": (_ses_template_data, "InvalidRenderingParameter"),
    "sesv2-identity-policy": (_sesv2_identity_policy, "BadRequestException"),
    "sqs-policy": (_sqs_policy, "InvalidAttributeValue"),
    "sqs-redrive-policy": (_sqs_redrive, "InvalidAttributeValue"),
    "sns-delivery-policy": (_sns_delivery, "InvalidParameter"),
    "eventbridge-bus-policy": (lambda raw, doc: raw("events").put_permission(Policy=doc), "ValidationException"),
    "s3-bucket-policy": (_s3_policy, "MalformedPolicy"),
    "secretsmanager-policy": (_secret_policy, "MalformedPolicyDocumentException"),
    "kms-key-policy": (_kms_policy, "MalformedPolicyDocumentException"),
    "kms-create-key-policy": (lambda raw, doc: raw("kms").create_key(Policy=within(doc, 32_768)),
                              "MalformedPolicyDocumentException"),
    "logs-resource-policy": (lambda raw, doc: raw("logs").put_resource_policy(policyName=unique("p"),
                                                                             policyDocument=doc[:5000]),
                             "InvalidParameterException"),
    "dynamodb-resource-policy": (_table_policy, "ValidationException"),
    "stepfunctions-definition": (lambda raw, doc: raw("stepfunctions").create_state_machine(
        name=unique("m"), definition=doc, roleArn="arn:aws:iam::000000000000:role/r"), "InvalidDefinition"),
    "cloudwatch-dashboard": (lambda raw, doc: raw("cloudwatch").put_dashboard(DashboardName=unique("d"),
                                                                             DashboardBody=doc),
                             "InvalidParameterInput"),
    "sts-session-policy": (lambda raw, doc: raw("sts").assume_role(RoleArn="arn:aws:iam::000000000000:role/r",
                                                                  RoleSessionName="s", Policy=doc),
                           "ValidationError"),
}


@pytest.mark.parametrize("doc", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_deep_document_gets_the_services_400(raw, case, doc):
    call, code = CASES[case]
    with pytest.raises(ClientError) as info:
        call(raw, doc)
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == code


def test_a_deep_document_inside_a_short_enough_session_policy_is_malformed(raw):
    """Within STS's 2,048 characters, 1,000 levels still cannot be read: MalformedPolicyDocument."""
    with pytest.raises(ClientError) as info:
        raw("sts").assume_role(RoleArn="arn:aws:iam::000000000000:role/r", RoleSessionName="s",
                               Policy="[" * 1000 + "]" * 1000)
    assert info.value.response["Error"]["Code"] == "MalformedPolicyDocument"


def test_a_deep_log_line_never_matches_a_json_filter_pattern(raw):
    """A function may log anything: FilterLogEvents with a JSON pattern skips a 10,000-deep line
    (read within bounds) and still finds the lines that match."""
    logs = raw("logs")
    group = unique("g")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": now, "message": DEEP_OBJECT}, {"timestamp": now + 1, "message": '{"a": 1}'}])
    found = logs.filter_log_events(logGroupName=group, filterPattern="{ $.a = 1 }")["events"]
    assert [event["message"] for event in found] == ['{"a": 1}']
