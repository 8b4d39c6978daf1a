"""What IAM evaluation costs per call: SQS SendMessage and a warm Lambda Invoke against a server
with `--iam off` (the default), one with `--iam enforce` called with the root key, and the same
called with an IAM user's key whose inline policy allows the call (the full evaluation: the user's
policies, the queue's policy), in interleaved rounds.

    PYTHONPATH=src python -m bench.iam [--calls 2000] [--rounds 10]

Target (issue 23): `off` costs nothing measurable (its figure is the baseline of the others, and
the off server's own figure is comparable with bench.sqs's).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from bench.common import banner, client, compare, deploy_function, footer, report_calls
from overcast.testing import OvercastServer

BODY = "benchmark message body " * 8
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sqs:SendMessage", "lambda:InvokeFunction"], "Resource": "*"}]})


def user_keys(url: str) -> dict[str, str]:
    iam = client("iam", url)
    iam.create_user(UserName="bench")
    iam.put_user_policy(UserName="bench", PolicyName="all", PolicyDocument=ALLOW_ALL)
    key = iam.create_access_key(UserName="bench")["AccessKey"]
    return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}


def signed(service: str, url: str, keys: dict[str, str]) -> Any:
    """bench.common's client, signed with other keys."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"total_max_attempts": 1}, max_pool_connections=10, read_timeout=120)
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", config=config, **keys)


def calls_for(url: str, keys: dict[str, str] | None = None) -> tuple[Callable[[], None], Callable[[], None]]:
    setup_sqs, setup_lam = client("sqs", url), client("lambda", url)
    queue = setup_sqs.create_queue(QueueName="bench")["QueueUrl"]
    try:
        deploy_function(setup_lam, "bench")
    except Exception:
        pass
    sqs, lam = (signed("sqs", url, keys), signed("lambda", url, keys)) if keys else (setup_sqs, setup_lam)

    def send() -> None:
        sqs.send_message(QueueUrl=queue, MessageBody=BODY)

    def invoke() -> None:
        lam.invoke(FunctionName="bench", Payload=b"{}")["Payload"].read()

    return send, invoke


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000, help="calls per figure, over all rounds")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    banner("IAM evaluation: --iam off vs enforce (root key, user key)")
    per_round = max(1, args.calls // args.rounds)
    with OvercastServer(in_memory=True) as off, OvercastServer(in_memory=True, env={"OVERCAST_IAM": "enforce"}) as on:
        off_send, off_invoke = calls_for(off.url)
        root_send, root_invoke = calls_for(on.url)
        user_send, user_invoke = calls_for(on.url, user_keys(on.url))
        for name, series in (("SendMessage", {"off": off_send, "root": root_send, "user": user_send}),
                             ("Invoke (warm)", {"off": off_invoke, "root": root_invoke, "user": user_invoke})):
            stats = compare(series, n=per_round, rounds=args.rounds, warmup=10)
            report_calls(f"{name}, enforce, root key", stats["root"], stats["off"], "off")
            report_calls(f"{name}, enforce, user key", stats["user"], stats["off"], "off")
    footer()


if __name__ == "__main__":
    main()
