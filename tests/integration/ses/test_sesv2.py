"""SES v2 through boto3 (`sesv2`, rest-json), over the state SES v1 shares: identities, sending each
kind of content, templates, configuration sets and the account."""

from __future__ import annotations

import json

import botocore.exceptions
import pytest

from tests.integration.ses.helpers import domain, name, sent_messages


@pytest.fixture
def ses2(overcast_server):  # type: ignore[no-untyped-def]
    return overcast_server.client("sesv2")


def test_identities_shared_with_v1(overcast_server, ses2):
    ses = overcast_server.client("ses")
    dom = domain()
    created = ses2.create_email_identity(EmailIdentity=dom, Tags=[{"Key": "team", "Value": "mail"}])
    assert created["IdentityType"] == "DOMAIN"
    assert created["VerifiedForSendingStatus"] is True
    assert len(created["DkimAttributes"]["Tokens"]) == 3
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses2.create_email_identity(EmailIdentity=dom)
    assert err.value.response["Error"]["Code"] == "AlreadyExistsException"
    got = ses2.get_email_identity(EmailIdentity=dom)
    assert (got["VerificationStatus"], got["Tags"]) == ("SUCCESS", [{"Key": "team", "Value": "mail"}])
    assert dom in ses.list_identities()["Identities"]
    address = f"{name('v1')}@example.org"
    ses.verify_email_identity(EmailAddress=address)
    listed = {i["IdentityName"]: i for i in ses2.list_email_identities(PageSize=1000)["EmailIdentities"]}
    assert listed[address]["IdentityType"] == "EMAIL_ADDRESS"
    ses2.delete_email_identity(EmailIdentity=dom)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses2.get_email_identity(EmailIdentity=dom)
    assert err.value.response["Error"]["Code"] == "NotFoundException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_send_simple_raw_and_template(overcast_server, ses2):
    sender = f"{name('v2')}@example.net"
    ses2.create_email_identity(EmailIdentity=sender)
    to = [f"{name('to')}@example.com" for _ in range(3)]
    simple = ses2.send_email(FromEmailAddress=sender, Destination={"ToAddresses": [to[0]]}, Content={"Simple": {
        "Subject": {"Data": "v2 simple"}, "Body": {"Html": {"Data": "<i>v2</i>"}}}})["MessageId"]
    [kept] = sent_messages(overcast_server, to[0])
    assert (kept["Id"], kept["Subject"], kept["Body"]["html"].strip()) == (simple, "v2 simple", "<i>v2</i>")

    raw = f"From: {sender}\r\nTo: {to[1]}\r\nSubject: v2 raw\r\n\r\nraw v2\r\n"
    ses2.send_email(Content={"Raw": {"Data": raw.encode()}})
    assert sent_messages(overcast_server, to[1])[0]["Subject"] == "v2 raw"

    template = name("tpl")
    ses2.create_email_template(TemplateName=template, TemplateContent={"Subject": "Hi {{who}}", "Text": "t {{who}}"})
    assert ses2.get_email_template(TemplateName=template)["TemplateContent"] == {"Subject": "Hi {{who}}",
                                                                                 "Text": "t {{who}}"}
    rendered = ses2.test_render_email_template(TemplateName=template, TemplateData='{"who": "Dee"}')
    assert "Subject: Hi Dee" in rendered["RenderedTemplate"]
    ses2.send_email(FromEmailAddress=sender, Destination={"ToAddresses": [to[2]]},
                    Content={"Template": {"TemplateName": template, "TemplateData": json.dumps({"who": "Eve"})}})
    assert sent_messages(overcast_server, to[2])[0]["Subject"] == "Hi Eve"
    # the template is SES's: v1 sees it too
    assert overcast_server.client("ses").get_template(TemplateName=template)["Template"]["SubjectPart"] == "Hi {{who}}"
    results = ses2.send_bulk_email(
        FromEmailAddress=sender, DefaultContent={"Template": {"TemplateName": template, "TemplateData": '{"who": "x"}'}},
        BulkEmailEntries=[{"Destination": {"ToAddresses": [to[0]]}, "ReplacementEmailContent": {
            "ReplacementTemplate": {"ReplacementTemplateData": '{"who": "Fay"}'}}}])["BulkEmailEntryResults"]
    assert results[0]["Status"] == "SUCCESS"
    assert sent_messages(overcast_server, to[0])[-1]["Subject"] == "Hi Fay"
    ses2.delete_email_template(TemplateName=template)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses2.get_email_template(TemplateName=template)
    assert err.value.response["Error"]["Code"] == "NotFoundException"


