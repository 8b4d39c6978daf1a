"""The caller's X-Ray trace header becomes the invocation's (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html):
the function's `_X_AMZN_TRACE_ID` keeps the Root an Invoke, a function URL or an HTTP API received,
with Lambda's own segment as Parent and the caller's sampling decision; the header in the event
is the caller's."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from overcast.testing import create_function
from tests.integration.apigateway.helpers import rest_proxy_api

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
ROOT = "1-5759e988-bd862e3fe1be46a994272793"

SHOW = """
import json, os
def handler(event, context):
    body = {"trace": os.environ.get("_X_AMZN_TRACE_ID"), "headers": event.get("headers")}
    return {"statusCode": 200, "body": json.dumps(body)}
"""


def _fields(header: str) -> dict[str, str]:
    return dict(field.split("=", 1) for field in header.split(";"))


def _with_trace(client, header: str):
    client.meta.events.register("before-send.lambda.Invoke",
                                lambda request, **_: request.headers.__setitem__("X-Amzn-Trace-Id", header))
    return client


def _shown(lam, name: str) -> dict:
    return json.loads(json.loads(lam.invoke(FunctionName=name)["Payload"].read())["body"])


def test_invoke_continues_the_callers_trace(overcast_server):
    lam = overcast_server.client("lambda")
    name = create_function(lam, SHOW)
    fields = _fields(_shown(_with_trace(lam, TRACE), name)["trace"])
    assert fields["Root"] == ROOT
    assert re.fullmatch(r"[0-9a-f]{16}", fields["Parent"]) and fields["Parent"] != "53995c3f42cd8ad8"
    assert fields["Sampled"] == "1"


def test_an_unsampled_caller_stays_unsampled(overcast_server):
    lam = overcast_server.client("lambda")
    name = create_function(lam, SHOW, TracingConfig={"Mode": "Active"})
    fields = _fields(_shown(_with_trace(lam, f"Root={ROOT};Sampled=0"), name)["trace"])
    assert fields["Root"] == ROOT and fields["Sampled"] == "0"


@pytest.mark.parametrize(("mode", "sampled"), [("PassThrough", "0"), ("Active", "1")])
def test_without_a_caller_trace_a_new_one_starts(lam, mode, sampled):
    name = create_function(lam, SHOW, TracingConfig={"Mode": mode})
    first, second = (_fields(_shown(lam, name)["trace"]) for _ in range(2))
    assert re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", first["Root"])
    assert first["Root"] != second["Root"]
    assert first["Sampled"] == sampled


def test_a_function_url_passes_the_callers_trace_on(lam):
    name = create_function(lam, SHOW)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    shown = httpx.get(url, headers={"X-Amzn-Trace-Id": TRACE}, timeout=60).json()
    assert shown["headers"]["x-amzn-trace-id"] == TRACE
    assert _fields(shown["trace"])["Root"] == ROOT
    fresh = httpx.get(url, timeout=60).json()   # none sent: the header in the event and the function's agree
    assert _fields(fresh["trace"])["Root"] == _fields(fresh["headers"]["x-amzn-trace-id"])["Root"]


def test_an_http_api_passes_the_callers_trace_on(overcast_server, lam):
    apigw2 = overcast_server.client("apigatewayv2")
    name = create_function(lam, SHOW)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    api = apigw2.create_api(Name=f"trace-{name}", ProtocolType="HTTP", Target=arn)
    shown = httpx.get(api["ApiEndpoint"] + "/x", headers={"X-Amzn-Trace-Id": TRACE}, timeout=60).json()
    assert shown["headers"]["x-amzn-trace-id"] == TRACE
    assert _fields(shown["trace"])["Root"] == ROOT
    fresh = httpx.get(api["ApiEndpoint"] + "/x", timeout=60).json()
    assert _fields(fresh["trace"])["Root"] == _fields(fresh["headers"]["x-amzn-trace-id"])["Root"]


def test_a_rest_api_passes_the_callers_trace_on(overcast_server, lam):

    api_id, _ = rest_proxy_api(overcast_server.client("apigateway"), lam, SHOW, stage="prod")
    url = f"{overcast_server.url}/restapis/{api_id}/prod/_user_request_/x"
    shown = httpx.get(url, headers={"X-Amzn-Trace-Id": TRACE}, timeout=60).json()
    assert {k.lower(): v for k, v in shown["headers"].items()}["x-amzn-trace-id"] == TRACE
    assert _fields(shown["trace"])["Root"] == ROOT
    fresh = httpx.get(url, timeout=60).json()   # none sent: API Gateway adds the header it started
    assert _fields(fresh["trace"])["Root"] == _fields(fresh["headers"]["X-Amzn-Trace-Id"])["Root"]


def test_invoke_with_response_stream_continues_the_callers_trace(overcast_server):
    lam = overcast_server.client("lambda")
    name = create_function(lam, SHOW)
    lam.meta.events.register("before-send.lambda.InvokeWithResponseStream",
                             lambda request, **_: request.headers.__setitem__("X-Amzn-Trace-Id", TRACE))
    events = list(lam.invoke_with_response_stream(FunctionName=name, Payload=b"{}")["EventStream"])
    payload = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
    assert _fields(json.loads(json.loads(payload)["body"])["trace"])["Root"] == ROOT
