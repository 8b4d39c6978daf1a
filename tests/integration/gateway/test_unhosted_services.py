"""A service overcast does not host answers every call in that service's own protocol and error
shape, naming the service and the services overcast hosts, so each SDK raises a readable error."""

import subprocess
import sys

import httpx
import pytest
from botocore.exceptions import ClientError

# (boto3 client, call, its protocol, the error code AWS gives an unknown operation in that protocol)
CALLS = [
    ("secretsmanager", lambda c: c.get_secret_value(SecretId="db"), "json", "UnknownOperationException"),
    ("glue", lambda c: c.get_databases(), "json", "UnknownOperationException"),
    ("ecr", lambda c: c.describe_repositories(), "json", "UnknownOperationException"),
    ("eventbridgev2", lambda c: c.list_event_buses(), "smithy-rpc-v2-cbor", "UnknownOperationException"),
    ("elasticache", lambda c: c.describe_cache_clusters(), "query", "InvalidAction"),
    ("amplify", lambda c: c.list_apps(), "rest-json", "UnknownOperationException"),
    ("route53", lambda c: c.list_hosted_zones(), "rest-xml", "UnknownOperationException"),
    ("ec2", lambda c: c.describe_instances(), "ec2", "InvalidAction"),
]

NAMES = {"secretsmanager": "AWS Secrets Manager",
         "glue": "AWS Glue (glue)", "ecr": "Amazon Elastic Container Registry (ecr)",
         "eventbridgev2": "Amazon EventBridgeV2 (eventbridgev2)", "elasticache": "Amazon ElastiCache (elasticache)",
         "amplify": "AWS Amplify (amplify)", "route53": "Amazon Route 53 (route53)",
         "ec2": "Amazon Elastic Compute Cloud (ec2)"}


@pytest.mark.parametrize(("service", "call", "protocol", "code"), CALLS, ids=[c[0] for c in CALLS])
def test_unhosted_service_answers_in_its_own_protocol(overcast_server, service, call, protocol, code):
    client = overcast_server.client(service)
    assert client.meta.service_model.protocol == protocol  # the protocol botocore picked for the call
    with pytest.raises(ClientError) as info:
        call(client)
    error = info.value.response["Error"]
    assert error["Code"] == code
    message = error["Message"]
    assert message.startswith(f"overcast does not host {NAMES[service]}")
    assert "lambda" in message and "sqs" in message and "GET /_overcast/health" in message
    status = info.value.response["ResponseMetadata"]["HTTPStatusCode"]
    assert status == (404 if protocol in ("rest-json", "rest-xml") else 400)


def test_wire_shapes(overcast_server):
    """The bodies as AWS shapes them: JSON `__type`, query XML `<ErrorResponse>`."""
    auth = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/{}/aws4_request, "
            "SignedHeaders=host, Signature=0")
    r = httpx.post(overcast_server.url, content=b"{}", timeout=30, headers={
        "X-Amz-Target": "AWSGlue.GetDatabases", "Content-Type": "application/x-amz-json-1.1",
        "Authorization": auth.format("glue")})
    assert r.status_code == 400 and r.headers["content-type"] == "application/x-amz-json-1.1"
    assert r.json()["__type"] == "UnknownOperationException"
    r = httpx.post(overcast_server.url, content=b"Action=DescribeCacheClusters&Version=2015-02-02", timeout=30,
                   headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": auth.format("elasticache")})
    assert r.status_code == 400 and r.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse>')
    assert "<Code>InvalidAction</Code>" in r.text and "<Type>Sender</Type>" in r.text


def test_hosted_services_and_unsigned_s3_still_route(overcast_server):
    overcast_server.client("sqs").list_queues()
    r = httpx.get(f"{overcast_server.url}/no-such-bucket-here", timeout=30)
    assert r.status_code == 404 and "<Code>NoSuchBucket</Code>" in r.text


def test_aws_cli_prints_the_reason(overcast_server):
    out = subprocess.run([sys.executable, "-m", "awscli", "secretsmanager", "list-secrets"], capture_output=True,
                         text=True, timeout=120, env=overcast_server.aws_cli_env())
    assert out.returncode in (254, 255)  # the CLI's exit status for a service error
    assert ("An error occurred (UnknownOperationException) when calling the ListSecrets operation: overcast does "
            "not host AWS Secrets Manager (secretsmanager)") in out.stderr
