"""Environments fork from a zygote that has warmed boto3's default session (service models,
endpoint rules): a handler's `boto3.client(...)` uses it, and still takes its credentials, region and
endpoint from the environment's variables, resolved in the child."""

from __future__ import annotations

import json

from overcast.testing import create_function

SOURCE = """
import os, time, boto3
WARM = boto3.DEFAULT_SESSION is not None  # set by the zygote before the fork

def handler(event, context):
    started = time.perf_counter()
    sts = boto3.client("sts")
    made = time.perf_counter() - started
    return {"warm": WARM, "account": sts.get_caller_identity()["Account"], "region": sts.meta.region_name,
            "endpoint": sts.meta.endpoint_url, "expected": os.environ["AWS_ENDPOINT_URL"], "made_ms": made * 1000}
"""


def test_a_handlers_first_client_uses_the_warm_session_with_its_own_credentials(overcast_server):
    account = "210987654321"
    lam = overcast_server.client("lambda", aws_access_key_id=account, region_name="eu-west-1")
    name = create_function(lam, SOURCE)
    result = json.loads(lam.invoke(FunctionName=name)["Payload"].read())
    assert result["warm"] is True
    assert (result["account"], result["region"]) == (account, "eu-west-1")
    assert result["endpoint"] == result["expected"]
    print(f"first boto3 client made in {result['made_ms']:.1f} ms")
