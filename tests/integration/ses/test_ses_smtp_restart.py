"""SES receiving over SMTP (OVERCAST_SES_SMTP_PORT) on a server of the test's own, and sent and
received messages surviving a restart (kept in SQLite before SES answers)."""

from __future__ import annotations

import smtplib

from overcast.testing import OvercastServer
from overcast.testing.server import free_port
from tests.integration.ses.helpers import domain, name, raw_message, sent_messages


def test_smtp_runs_the_rule_set_and_messages_survive_a_restart():
    smtp_port = free_port()
    with OvercastServer(env={"OVERCAST_SES_SMTP_PORT": str(smtp_port)}) as server:
        ses, s3 = server.client("ses"), server.client("s3")
        bucket, dom = name("mail"), domain()
        s3.create_bucket(Bucket=bucket)
        ses.create_receipt_rule_set(RuleSetName="main")
        ses.create_receipt_rule(RuleSetName="main", Rule={"Name": "keep", "Enabled": True, "Recipients": [dom],
                                                          "Actions": [{"S3Action": {"BucketName": bucket}}]})
        ses.set_active_receipt_rule_set(RuleSetName="main")
        recipient = f"box@{dom}"
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=60) as client:
            client.sendmail("from@sender.example", [recipient], raw_message("from@sender.example", recipient, "by smtp"))
        [received] = sent_messages(server, recipient, direction="received")
        assert received["Subject"] == "by smtp"
        assert received["Outcome"]["Rules"] == ["keep"]
        assert s3.get_object(Bucket=bucket, Key=received["Id"])["Body"].read().count(b"Subject: by smtp") == 1

        sender, to = f"{name('s')}@example.net", f"{name('to')}@example.com"
        ses.verify_email_identity(EmailAddress=sender)
        sent_id = ses.send_email(Source=sender, Destination={"ToAddresses": [to]},
                                 Message={"Subject": {"Data": "kept"}, "Body": {"Text": {"Data": "b"}}})["MessageId"]
        server.restart(crash=True)
        assert [m["Id"] for m in sent_messages(server, to)] == [sent_id]
        assert [m["Id"] for m in sent_messages(server, recipient, direction="received")] == [received["Id"]]
        assert server.client("ses").describe_active_receipt_rule_set()["Metadata"]["Name"] == "main"
