"""Acknowledged SQS messages survive SIGKILL of the server."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from overcast.testing import OvercastServer


def test_sent_messages_survive_sigkill(tmp_path):
    with OvercastServer(tmp_path, time_scale=0.01) as server:
        sqs = server.client("sqs")
        url = sqs.create_queue(QueueName="durable")["QueueUrl"]
        ids = {sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")["MessageId"] for i in range(20)}
        server.restart(crash=True)
        sqs = server.client("sqs")
        got = set()
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                break
            got |= {m["MessageId"] for m in batch}
        assert got == ids


def test_crash_with_1000_messages_in_flight(tmp_path):
    """Send 1,000 messages (each acknowledged), have a consumer receive and delete some while the rest
    are in flight or waiting, SIGKILL, restart: every acknowledged message is either receivable or
    was deleted by its consumer."""
    with OvercastServer(tmp_path, time_scale=0.001) as server:
        sqs = server.client("sqs")
        url = sqs.create_queue(QueueName="crash", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]

        def send(start: int) -> set[str]:
            client = server.client("sqs")
            acked = set()
            for offset in range(0, 100, 10):
                entries = [{"Id": str(i), "MessageBody": f"{start + offset + i}-{uuid.uuid4()}"} for i in range(10)]
                out = client.send_message_batch(QueueUrl=url, Entries=entries)
                acked |= {e["MessageId"] for e in out["Successful"]}
            return acked

        with ThreadPoolExecutor(4) as pool:
            acked = set().union(*pool.map(send, range(0, 1000, 100)))
        assert len(acked) == 1000
        deleted: set[str] = set()
        for _ in range(30):  # receive 300 (in flight), delete a third of them
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                if len(deleted) < 100:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                    deleted.add(m["MessageId"])
        server.restart(crash=True)
        sqs = server.client("sqs")
        received: set[str] = set()
        empty = 0
        while empty < 3:  # visibility timeouts of 30 s last 30 ms here
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=20).get("Messages", [])
            empty = 0 if batch else empty + 1
            for m in batch:
                received.add(m["MessageId"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        assert received | deleted == acked
        assert not received & deleted
