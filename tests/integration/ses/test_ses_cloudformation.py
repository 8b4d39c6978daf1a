"""SES's CloudFormation resource types: a stack with an identity, a template, a configuration set with
an SNS event destination, and a receipt rule set whose rule writes to S3; updated, then deleted."""

from __future__ import annotations

import botocore.exceptions
import pytest

from tests.integration.cloudformation.helpers import create, physical, update
from tests.integration.ses.helpers import domain, inbound, name, raw_message


def _template(dom: str, bucket: str, rule_set: str, subject: str) -> dict:
    return {"Resources": {
        "Identity": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": dom}},
        "Mail": {"Type": "AWS::SES::Template", "Properties": {"Template": {
            "SubjectPart": subject, "TextPart": "Hello {{name}}"}}},
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Config": {"Type": "AWS::SES::ConfigurationSet"},
        "ToSns": {"Type": "AWS::SES::ConfigurationSetEventDestination", "Properties": {
            "ConfigurationSetName": {"Ref": "Config"},
            "EventDestination": {"Name": "sns", "Enabled": True, "MatchingEventTypes": ["send", "bounce"],
                                 "SnsDestination": {"TopicARN": {"Ref": "Topic"}}}}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}},
        "RuleSet": {"Type": "AWS::SES::ReceiptRuleSet", "Properties": {"RuleSetName": rule_set}},
        "Rule": {"Type": "AWS::SES::ReceiptRule", "Properties": {
            "RuleSetName": {"Ref": "RuleSet"},
            "Rule": {"Name": "store", "Enabled": True, "Recipients": [dom],
                     "Actions": [{"S3Action": {"BucketName": {"Ref": "Bucket"}, "ObjectKeyPrefix": "in/"}}]}}},
    }, "Outputs": {"Template": {"Value": {"Ref": "Mail"}}, "Config": {"Value": {"Ref": "Config"}},
                   "Dkim": {"Value": {"Fn::GetAtt": ["Identity", "DkimDNSTokenName1"]}}}}


def test_ses_stack(overcast_server):
    cf, ses, ses2, s3 = (overcast_server.client(s) for s in ("cloudformation", "ses", "sesv2", "s3"))
    dom, bucket, rule_set = domain(), name("bkt"), name("rs")
    stack = name("stk")
    done = create(cf, _template(dom, bucket, rule_set, "Hi {{name}}"), stack)
    assert done["StackStatus"] == "CREATE_COMPLETE", done
    outputs = {o["OutputKey"]: o["OutputValue"] for o in done["Outputs"]}
    assert outputs["Dkim"].endswith(f"._domainkey.{dom}")
    assert ses2.get_email_identity(EmailIdentity=dom)["VerifiedForSendingStatus"] is True
    assert ses.get_template(TemplateName=outputs["Template"])["Template"]["SubjectPart"] == "Hi {{name}}"
    [dest] = ses2.get_configuration_set_event_destinations(ConfigurationSetName=outputs["Config"])["EventDestinations"]
    assert (dest["Name"], dest["MatchingEventTypes"]) == ("sns", ["SEND", "BOUNCE"])
    assert [r["Name"] for r in ses.describe_receipt_rule_set(RuleSetName=rule_set)["Rules"]] == ["store"]

    ses.set_active_receipt_rule_set(RuleSetName=rule_set)
    try:
        result = inbound(overcast_server, raw_message("a@sender.example", f"box@{dom}", "via stack"))
        assert s3.get_object(Bucket=bucket, Key=f"in/{result['MessageId']}")["Body"].read()
    finally:
        ses.set_active_receipt_rule_set()

    done = update(cf, stack, _template(dom, bucket, rule_set, "Bye {{name}}"))
    assert done["StackStatus"] == "UPDATE_COMPLETE", done
    assert ses.get_template(TemplateName=outputs["Template"])["Template"]["SubjectPart"] == "Bye {{name}}"
    assert physical(cf, stack)["Rule"] == "store"

    s3.delete_object(Bucket=bucket, Key=f"in/{result['MessageId']}")
    cf.delete_stack(StackName=stack)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    with pytest.raises(botocore.exceptions.ClientError):
        ses.describe_receipt_rule_set(RuleSetName=rule_set)
    assert dom not in ses.list_identities()["Identities"]
