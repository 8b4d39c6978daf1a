"""SNS mobile push, SMS, topic permissions and data protection policies (issue 15), with boto3."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
import uuid

import botocore.exceptions
import pytest

from tests.integration.sns.helpers import _name


def _error(info) -> dict:
    return info.value.response["Error"]


def _sent(overcast_server, kind: str, target: str) -> list[dict]:
    query = urllib.parse.urlencode({"target": target})
    with urllib.request.urlopen(f"{overcast_server.url}/_overcast/sns/{kind}-messages?{query}", timeout=10) as r:
        return json.loads(r.read())["messages"]


def _app(sns, platform: str = "GCM") -> str:
    return sns.create_platform_application(Name=_name("app"), Platform=platform,
                                           Attributes={"PlatformCredential": "key"})["PlatformApplicationArn"]


def test_platform_application_lifecycle_and_validation(sns):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.create_platform_application(Name=_name(), Platform="GCM", Attributes={"EventDeliveryFailure": "x"})
    assert _error(info)["Code"] == "InvalidParameter" and "PlatformCredential" in _error(info)["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.create_platform_application(Name=_name(), Platform="APNS", Attributes={"PlatformCredential": "c"})
    assert "PlatformPrincipal" in _error(info)["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.create_platform_application(Name=_name(), Platform="NOPE", Attributes={"PlatformCredential": "c"})
    assert _error(info)["Code"] == "InvalidParameter"
    name = _name("app")
    arn = sns.create_platform_application(Name=name, Platform="GCM", Attributes={"PlatformCredential": "secret"})[
        "PlatformApplicationArn"]
    assert arn == f"arn:aws:sns:us-east-1:000000000000:app/GCM/{name}"
    attrs = sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"]
    assert "PlatformCredential" not in attrs and attrs["Enabled"] == "true"
    sns.set_platform_application_attributes(PlatformApplicationArn=arn, Attributes={"EventDeliveryFailure": "x"})
    assert sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"]["EventDeliveryFailure"] == "x"
    assert arn in [a["PlatformApplicationArn"] for a in sns.list_platform_applications()["PlatformApplications"]]
    sns.delete_platform_application(PlatformApplicationArn=arn)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.get_platform_application_attributes(PlatformApplicationArn=arn)
    assert _error(info)["Code"] == "NotFound"


def test_endpoints_dedup_tokens_and_publish(sns, overcast_server):
    app = _app(sns)
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1",
                                            CustomUserData="u")["EndpointArn"]
    assert ":endpoint/GCM/" in endpoint
    assert sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1",
                                        CustomUserData="u")["EndpointArn"] == endpoint
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1", CustomUserData="other")
    assert "already exists with the same Token, but different attributes" in _error(info)["Message"]
    attrs = sns.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"]
    assert attrs == {"Enabled": "true", "Token": "device-1", "CustomUserData": "u"}
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
    assert [e["EndpointArn"] for e in listed] == [endpoint]
    message_id = sns.publish(TargetArn=endpoint, MessageStructure="json",
                             Message=json.dumps({"default": "d", "GCM": "for gcm"}))["MessageId"]
    [sent] = _sent(overcast_server, "push", endpoint)
    assert sent["MessageId"] == message_id and sent["Message"] == "for gcm"
    sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.publish(TargetArn=endpoint, Message="x")
    assert _error(info)["Code"] == "EndpointDisabled"
    sns.delete_endpoint(EndpointArn=endpoint)
    sns.delete_endpoint(EndpointArn=endpoint)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.publish(TargetArn=endpoint, Message="x")
    assert "No endpoint found for the target arn specified" in _error(info)["Message"]


def test_topic_fan_out_to_an_application_endpoint(sns, overcast_server):
    app = _app(sns)
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token=_name("tok"))["EndpointArn"]
    topic = sns.create_topic(Name=_name())["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint)
    sns.publish(TopicArn=topic, Message="to devices")
    assert [m["Message"] for m in _sent(overcast_server, "push", endpoint)] == ["to devices"]


def test_sms_attributes_opt_outs_and_publish(sns, overcast_server):
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": "Overcast"})
    got = sns.get_sms_attributes(attributes=["DefaultSMSType"])["attributes"]
    assert got == {"DefaultSMSType": "Transactional"}
    with pytest.raises(botocore.exceptions.ClientError):
        sns.set_sms_attributes(attributes={"DefaultSMSType": "Loud"})
    phone = "+1555" + str(uuid.uuid4().int)[:7]
    assert sns.check_if_phone_number_is_opted_out(phoneNumber=phone)["isOptedOut"] is False
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.check_if_phone_number_is_opted_out(phoneNumber="12345")
    assert _error(info)["Code"] == "InvalidParameter"
    message_id = sns.publish(PhoneNumber=phone, Message="your code is 1234")["MessageId"]
    [sent] = _sent(overcast_server, "sms", phone)
    assert sent["MessageId"] == message_id and sent["Message"] == "your code is 1234"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.publish(PhoneNumber="not-a-number", Message="x")
    assert _error(info)["Code"] == "InvalidParameter"
    request = urllib.request.Request(f"{overcast_server.url}/_overcast/sns/opt-out?phoneNumber={urllib.parse.quote(phone)}",
                                     method="POST", data=b"")
    urllib.request.urlopen(request, timeout=10).close()
    assert sns.check_if_phone_number_is_opted_out(phoneNumber=phone)["isOptedOut"] is True
    assert phone in sns.list_phone_numbers_opted_out()["phoneNumbers"]
    sns.publish(PhoneNumber=phone, Message="not delivered")
    assert len(_sent(overcast_server, "sms", phone)) == 1
    sns.opt_in_phone_number(phoneNumber=phone)
    assert sns.check_if_phone_number_is_opted_out(phoneNumber=phone)["isOptedOut"] is False


def test_sms_subscription_needs_e164(sns, overcast_server):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="12")
    assert "Invalid SMS endpoint: 12" in _error(info)["Message"]
    phone = "+4470" + str(uuid.uuid4().int)[:8]
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=phone)
    sns.publish(TopicArn=topic, Message="to the phone")
    assert [m["Message"] for m in _sent(overcast_server, "sms", phone)] == ["to the phone"]


def test_add_and_remove_permission(sns):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    sns.add_permission(TopicArn=topic, Label="share", AWSAccountId=["111122223333"], ActionName=["Publish"])
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    statement = next(s for s in policy["Statement"] if s["Sid"] == "share")
    assert statement == {"Sid": "share", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                         "Action": "SNS:Publish", "Resource": topic}
    with pytest.raises(botocore.exceptions.ClientError):
        sns.add_permission(TopicArn=topic, Label="share", AWSAccountId=["111122223333"], ActionName=["Publish"])
    sns.remove_permission(TopicArn=topic, Label="share")
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    assert all(s["Sid"] != "share" for s in policy["Statement"])


def test_data_protection_policy(sns):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    assert "DataProtectionPolicy" not in sns.get_data_protection_policy(ResourceArn=topic)
    document = json.dumps({"Name": "p", "Version": "2021-06-01", "Statement": [
        {"Sid": "deny", "DataDirection": "Inbound", "Principal": ["*"],
         "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
         "Operation": {"Deny": {}}}]})
    sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy=document)
    assert sns.get_data_protection_policy(ResourceArn=topic)["DataProtectionPolicy"] == document
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy="{not json")
    assert _error(info)["Code"] == "InvalidParameter"


def test_aws_cli_over_the_query_protocol(overcast_server):
    import subprocess
    import sys

    env = overcast_server.aws_cli_env()

    def aws(*args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", overcast_server.url, "sns", *args],
                             env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if out.stdout.strip() else {}

    aws("set-sms-attributes", "--attributes", "DefaultSMSType=Promotional")
    assert aws("get-sms-attributes")["attributes"]["DefaultSMSType"] == "Promotional"
    app = aws("create-platform-application", "--name", _name("cli"), "--platform", "GCM",
              "--attributes", "PlatformCredential=k")["PlatformApplicationArn"]
    endpoint = aws("create-platform-endpoint", "--platform-application-arn", app, "--token", "t1")["EndpointArn"]
    assert aws("get-endpoint-attributes", "--endpoint-arn", endpoint)["Attributes"]["Token"] == "t1"
    out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", overcast_server.url, "sns",
                          "get-topic-attributes", "--topic-arn", "nope"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode != 0
    assert "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1" in out.stderr
