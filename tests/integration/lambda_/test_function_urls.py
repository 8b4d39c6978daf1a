"""Function URLs: the config API and serving (payload 2.0 events, both URL forms, CORS, AWS_IAM)."""

from __future__ import annotations

import json

import httpx
import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function

HANDLER = """
import json
def handler(event, context):
    kind = (event.get("queryStringParameters") or {}).get("kind")
    if kind == "bare":
        return ["a", 1]
    if kind == "raise":
        raise RuntimeError("no")
    return {"statusCode": 201, "headers": {"X-Fn": context.function_name},
            "body": json.dumps({"event": event, "version": context.function_version})}
"""


def test_config_api(lam):
    name = create_function(lam, HANDLER)
    created = lam.create_function_url_config(FunctionName=name, AuthType="NONE",
                                             Cors={"AllowOrigins": ["https://a.example"]})
    assert created["FunctionUrl"].endswith("/") and "/_aws/lambda-url/" in created["FunctionUrl"]
    assert created["AuthType"] == "NONE" and created["FunctionArn"].endswith(f":function:{name}")
    with pytest.raises(ClientError) as excinfo:
        lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert excinfo.value.response["Error"]["Code"] == "ResourceConflictException"
    got = lam.get_function_url_config(FunctionName=name)
    assert got["FunctionUrl"] == created["FunctionUrl"] and "InvokeMode" not in got  # none given
    updated = lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    assert updated["AuthType"] == "AWS_IAM" and updated["Cors"] == {"AllowOrigins": ["https://a.example"]}
    assert [c["FunctionUrl"] for c in lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]] == [
        created["FunctionUrl"]]
    lam.delete_function_url_config(FunctionName=name)
    with pytest.raises(ClientError) as excinfo:
        lam.get_function_url_config(FunctionName=name)
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_url_serves_payload_2(lam, overcast_server):
    name = create_function(lam, HANDLER)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    r = httpx.post(f"{url}a/b?x=1", content=b"hi", headers={"Content-Type": "text/plain", "Cookie": "k=v"},
                   timeout=30)
    assert r.status_code == 201 and r.headers["x-fn"] == name
    event = r.json()["event"]
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/a/b" and event["rawQueryString"] == "x=1" and event["cookies"] == ["k=v"]
    assert event["body"] == "hi" and event["isBase64Encoded"] is False
    identifier = url.rstrip("/").rsplit("/", 1)[1]
    assert event["requestContext"]["apiId"] == identifier
    assert event["requestContext"]["accountId"] == "anonymous"
    assert event["requestContext"]["http"]["method"] == "POST"
    host = httpx.get(f"{overcast_server.url}/h", headers={"Host": f"{identifier}.lambda-url.us-east-1.localhost"},
                     timeout=30)
    assert host.status_code == 201 and host.json()["event"]["rawPath"] == "/h"
    bare = httpx.get(f"{url}?kind=bare", timeout=30)
    assert bare.status_code == 200 and bare.json() == ["a", 1]
    assert httpx.get(f"{url}?kind=raise", timeout=30).status_code == 502


def test_alias_url_cors_and_iam(lam):
    name = create_function(lam, HANDLER)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    with pytest.raises(ClientError):
        lam.create_function_url_config(FunctionName=name, Qualifier=version, AuthType="NONE")
    url = lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="AWS_IAM",
                                         Cors={"AllowOrigins": ["*"], "AllowMethods": ["GET"]})["FunctionUrl"]
    assert httpx.get(url, timeout=30).status_code == 403
    signed = {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/lambda/aws4_request, "
                               "SignedHeaders=host, Signature=abc"}
    r = httpx.get(url, headers=signed, timeout=30)
    assert r.status_code == 201 and json.loads(r.text)["version"] == version
    r = httpx.options(url, headers={"Origin": "https://x.example", "Access-Control-Request-Method": "GET"},
                      timeout=30)
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "*"
