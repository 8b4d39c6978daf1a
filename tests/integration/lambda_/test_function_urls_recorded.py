"""Function URLs as AWS records them (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html):
InvokeMode only once given, compact JSON results, the request's headers and decoded path, the 403s
for a deleted alias and an unknown URL, and the config API's not-found messages."""

from __future__ import annotations

import os

import httpx
import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function

ECHO = """
import json, os
def handler(event, context):
    kind = os.environ.get("KIND", "event")
    if kind == "dict":
        return {"hello": "world"}
    if kind == "list":
        return ["hello", 3, True]
    if kind == "body-dict":
        return {"statusCode": 200, "body": {"hello": "world"}}
    return {"statusCode": 200, "body": json.dumps(event)}
"""


def _url(lam, kind="event", **kwargs):
    name = create_function(lam, ECHO, Environment={"Variables": {"KIND": kind}})
    return name, lam.create_function_url_config(FunctionName=name, AuthType="NONE", **kwargs)["FunctionUrl"]


def _error(call, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_invoke_mode_only_when_given(lam):
    name, _ = _url(lam)
    assert "InvokeMode" not in lam.get_function_url_config(FunctionName=name)
    listed, = lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert "InvokeMode" not in listed
    other = create_function(lam, ECHO)
    created = lam.create_function_url_config(FunctionName=other, AuthType="NONE", InvokeMode="BUFFERED")
    assert created["InvokeMode"] == "BUFFERED"
    assert lam.get_function_url_config(FunctionName=other)["InvokeMode"] == "BUFFERED"


@pytest.mark.parametrize(("kind", "body"), [("dict", b'{"hello":"world"}'), ("list", b'["hello",3,true]'),
                                            ("body-dict", b'{"hello":"world"}')])
def test_results_are_compact_json(lam, kind, body):
    _, url = _url(lam, kind)
    response = httpx.get(url, timeout=60)
    assert response.status_code == 200 and response.content == body


def test_request_context_and_headers(lam):
    _, url = _url(lam)
    response = httpx.get(f"{url}caf%C3%A9/a%20b", headers={"Connection": "keep-alive"}, timeout=60)
    event = response.json()
    assert event["rawPath"] == "/caf%C3%A9/a%20b"
    assert event["requestContext"]["http"]["path"] == "/café/a b"
    headers = event["headers"]
    assert "connection" not in headers
    assert {"x-amzn-tls-cipher-suite", "x-amzn-tls-version", "x-amzn-trace-id", "x-forwarded-for",
            "x-forwarded-port", "x-forwarded-proto"} <= set(headers)
    assert headers["x-amzn-trace-id"].startswith("Root=1-")
    assert headers["x-forwarded-for"] == event["requestContext"]["http"]["sourceIp"]


def test_a_deleted_alias_and_an_unknown_url_are_forbidden(lam, overcast_server):
    name = create_function(lam, ECHO)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    url = lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")["FunctionUrl"]
    lam.delete_alias(FunctionName=name, Name="live")
    response = httpx.get(url, timeout=60)
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert response.json() == {"Message": "Forbidden. For troubleshooting Function URL authorization issues, see: "
                                          "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}
    unknown = httpx.get(f"{overcast_server.url}/_aws/lambda-url/{os.urandom(16).hex()}/", timeout=60)
    assert unknown.status_code == 403 and unknown.content == b'{"Message":null}'


def test_config_not_found_messages(lam):
    missing = "no-such-function-here"
    for call in (lam.get_function_url_config, lam.delete_function_url_config):
        assert _error(call, FunctionName=missing) == ("ResourceNotFoundException",
                                                       "The resource you requested does not exist.")
    assert _error(lam.create_function_url_config, FunctionName=missing, AuthType="NONE") == (
        "ResourceNotFoundException", "Function does not exist")
    assert _error(lam.update_function_url_config, FunctionName=missing, AuthType="NONE") == (
        "ResourceNotFoundException", "Function does not exist")
    assert _error(lam.list_function_url_configs, FunctionName=missing) == (
        "ResourceNotFoundException", "Function does not exist")
    name = create_function(lam, ECHO)
    assert _error(lam.get_function_url_config, FunctionName=name) == (
        "ResourceNotFoundException", "The resource you requested does not exist.")
