"""`--iam report`: nothing is refused, every would-be denial is listed with what would grant it."""

from __future__ import annotations

import json

from overcast.testing import OvercastServer
from tests.integration.iam.conftest import Account, allow, doc, report


def test_report_mode_allows_and_lists_what_is_missing():
    with OvercastServer(env={"OVERCAST_IAM": "report"}) as server:
        account = Account(server)
        url = account.root("sqs").create_queue(QueueName="q")["QueueUrl"]
        boundary = account.policy("b", doc(allow("sqs:ReceiveMessage")))
        key = account.user("lee", boundary=boundary, policy=doc(allow("sqs:*")))
        sqs = account.as_keys("sqs", key)
        assert sqs.send_message(QueueUrl=url, MessageBody="x")["MessageId"]  # allowed: only reported
        (entry,) = [d for d in report(server) if d["principal"].endswith(":user/lee")]
        queue = f"arn:aws:sqs:us-east-1:{account.id}:q"
        assert entry["mode"] == "report" and entry["reason"] == "no-boundary"
        assert entry["grant"] == {"add_to": "permissions boundary", "statement": {
            "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue}}
        sqs.send_message(QueueUrl=url, MessageBody="y")
        (entry,) = [d for d in report(server) if d["principal"].endswith(":user/lee")]
        assert entry["count"] == 2
        assert "IAM would deny: User: arn:aws:iam::" in server.log_text()
        assert json.loads(json.dumps(entry))["message"].endswith(
            "because no permissions boundary allows the sqs:SendMessage action")
