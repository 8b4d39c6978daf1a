"""SES v1 through boto3 and the AWS CLI: identities, the sandbox's sender check, sending (simple, raw,
templated, bulk) read back through `/_overcast/ses/messages`, templates and quotas."""

from __future__ import annotations

import json
import subprocess
import sys

import botocore.exceptions
import pytest

from tests.integration.ses.helpers import domain, name, sent_messages


@pytest.fixture
def ses(overcast_server):  # type: ignore[no-untyped-def]
    return overcast_server.client("ses")


def test_identities_are_verified_at_once(ses):
    address, dom = f"{name('a')}@example.org", domain()
    ses.verify_email_identity(EmailAddress=address)
    token = ses.verify_domain_identity(Domain=dom)["VerificationToken"]
    assert token
    assert address in ses.list_identities(IdentityType="EmailAddress")["Identities"]
    assert dom in ses.list_identities(IdentityType="Domain")["Identities"]
    attrs = ses.get_identity_verification_attributes(Identities=[address, dom, "nobody@nowhere.test"])
    assert attrs["VerificationAttributes"][address] == {"VerificationStatus": "Success"}
    assert attrs["VerificationAttributes"][dom] == {"VerificationStatus": "Success", "VerificationToken": token}
    assert "nobody@nowhere.test" not in attrs["VerificationAttributes"]
    dkim = ses.verify_domain_dkim(Domain=dom)["DkimTokens"]
    assert len(dkim) == 3
    assert ses.get_identity_dkim_attributes(Identities=[dom])["DkimAttributes"][dom]["DkimTokens"] == dkim
    ses.delete_identity(Identity=address)
    assert address not in ses.list_identities()["Identities"]


