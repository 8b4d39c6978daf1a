"""SQS with boto3: SendMessage, and ReceiveMessage + DeleteMessage, against overcast and against the
null server answering the same calls with canned responses (the baseline), in interleaved rounds.

    PYTHONPATH=src python -m bench.sqs [--calls 2000] [--rounds 10]

Target (issue 4): within 1.5x of the null server per call.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable

from bench.common import Canned, banner, client, compare, footer, null_server, report_calls
from overcast.testing import OvercastServer

BODY = "benchmark message body " * 8
MD5 = hashlib.md5(BODY.encode()).hexdigest()
JSON = "application/x-amz-json-1.0"
ANSWERS = {
    "AmazonSQS.CreateQueue": Canned.json({"QueueUrl": "http://127.0.0.1/000000000000/bench"}, JSON),
    "AmazonSQS.SendMessage": Canned.json({"MessageId": "5fea7756-0ea4-451a-a703-a558b933e274",
                                          "MD5OfMessageBody": MD5}, JSON),
    "AmazonSQS.ReceiveMessage": Canned.json({"Messages": [{
        "MessageId": "5fea7756-0ea4-451a-a703-a558b933e274", "ReceiptHandle": "AQEB" + "x" * 150,
        "MD5OfBody": MD5, "Body": BODY}]}, JSON),
    "AmazonSQS.DeleteMessage": Canned.json({}, JSON),
}


def calls_for(url: str) -> tuple[Callable[[], None], Callable[[], None]]:
    sqs = client("sqs", url)
    queue = sqs.create_queue(QueueName="bench")["QueueUrl"]

    def send() -> None:
        sqs.send_message(QueueUrl=queue, MessageBody=BODY)

    def receive_delete() -> None:
        got = sqs.receive_message(QueueUrl=queue)["Messages"]
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=got[0]["ReceiptHandle"])

    return send, receive_delete


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000, help="calls per figure, over all rounds")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    banner("SQS with boto3 vs the null server")
    per_round = max(1, args.calls // args.rounds)
    with null_server(answers=ANSWERS) as null, OvercastServer() as server:
        send, receive_delete = calls_for(server.url)
        null_send, null_receive_delete = calls_for(null.url)
        stats = compare({"overcast": send, "null": null_send}, n=per_round, rounds=args.rounds, warmup=10)
        report_calls("SendMessage (200 B)", stats["overcast"], stats["null"])
        # the queue now holds every message sent above, enough for every receive
        stats = compare({"overcast": receive_delete, "null": null_receive_delete}, n=per_round,
                        rounds=args.rounds, warmup=10)
        report_calls("ReceiveMessage + DeleteMessage", stats["overcast"], stats["null"])
    footer()


if __name__ == "__main__":
    main()
