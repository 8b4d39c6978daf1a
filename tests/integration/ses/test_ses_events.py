"""Configuration sets' event destinations: Send, Delivery, Bounce and Complaint events (the mailbox
simulator's addresses) in AWS's shape, through SNS to SQS and through EventBridge to SQS."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import botocore.exceptions
import pytest

from overcast.testing import wait_until
from tests.integration.ses.helpers import drain, name, topic_queue


@pytest.fixture
def ses(overcast_server):  # type: ignore[no-untyped-def]
    return overcast_server.client("ses")


def test_configuration_set_crud(ses):
    config = name("cs")
    ses.create_configuration_set(ConfigurationSet={"Name": config})
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.create_configuration_set(ConfigurationSet={"Name": config})
    assert err.value.response["Error"]["Code"] == "ConfigurationSetAlreadyExists"
    ses.create_configuration_set_event_destination(ConfigurationSetName=config, EventDestination={
        "Name": "to-sns", "Enabled": True, "MatchingEventTypes": ["send", "renderingFailure"],
        "SNSDestination": {"TopicARN": "arn:aws:sns:us-east-1:000000000000:t"}})
    described = ses.describe_configuration_set(ConfigurationSetName=config,
                                               ConfigurationSetAttributeNames=["eventDestinations"])
    assert described["EventDestinations"] == [{
        "Name": "to-sns", "Enabled": True, "MatchingEventTypes": ["send", "renderingFailure"],
        "SNSDestination": {"TopicARN": "arn:aws:sns:us-east-1:000000000000:t"}}]
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.delete_configuration_set_event_destination(ConfigurationSetName=config, EventDestinationName="nope")
    assert err.value.response["Error"]["Code"] == "EventDestinationDoesNotExist"
    assert config in [c["Name"] for c in ses.list_configuration_sets()["ConfigurationSets"]]
    ses.delete_configuration_set(ConfigurationSetName=config)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.describe_configuration_set(ConfigurationSetName=config)
    assert err.value.response["Error"]["Code"] == "ConfigurationSetDoesNotExist"


def test_events_to_sns(overcast_server, ses):
    sns, sqs = overcast_server.client("sns"), overcast_server.client("sqs")
    topic, url = topic_queue(sns, sqs)
    config = name("cs")
    ses.create_configuration_set(ConfigurationSet={"Name": config})
    ses.create_configuration_set_event_destination(ConfigurationSetName=config, EventDestination={
        "Name": "all", "Enabled": True, "MatchingEventTypes": ["send", "delivery", "bounce", "complaint"],
        "SNSDestination": {"TopicARN": topic}})
    sender = f"{name('ev')}@example.net"
    ses.verify_email_identity(EmailAddress=sender)
    message_id = ses.send_email(
        Source=sender, ConfigurationSetName=config, Tags=[{"Name": "campaign", "Value": "spring"}],
        Destination={"ToAddresses": ["bounce@simulator.amazonses.com", "complaint@simulator.amazonses.com"]},
        Message={"Subject": {"Data": "events"}, "Body": {"Text": {"Data": "b"}}})["MessageId"]
    events = drain(sqs, url, 4)
    by_type = {e["eventType"]: e for e in events}
    assert sorted(by_type) == ["Bounce", "Complaint", "Delivery", "Send"]
    send = by_type["Send"]
    assert send["send"] == {}
    assert send["mail"]["messageId"] == message_id
    assert send["mail"]["source"] == sender
    assert send["mail"]["destination"] == ["bounce@simulator.amazonses.com", "complaint@simulator.amazonses.com"]
    assert send["mail"]["commonHeaders"]["subject"] == "events"
    assert send["mail"]["tags"]["ses:configuration-set"] == [config]
    assert send["mail"]["tags"]["campaign"] == ["spring"]
    bounce = by_type["Bounce"]["bounce"]
    assert bounce["bounceType"] == "Permanent"
    assert [r["emailAddress"] for r in bounce["bouncedRecipients"]] == ["bounce@simulator.amazonses.com"]
    assert by_type["Delivery"]["delivery"]["recipients"] == ["complaint@simulator.amazonses.com"]
    complaint = by_type["Complaint"]["complaint"]
    assert complaint["complainedRecipients"] == [{"emailAddress": "complaint@simulator.amazonses.com"}]


def test_disabled_and_unmatched_destinations_get_nothing(overcast_server, ses):
    sns, sqs = overcast_server.client("sns"), overcast_server.client("sqs")
    topic, url = topic_queue(sns, sqs)
    config = name("cs")
    ses.create_configuration_set(ConfigurationSet={"Name": config})
    ses.create_configuration_set_event_destination(ConfigurationSetName=config, EventDestination={
        "Name": "off", "Enabled": False, "MatchingEventTypes": ["send"], "SNSDestination": {"TopicARN": topic}})
    ses.create_configuration_set_event_destination(ConfigurationSetName=config, EventDestination={
        "Name": "bounces", "Enabled": True, "MatchingEventTypes": ["bounce"], "SNSDestination": {"TopicARN": topic}})
    sender = f"{name('ev')}@example.net"
    ses.verify_email_identity(EmailAddress=sender)
    ses.send_email(Source=sender, ConfigurationSetName=config, Destination={"ToAddresses": ["ok@example.com"]},
                   Message={"Subject": {"Data": "quiet"}, "Body": {"Text": {"Data": "b"}}})
    ses.send_email(Source=sender, ConfigurationSetName=config,
                   Destination={"ToAddresses": ["bounce@simulator.amazonses.com"]},
                   Message={"Subject": {"Data": "loud"}, "Body": {"Text": {"Data": "b"}}})
    [event] = drain(sqs, url, 1)
    assert event["eventType"] == "Bounce"
    assert event["mail"]["commonHeaders"]["subject"] == "loud"
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []) == []


def test_send_with_unknown_configuration_set(ses):
    sender = f"{name('ev')}@example.net"
    ses.verify_email_identity(EmailAddress=sender)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.send_email(Source=sender, ConfigurationSetName=name("missing"), Destination={"ToAddresses": ["a@b.com"]},
                       Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
    assert err.value.response["Error"]["Code"] == "ConfigurationSetDoesNotExist"


def test_events_to_eventbridge(overcast_server):
    ses2, events, sqs = (overcast_server.client(s) for s in ("sesv2", "events", "sqs"))
    url = sqs.create_queue(QueueName=name("q"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    config = name("cs")
    rule = name("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["aws.ses"], "resources": [
        {"suffix": f"configuration-set/{config}"}]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn}])
    bus = events.describe_event_bus()["Arn"]
    ses2.create_configuration_set(ConfigurationSetName=config)
    ses2.create_configuration_set_event_destination(
        ConfigurationSetName=config, EventDestinationName="eb",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["SEND"], "EventBridgeDestination": {"EventBusArn": bus}})
    got = ses2.get_configuration_set_event_destinations(ConfigurationSetName=config)["EventDestinations"]
    assert got == [{"Name": "eb", "Enabled": True, "MatchingEventTypes": ["SEND"],
                    "EventBridgeDestination": {"EventBusArn": bus}}]
    sender = f"{name('eb')}@example.net"
    ses2.create_email_identity(EmailIdentity=sender)
    message_id = ses2.send_email(FromEmailAddress=sender, Destination={"ToAddresses": ["x@example.com"]},
                                 ConfigurationSetName=config,
                                 Content={"Simple": {"Subject": {"Data": "eb"}, "Body": {"Text": {"Data": "b"}}}})["MessageId"]
    [event] = drain(sqs, url, 1)
    assert event["source"] == "aws.ses"
    assert event["detail-type"] == "Email Sent"
    assert event["detail"]["eventType"] == "Send"
    assert event["detail"]["mail"]["messageId"] == message_id


def test_identity_feedback_notifications(overcast_server, ses):
    sns, sqs = overcast_server.client("sns"), overcast_server.client("sqs")
    topic, url = topic_queue(sns, sqs)
    dom = f"{name('fb')}.example.com"
    ses.verify_domain_identity(Domain=dom)
    ses.set_identity_notification_topic(Identity=dom, NotificationType="Bounce", SnsTopic=topic)
    ses.set_identity_notification_topic(Identity=dom, NotificationType="Delivery", SnsTopic=topic)
    attrs = ses.get_identity_notification_attributes(Identities=[dom])["NotificationAttributes"][dom]
    assert (attrs["BounceTopic"], attrs["DeliveryTopic"], attrs["ForwardingEnabled"]) == (topic, topic, True)
    assert "ComplaintTopic" not in attrs
    message_id = ses.send_email(Source=f"me@{dom}", Destination={"ToAddresses": ["bounce@simulator.amazonses.com"]},
                                Message={"Subject": {"Data": "fb"}, "Body": {"Text": {"Data": "b"}}})["MessageId"]
    [note] = drain(sqs, url, 1)
    assert note["notificationType"] == "Bounce"
    assert note["mail"]["messageId"] == message_id
    assert "headers" not in note["mail"]
    assert note["bounce"]["bouncedRecipients"][0]["emailAddress"] == "bounce@simulator.amazonses.com"


def test_notification_settings_of_addresses_and_unknown_identities(ses):
    dom = f"{name('nd')}.example.com"
    ses.verify_domain_identity(Domain=dom)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.set_identity_notification_topic(Identity=f"{name('x')}.example.org", NotificationType="Bounce")
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "Must be a verified email address or domain." in err.value.response["Error"]["Message"]
    # an address of a verified domain has the domain's settings, and can have its own
    attrs = ses.get_identity_notification_attributes(Identities=[f"a@{dom}", "b@nowhere.example"])
    assert list(attrs["NotificationAttributes"]) == [f"a@{dom}"]
    assert attrs["NotificationAttributes"][f"a@{dom}"]["ForwardingEnabled"] is True
    ses.set_identity_feedback_forwarding_enabled(Identity=f"a@{dom}", ForwardingEnabled=False)
    both = ses.get_identity_notification_attributes(Identities=[f"a@{dom}", dom])["NotificationAttributes"]
    assert (both[f"a@{dom}"]["ForwardingEnabled"], both[dom]["ForwardingEnabled"]) == (False, True)


def test_events_to_firehose_and_cloudwatch(overcast_server, ses):
    from tests.integration.firehose.helpers import make_bucket, s3_stream, wait_objects

    firehose, s3, cw = (overcast_server.client(s) for s in ("firehose", "s3", "cloudwatch"))
    bucket = make_bucket(s3)
    stream = s3_stream(firehose, bucket, size=1, interval=60)
    stream_arn = firehose.describe_delivery_stream(DeliveryStreamName=stream)["DeliveryStreamDescription"][
        "DeliveryStreamARN"]
    config = name("cs")
    ses.create_configuration_set(ConfigurationSet={"Name": config})
    ses.create_configuration_set_event_destination(ConfigurationSetName=config, EventDestination={
        "Name": "fh", "Enabled": True, "MatchingEventTypes": ["send", "delivery"],
        "KinesisFirehoseDestination": {"IAMRoleARN": "arn:aws:iam::000000000000:role/ses", "DeliveryStreamARN": stream_arn}})
    ses.create_configuration_set_event_destination(ConfigurationSetName=config, EventDestination={
        "Name": "cw", "Enabled": True, "MatchingEventTypes": ["send"],
        "CloudWatchDestination": {"DimensionConfigurations": [
            {"DimensionName": "campaign", "DimensionValueSource": "messageTag", "DefaultDimensionValue": "none"}]}})
    sender = f"{name('ev')}@example.net"
    ses.verify_email_identity(EmailAddress=sender)
    message_id = ses.send_email(Source=sender, ConfigurationSetName=config, Destination={"ToAddresses": ["a@example.com"]},
                                Message={"Subject": {"Data": "fh"}, "Body": {"Text": {"Data": "b"}}},
                                Tags=[{"Name": "campaign", "Value": "autumn"}])["MessageId"]
    body = b"".join(wait_objects(s3, bucket, timeout=60).values())
    lines = [json.loads(line) for line in body.decode().splitlines() if line]
    assert lines[0]["eventType"] in ("Send", "Delivery") and lines[0]["mail"]["messageId"] == message_id

    def counted() -> float | None:
        now = time.time()
        result = cw.get_metric_statistics(Namespace="AWS/SES", MetricName="Send", Statistics=["Sum"], Period=60,
                                          Dimensions=[{"Name": "campaign", "Value": "autumn"}],
                                          StartTime=datetime.fromtimestamp(now - 600, UTC),
                                          EndTime=datetime.fromtimestamp(now + 120, UTC))["Datapoints"]
        return sum(p["Sum"] for p in result) or None

    assert wait_until(counted, timeout=60, what="the Send metric") == 1.0


def test_dkim_attributes_of_addresses_follow_their_domain(ses):
    dom = f"{name('dk')}.example.com"
    ses.verify_domain_identity(Domain=dom)
    ses.verify_email_identity(EmailAddress=f"a@{dom}")
    lone = f"b@{name('lone')}.example.org"
    ses.verify_email_identity(EmailAddress=lone)
    attrs = ses.get_identity_dkim_attributes(Identities=[dom, f"a@{dom}", lone])["DkimAttributes"]
    assert attrs[dom]["DkimEnabled"] is True and len(attrs[dom]["DkimTokens"]) == 3
    assert attrs[f"a@{dom}"] == {"DkimEnabled": True, "DkimVerificationStatus": "Success"}
    assert attrs[lone] == {"DkimEnabled": False, "DkimVerificationStatus": "NotStarted"}


def test_mail_from_domain_checks(ses):
    dom = f"{name('mf')}.example.com"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.set_identity_mail_from_domain(Identity=dom)
    assert err.value.response["Error"]["Message"] == f"Identity '{dom}' does not exist."
    ses.verify_domain_identity(Domain=dom)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.set_identity_mail_from_domain(Identity=dom, MailFromDomain=f"mail.{dom}", BehaviorOnMXFailure="Explode")
    assert (err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]) == (
        "ValidationError", "1 validation error detected: Value 'Explode' at 'behaviorOnMXFailure'failed to satisfy "
        "constraint: Member must satisfy enum value set: [RejectMessage, UseDefaultValue]")
    ses.set_identity_mail_from_domain(Identity=dom, MailFromDomain=f"mail.{dom}", BehaviorOnMXFailure="RejectMessage")
    attrs = ses.get_identity_mail_from_domain_attributes(Identities=[dom])["MailFromDomainAttributes"][dom]
    assert (attrs["MailFromDomain"], attrs["BehaviorOnMXFailure"]) == (f"mail.{dom}", "RejectMessage")
