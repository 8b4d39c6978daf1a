"""SQS with boto3: SendMessage, and ReceiveMessage+DeleteMessage, against overcast and against the null
server answering the same calls with canned responses (the baseline).

    PYTHONPATH=src python bench/sqs.py [--calls 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common_simple import NullServer, per_call, report

BODY = "benchmark message body " * 8
MD5 = hashlib.md5(BODY.encode()).hexdigest()


def _canned(scope: dict, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    target = dict(scope["headers"]).get(b"x-amz-target", b"").decode()
    op = target.rpartition(".")[2]
    answers = {
        "SendMessage": {"MessageId": "5fea7756-0ea4-451a-a703-a558b933e274", "MD5OfMessageBody": MD5},
        "ReceiveMessage": {"Messages": [{"MessageId": "5fea7756-0ea4-451a-a703-a558b933e274",
                                         "ReceiptHandle": "AQEB" + "x" * 150, "MD5OfBody": MD5, "Body": BODY}]},
        "CreateQueue": {"QueueUrl": "http://127.0.0.1/000000000000/bench"},
    }
    payload = json.dumps(answers.get(op, {})).encode()
    return 200, [("content-type", "application/x-amz-json-1.0"), ("x-amzn-requestid", "r")], payload


def _client(url: str):  # type: ignore[no-untyped-def]
    import boto3
    from botocore.config import Config

    return boto3.client("sqs", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def calls_for(url: str) -> tuple[Callable[[], None], Callable[[], None]]:
    sqs = _client(url)
    queue = sqs.create_queue(QueueName="bench")["QueueUrl"]

    def send() -> None:
        sqs.send_message(QueueUrl=queue, MessageBody=BODY)

    def receive_delete() -> None:
        got = sqs.receive_message(QueueUrl=queue)["Messages"]
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=got[0]["ReceiptHandle"])

    return send, receive_delete


def interleaved(ours: Callable[[], None], base: Callable[[], None], calls: int, rounds: int = 10) -> tuple[dict, dict]:
    """Alternate rounds between overcast and the baseline, so load from elsewhere hits both alike."""
    a: list[dict] = []
    b: list[dict] = []
    for _ in range(rounds):
        a.append(per_call(ours, calls // rounds, warmup=10))
        b.append(per_call(base, calls // rounds, warmup=10))
    merge = lambda parts: {k: statistics.median(p[k] for p in parts) for k in parts[0]}  # noqa: E731
    return merge(a), merge(b)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    from overcast.testing import OvercastServer

    with NullServer(_canned) as null, OvercastServer() as server:
        send, receive_delete = calls_for(server.url)
        null_send, null_receive_delete = calls_for(null.url)
        ours, base = interleaved(send, null_send, args.calls)
        print(report("SendMessage", ours, base))
        # the queue now holds `calls` + warm-up messages, enough for every receive
        ours, base = interleaved(receive_delete, null_receive_delete, args.calls)
        print(report("ReceiveMessage + DeleteMessage", ours, base))


if __name__ == "__main__":
    main()
