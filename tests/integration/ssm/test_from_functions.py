"""A function reads its configuration from Parameter Store with boto3, as functions on AWS do."""

from __future__ import annotations

import json
import uuid

from overcast.testing.lambdas import create_function

SOURCE = '''
import boto3

def handler(event, context):
    ssm = boto3.client("ssm")
    plain = ssm.get_parameter(Name=event["plain"])["Parameter"]["Value"]
    secret = ssm.get_parameter(Name=event["secret"], WithDecryption=True)["Parameter"]["Value"]
    by_path = ssm.get_parameters_by_path(Path=event["path"], WithDecryption=True)["Parameters"]
    return {"plain": plain, "secret": secret, "names": sorted(p["Name"] for p in by_path)}
'''


def test_function_reads_parameters(overcast_server):
    ssm, lam = overcast_server.client("ssm"), overcast_server.client("lambda")
    base = f"/fn-{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=f"{base}/table", Value="orders", Type="String")
    ssm.put_parameter(Name=f"{base}/password", Value="s3cret", Type="SecureString")
    name = create_function(lam, SOURCE, Timeout=60)
    event = {"plain": f"{base}/table", "secret": f"{base}/password", "path": base}
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    assert "FunctionError" not in answer, answer["Payload"].read()
    assert json.loads(answer["Payload"].read()) == {
        "plain": "orders", "secret": "s3cret", "names": [f"{base}/password", f"{base}/table"]}
