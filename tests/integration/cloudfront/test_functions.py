"""CloudFront Functions (cloudfront-js-2.0) on Node: the stages and their ETags, TestFunction,
a viewer-request redirect and a viewer-response header at the edge, KeyValueStore lookups."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from botocore.exceptions import ClientError

from .helpers import behaviour, config, s3_origin, url

REDIRECT = b"""
async function handler(event) {
    if (event.request.uri === '/old') {
        return { statusCode: 301, statusDescription: 'Moved Permanently',
                 headers: { location: { value: 'https://example.com/new' } } };
    }
    event.request.headers['x-fn'] = { value: 'seen' };
    return event.request;
}
"""
RESPONSE_HEADER = b"""
function handler(event) {
    var response = event.response;
    response.headers['x-served-by'] = { value: 'cf-function' };
    return response;
}
"""
KVS = b"""
import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
    const target = await kvs.get(event.request.uri.slice(1));
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: target } } };
}
"""
RUNTIME = {"Comment": "t", "Runtime": "cloudfront-js-2.0"}


@pytest.fixture
def cf(overcast_server):
    return overcast_server.client("cloudfront")


def _published(cf, code: bytes, config_: dict | None = None) -> str:
    name = f"fn-{uuid.uuid4().hex[:10]}"
    created = cf.create_function(Name=name, FunctionConfig=config_ or RUNTIME, FunctionCode=code)
    cf.publish_function(Name=name, IfMatch=created["ETag"])
    return str(created["FunctionSummary"]["FunctionMetadata"]["FunctionARN"])


def test_stages_and_etags(cf):
    name = f"fn-{uuid.uuid4().hex[:10]}"
    created = cf.create_function(Name=name, FunctionConfig=RUNTIME, FunctionCode=REDIRECT)
    summary = created["FunctionSummary"]
    assert summary["Status"] == "UNPUBLISHED" and summary["FunctionMetadata"]["Stage"] == "DEVELOPMENT"
    with pytest.raises(ClientError) as stale:
        cf.update_function(Name=name, IfMatch="EWRONG", FunctionConfig=RUNTIME, FunctionCode=RESPONSE_HEADER)
    assert stale.value.response["Error"]["Code"] == "PreconditionFailed"
    updated = cf.update_function(Name=name, IfMatch=created["ETag"], FunctionConfig=RUNTIME,
                                 FunctionCode=RESPONSE_HEADER)
    assert updated["ETag"] != created["ETag"]
    with pytest.raises(ClientError) as no_live:
        cf.describe_function(Name=name, Stage="LIVE")
    assert no_live.value.response["Error"]["Code"] == "NoSuchFunctionExists"
    cf.publish_function(Name=name, IfMatch=updated["ETag"])
    live = cf.describe_function(Name=name, Stage="LIVE")
    assert live["FunctionSummary"]["Status"] == "UNASSOCIATED"
    assert cf.get_function(Name=name, Stage="LIVE")["FunctionCode"].read() == RESPONSE_HEADER
    assert name in [f["Name"] for f in cf.list_functions()["FunctionList"]["Items"]]
    with pytest.raises(ClientError) as missing:
        cf.delete_function(Name=name, IfMatch="")
    assert missing.value.response["Error"]["Code"] == "InvalidIfMatchVersion"
    cf.delete_function(Name=name, IfMatch=updated["ETag"])
    with pytest.raises(ClientError) as gone:
        cf.describe_function(Name=name)
    assert gone.value.response["Error"]["Code"] == "NoSuchFunctionExists"


def test_test_function_runs_the_code(cf):
    name = f"fn-{uuid.uuid4().hex[:10]}"
    etag = cf.create_function(Name=name, FunctionConfig=RUNTIME, FunctionCode=REDIRECT)["ETag"]
    event = {"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "1.2.3.4"},
             "request": {"method": "GET", "uri": "/old", "querystring": {}, "headers": {}, "cookies": {}}}
    result = cf.test_function(Name=name, IfMatch=etag, EventObject=json.dumps(event).encode())["TestResult"]
    output = json.loads(result["FunctionOutput"])
    assert output["response"]["statusCode"] == 301
    assert output["response"]["headers"]["location"]["value"] == "https://example.com/new"
    assert result["FunctionErrorMessage"] == ""


def test_viewer_functions_at_the_edge(cf, overcast_server):
    s3 = overcast_server.client("s3")
    bucket = f"cf-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="page", Body=b"hello")
    functions = [{"FunctionARN": _published(cf, REDIRECT), "EventType": "viewer-request"},
                 {"FunctionARN": _published(cf, RESPONSE_HEADER), "EventType": "viewer-response"}]
    dist = cf.create_distribution(DistributionConfig=config(
        [s3_origin(bucket)], behaviour("s3", functions=functions)))["Distribution"]
    with httpx.Client(timeout=60, follow_redirects=False) as http:
        moved = http.get(url(overcast_server, dist["Id"], "/old"))
        assert moved.status_code == 301 and moved.headers["location"] == "https://example.com/new"
        page = http.get(url(overcast_server, dist["Id"], "/page"))
        assert page.status_code == 200 and page.text == "hello"
        assert page.headers["x-served-by"] == "cf-function"


def test_key_value_store_imported_from_s3(cf, overcast_server):
    s3 = overcast_server.client("s3")
    bucket = f"kvs-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data.json",
                  Body=json.dumps({"data": [{"key": "docs", "value": "https://example.com/docs"}]}).encode())
    store = cf.create_key_value_store(Name=f"kvs-{uuid.uuid4().hex[:8]}", ImportSource={
        "SourceType": "S3", "SourceARN": f"arn:aws:s3:::{bucket}/data.json"})["KeyValueStore"]
    fn_config = {**RUNTIME, "KeyValueStoreAssociations": {"Quantity": 1, "Items": [
        {"KeyValueStoreARN": store["ARN"]}]}}
    functions = [{"FunctionARN": _published(cf, KVS, fn_config), "EventType": "viewer-request"}]
    dist = cf.create_distribution(DistributionConfig=config(
        [s3_origin(bucket)], behaviour("s3", functions=functions)))["Distribution"]
    answer = httpx.get(url(overcast_server, dist["Id"], "/docs"), timeout=60, follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["location"] == "https://example.com/docs"


def test_function_associations_are_checked(cf):
    name = f"fn-{uuid.uuid4().hex[:10]}"
    created = cf.create_function(Name=name, FunctionConfig=RUNTIME, FunctionCode=REDIRECT)
    arn = created["FunctionSummary"]["FunctionMetadata"]["FunctionARN"]

    def attempt(event_type: str) -> str:
        functions = [{"FunctionARN": arn, "EventType": event_type}]
        with pytest.raises(ClientError) as err:
            cf.create_distribution(DistributionConfig=config([s3_origin("b")], behaviour("s3", functions=functions)))
        return str(err.value.response["Error"]["Code"])

    assert attempt("viewer-request") == "InvalidFunctionAssociation"  # not published yet
    cf.publish_function(Name=name, IfMatch=created["ETag"])
    assert attempt("origin-request") == "InvalidFunctionAssociation"
    functions = [{"FunctionARN": arn, "EventType": "viewer-request"}]
    dist = cf.create_distribution(DistributionConfig=config([s3_origin("b")], behaviour("s3", functions=functions)))
    assert cf.describe_function(Name=name, Stage="LIVE")["FunctionSummary"]["Status"] == "DEPLOYED"
    with pytest.raises(ClientError) as in_use:
        cf.delete_function(Name=name, IfMatch=created["ETag"])
    assert in_use.value.response["Error"]["Code"] == "FunctionInUse"
    assert dist["Distribution"]["Id"]