def test_unverified_sender_is_rejected(ses):
    sender = f"{name('x')}@unverified.example"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.send_email(Source=sender, Destination={"ToAddresses": ["to@example.com"]},
                       Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
    assert err.value.response["Error"]["Code"] == "MessageRejected"
    assert err.value.response["Error"]["Message"] == (
        f"Email address is not verified. The following identities failed the check in region US-EAST-1: {sender}")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_send_email_is_kept_and_readable(overcast_server, ses):
    dom = domain()
    ses.verify_domain_identity(Domain=dom)
    sender, to = f"Sender <hello@{dom}>", f"{name('to')}@example.com"
    message_id = ses.send_email(
        Source=sender, Destination={"ToAddresses": [to], "CcAddresses": ["cc@example.com"]},
        Message={"Subject": {"Data": "Hi there"},
                 "Body": {"Text": {"Data": "plain body"}, "Html": {"Data": "<p>html body</p>"}}})["MessageId"]
    [kept] = sent_messages(overcast_server, to)
    assert kept["Id"] == message_id
    assert kept["Source"] == sender
    assert kept["Destination"]["ToAddresses"] == [to]
    assert kept["Destination"]["CcAddresses"] == ["cc@example.com"]
    assert kept["Subject"] == "Hi there"
    assert kept["Body"]["text"].strip() == "plain body"
    assert kept["Body"]["html"].strip() == "<p>html body</p>"
    assert "Subject: Hi there" in kept["RawData"]
    assert f"ses: SendEmail from {sender}" in overcast_server.log_text()


def test_send_raw_email_takes_headers(overcast_server, ses):
    sender = f"{name('raw')}@example.net"
    ses.verify_email_identity(EmailAddress=sender)
    to = f"{name('to')}@example.com"
    raw = (f"From: {sender}\r\nTo: {to}\r\nSubject: raw one\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain\r\n\r\nraw body\r\n")
    message_id = ses.send_raw_email(RawMessage={"Data": raw})["MessageId"]
    [kept] = sent_messages(overcast_server, to)
    assert (kept["Id"], kept["Subject"], kept["Source"]) == (message_id, "raw one", sender)
    assert kept["Body"]["text"].strip() == "raw body"


def test_templates(overcast_server, ses):
    template = name("tpl")
    ses.create_template(Template={"TemplateName": template, "SubjectPart": "Hello {{name}}",
                                  "TextPart": "Dear {{name}}, your code is {{code}}.", "HtmlPart": "<b>{{name}}</b>"})
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.create_template(Template={"TemplateName": template, "SubjectPart": "x"})
    assert err.value.response["Error"]["Code"] == "AlreadyExists"
    assert ses.get_template(TemplateName=template)["Template"]["SubjectPart"] == "Hello {{name}}"
    # SES's XML carries a CRLF as it is, which an XML parser reads as LF
    crlf = name("crlf")
    ses.create_template(Template={"TemplateName": crlf, "SubjectPart": "s", "TextPart": "Dear {{name}},\r\nbye"})
    assert ses.get_template(TemplateName=crlf)["Template"]["TextPart"] == "Dear {{name}},\nbye"
    assert template in [t["Name"] for t in ses.list_templates(MaxItems=1000)["TemplatesMetadata"]]
    rendered = ses.test_render_template(TemplateName=template, TemplateData=json.dumps({"name": "Ann", "code": 42}))
    assert "Subject: Hello Ann" in rendered["RenderedTemplate"]
    assert "Dear Ann, your code is 42." in rendered["RenderedTemplate"]
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.test_render_template(TemplateName=template, TemplateData=json.dumps({"name": "Ann"}))
    assert err.value.response["Error"]["Code"] == "MissingRenderingAttribute"
    blocks = name("hbs")
    ses.create_template(Template={"TemplateName": blocks, "SubjectPart": "{{count}} pets", "HtmlPart":
                                  "{{#each pets}}<li>{{name}}: {{#if best}}best{{else}}a {{kind}}{{/if}}</li>{{/each}}"})
    html = ses.test_render_template(TemplateName=blocks, TemplateData=json.dumps({"count": 2, "pets": [
        {"name": "Rex", "best": True}, {"name": "Tom & Co", "kind": "cat"}]}))["RenderedTemplate"]
    assert "<li>Rex: best</li><li>Tom &amp; Co: a cat</li>" in html
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ses.get_template(TemplateName=name("none"))
    assert err.value.response["Error"]["Code"] == "TemplateDoesNotExist"

    sender = f"{name('tpl')}@example.net"
    ses.verify_email_identity(EmailAddress=sender)
    to = f"{name('to')}@example.com"
    ses.send_templated_email(Source=sender, Destination={"ToAddresses": [to]}, Template=template,
                             TemplateData=json.dumps({"name": "Bob", "code": 7}))
    [kept] = sent_messages(overcast_server, to)
    assert kept["Subject"] == "Hello Bob"
    assert kept["Body"]["text"].strip() == "Dear Bob, your code is 7."
    assert kept["Template"] == {"name": template, "data": {"name": "Bob", "code": 7}}

    others = [f"{name('bulk')}@example.com" for _ in range(2)]
    status = ses.send_bulk_templated_email(
        Source=sender, Template=template, DefaultTemplateData=json.dumps({"name": "all", "code": 0}),
        Destinations=[{"Destination": {"ToAddresses": [others[0]]}, "ReplacementTemplateData": '{"name": "Cy"}'},
                      {"Destination": {"ToAddresses": [others[1]]}}])["Status"]
    assert [s["Status"] for s in status] == ["Success", "Success"]
    assert sent_messages(overcast_server, others[0])[0]["Subject"] == "Hello Cy"
    assert sent_messages(overcast_server, others[1])[0]["Subject"] == "Hello all"

    ses.update_template(Template={"TemplateName": template, "SubjectPart": "Bye {{name}}"})
    assert ses.get_template(TemplateName=template)["Template"]["SubjectPart"] == "Bye {{name}}"
    ses.delete_template(TemplateName=template)
    assert template not in [t["Name"] for t in ses.list_templates(MaxItems=1000)["TemplatesMetadata"]]


def test_quota_and_statistics(ses):
    quota = ses.get_send_quota()
    assert (quota["Max24HourSend"], quota["MaxSendRate"]) == (200.0, 1.0)
    sender = f"{name('q')}@example.net"
    ses.verify_email_identity(EmailAddress=sender)
    ses.send_email(Source=sender, Destination={"ToAddresses": ["a@example.com"]},
                   Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
    assert ses.get_send_quota()["SentLast24Hours"] >= quota["SentLast24Hours"] + 1
    points = ses.get_send_statistics()["SendDataPoints"]
    assert sum(p["DeliveryAttempts"] for p in points) >= 1


def test_aws_cli(overcast_server):
    env = overcast_server.aws_cli_env()

    def aws(*args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", overcast_server.url, *args],
                             env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if out.stdout.strip() else {}

    sender, to = f"{name('cli')}@example.net", f"{name('to')}@example.com"
    aws("ses", "verify-email-identity", "--email-address", sender)
    assert sender in aws("ses", "list-identities")["Identities"]
    message_id = aws("ses", "send-email", "--from", sender, "--to", to, "--subject", "cli", "--text", "via cli")["MessageId"]
    [kept] = sent_messages(overcast_server, to)
    assert (kept["Id"], kept["Subject"]) == (message_id, "cli")