def test_unverified_sender_is_rejected(ses2):
    sender = f"{name('nope')}@unverified.example"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses2.send_email(FromEmailAddress=sender, Destination={"ToAddresses": ["a@example.com"]},
                        Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}})
    assert err.value.response["Error"]["Code"] == "MessageRejected"
    assert err.value.response["Error"]["Message"].endswith(f"failed the check in region US-EAST-1: {sender}")


def test_configuration_sets_and_account(ses2):
    config = name("cs")
    ses2.create_configuration_set(ConfigurationSetName=config, SendingOptions={"SendingEnabled": True})
    assert ses2.get_configuration_set(ConfigurationSetName=config)["ConfigurationSetName"] == config
    assert config in ses2.list_configuration_sets(PageSize=1000)["ConfigurationSets"]
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses2.create_configuration_set(ConfigurationSetName=config)
    assert err.value.response["Error"]["Code"] == "AlreadyExistsException"
    ses2.delete_configuration_set(ConfigurationSetName=config)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses2.get_configuration_set(ConfigurationSetName=config)
    assert err.value.response["Error"]["Code"] == "NotFoundException"
    account = ses2.get_account()
    assert account["ProductionAccessEnabled"] is False
    assert (account["SendQuota"]["Max24HourSend"], account["SendQuota"]["MaxSendRate"]) == (200.0, 1.0)


def test_tags_and_contact_lists(ses2):
    address = f"{name('tag')}@example.org"
    ses2.create_email_identity(EmailIdentity=address, Tags=[{"Key": "a", "Value": "1"}])
    arn = f"arn:aws:ses:us-east-1:000000000000:identity/{address}"
    ses2.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert ses2.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
    ses2.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ses2.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses2.list_tags_for_resource(ResourceArn="arn:aws:ses:us-east-1:000000000000:identity/nobody.example")
    assert err.value.response["Error"]["Code"] == "NotFoundException"

    contacts = name("list")
    ses2.create_contact_list(ContactListName=contacts, Description="news")
    ses2.create_contact(ContactListName=contacts, EmailAddress="reader@example.com")
    assert [c["EmailAddress"] for c in ses2.list_contacts(ContactListName=contacts)["Contacts"]] == ["reader@example.com"]
    assert ses2.get_contact(ContactListName=contacts, EmailAddress="reader@example.com")["UnsubscribeAll"] is False
    ses2.delete_contact_list(ContactListName=contacts)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses2.get_contact_list(ContactListName=contacts)
    assert err.value.response["Error"]["Code"] == "NotFoundException"
    assert err.value.response["Error"]["Message"] == f"List with name: {contacts} doesn't exist."


def test_sending_authorization_policies(overcast_server, ses2):
    ses = overcast_server.client("ses")
    dom = f"{name('pol')}.example.com"
    ses2.create_email_identity(EmailIdentity=dom)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": ["ses:SendEmail"],
        "Resource": f"arn:aws:ses:us-east-1:000000000000:identity/{dom}"}]})
    ses2.create_email_identity_policy(EmailIdentity=dom, PolicyName="p1", Policy=policy)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses2.create_email_identity_policy(EmailIdentity=dom, PolicyName="p1", Policy=policy)
    assert err.value.response["Error"]["Code"] == "AlreadyExistsException"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses2.create_email_identity_policy(EmailIdentity=dom, PolicyName="p2", Policy="{not json")
    assert err.value.response["Error"]["Code"] == "BadRequestException"
    assert ses2.get_email_identity_policies(EmailIdentity=dom)["Policies"] == {"p1": policy}
    assert ses2.get_email_identity(EmailIdentity=dom)["Policies"] == {"p1": policy}
    # the v1 API sees and changes the same policies
    assert ses.list_identity_policies(Identity=dom)["PolicyNames"] == ["p1"]
    ses.put_identity_policy(Identity=dom, PolicyName="p2", Policy=policy)
    assert set(ses.get_identity_policies(Identity=dom, PolicyNames=["p1", "p2", "p3"])["Policies"]) == {"p1", "p2"}
    ses2.delete_email_identity_policy(EmailIdentity=dom, PolicyName="p1")
    ses.delete_identity_policy(Identity=dom, PolicyName="p2")
    assert ses2.get_email_identity_policies(EmailIdentity=dom)["Policies"] == {}
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses2.get_email_identity_policies(EmailIdentity=f"none-{dom}")
    assert err.value.response["Error"]["Code"] == "NotFoundException"
