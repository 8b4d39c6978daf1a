"""Serving distributions with httpx: an S3 bucket and a function URL as origins, routing by path
pattern, the edge cache (hits, misses, TTLs, invalidations), DefaultRootObject, custom error
responses, and Lambda@Edge on the four events with its validation and error answers."""

from __future__ import annotations

import uuid

import httpx
import pytest

from overcast.testing import create_function, wait_until

from .helpers import (
    ALL_VIEWER_EXCEPT_HOST,
    CACHING_DISABLED,
    behaviour,
    config,
    custom_origin,
    edge_version,
    s3_origin,
    url,
)

APP = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json", "Cache-Control": "max-age=60"},
            "body": json.dumps({"path": event["rawPath"], "headers": event["headers"],
                                "query": event.get("rawQueryString", "")})}
"""
ADD_HEADER = """
def handler(event, context):
    request = event["Records"][0]["cf"]["request"]
    request["headers"]["x-edge"] = [{"key": "X-Edge", "value": "viewer-request"}]
    return request
"""
REWRITE_STATUS = """
def handler(event, context):
    response = event["Records"][0]["cf"]["response"]
    if response["status"] == "404":
        response["status"] = "200"
        response["statusDescription"] = "OK"
        response["headers"]["x-rewritten"] = [{"key": "X-Rewritten", "value": "from 404"}]
    return response
"""
REDIRECT = """
def handler(event, context):
    return {"status": "302", "statusDescription": "Found",
            "headers": {"location": [{"key": "Location", "value": "https://example.com/moved"}]}}
"""
READ_ONLY = """
def handler(event, context):
    request = event["Records"][0]["cf"]["request"]
    request["headers"]["host"] = [{"key": "Host", "value": "elsewhere.example"}]
    return request
"""
RAISES = """
def handler(event, context):
    raise RuntimeError("boom")
"""


@pytest.fixture
def cf(overcast_server):
    return overcast_server.client("cloudfront")


@pytest.fixture
def bucket(overcast_server):
    s3 = overcast_server.client("s3")
    name = f"cf-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="index.html", Body=b"<h1>home</h1>", ContentType="text/html")
    s3.put_object(Bucket=name, Key="assets/app.js", Body=b"console.log(1)", ContentType="application/javascript")
    s3.put_object(Bucket=name, Key="404.html", Body=b"not here", ContentType="text/html")
    return name


@pytest.fixture
def lam(overcast_server):
    return overcast_server.client("lambda")


def _app_url_domain(lam) -> str:
    name = create_function(lam, APP)
    function_url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    url_id = function_url.rstrip("/").rsplit("/", 1)[-1]
    return f"{url_id}.lambda-url.us-east-1.on.aws"


def test_s3_and_function_url_origins_with_edge_functions(cf, overcast_server, bucket, lam):
    viewer = edge_version(lam, ADD_HEADER)
    rewrite = edge_version(lam, REWRITE_STATUS)
    default = behaviour("s3", edge=[{"LambdaFunctionARN": rewrite, "EventType": "origin-response"}])
    api = behaviour("app", pattern="/api/*", policy=CACHING_DISABLED, origin_policy=ALL_VIEWER_EXCEPT_HOST,
                    edge=[{"LambdaFunctionARN": viewer, "EventType": "viewer-request"}])
    dist = cf.create_distribution(DistributionConfig=config(
        [s3_origin(bucket), custom_origin(_app_url_domain(lam), "app")], default, [api],
        DefaultRootObject="index.html"))["Distribution"]
    with httpx.Client(timeout=120) as http:
        home = http.get(url(overcast_server, dist["Id"], "/"))
        assert home.status_code == 200 and home.text == "<h1>home</h1>"
        assert home.headers["x-cache"] == "Miss from cloudfront"
        assert home.headers["via"].endswith(".cloudfront.net (CloudFront)")
        assert home.headers["x-amz-cf-id"] and home.headers["x-amz-cf-pop"]
        app = http.get(url(overcast_server, dist["Id"], "/api/items?x=1"))
        assert app.status_code == 200
        body = app.json()
        assert body["path"] == "/api/items"
        assert body["headers"]["x-edge"] == "viewer-request"
        missing = http.get(url(overcast_server, dist["Id"], "/nothing.txt"))
        assert missing.status_code == 200
        assert missing.headers["x-rewritten"] == "from 404"


def test_cache_hits_misses_and_invalidation(cf, overcast_server, bucket):
    s3 = overcast_server.client("s3")
    dist = cf.create_distribution(DistributionConfig=config([s3_origin(bucket)], behaviour("s3")))["Distribution"]
    target = url(overcast_server, dist["Id"], "/assets/app.js")
    with httpx.Client(timeout=60) as http:
        first = http.get(target)
        assert first.headers["x-cache"] == "Miss from cloudfront" and first.text == "console.log(1)"
        s3.put_object(Bucket=bucket, Key="assets/app.js", Body=b"console.log(2)")
        second = http.get(target)
        assert second.headers["x-cache"] == "Hit from cloudfront"
        assert second.text == "console.log(1)"
        assert "age" in second.headers
        cf.create_invalidation(DistributionId=dist["Id"], InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/assets/*"]}, "CallerReference": uuid.uuid4().hex})
        third = http.get(target)
        assert third.headers["x-cache"] == "Miss from cloudfront" and third.text == "console.log(2)"


def test_caching_disabled_policy_always_misses(cf, overcast_server, bucket):
    dist = cf.create_distribution(DistributionConfig=config(
        [s3_origin(bucket)], behaviour("s3", policy=CACHING_DISABLED)))["Distribution"]
    with httpx.Client(timeout=60) as http:
        for _ in range(2):
            assert http.get(url(overcast_server, dist["Id"], "/index.html")).headers["x-cache"] == \
                "Miss from cloudfront"


def test_custom_error_response_and_host_form(cf, overcast_server, bucket):
    errors = {"Quantity": 1, "Items": [{"ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": "404",
                                        "ErrorCachingMinTTL": 10}]}
    dist = cf.create_distribution(DistributionConfig=config(
        [s3_origin(bucket)], behaviour("s3"), CustomErrorResponses=errors))["Distribution"]
    with httpx.Client(timeout=60) as http:
        answer = http.get(url(overcast_server, dist["Id"], "/missing"))
        assert answer.status_code == 404 and answer.text == "not here"
        hosted = http.get(f"{overcast_server.url}/index.html",
                          headers={"Host": f"{dist['Id'].lower()}.cloudfront.localhost"})
        assert hosted.status_code == 200 and hosted.text == "<h1>home</h1>"


def test_viewer_request_redirect_skips_the_origin(cf, overcast_server, bucket, lam):
    arn = edge_version(lam, REDIRECT)
    dist = cf.create_distribution(DistributionConfig=config([s3_origin(bucket)], behaviour(
        "s3", edge=[{"LambdaFunctionARN": arn, "EventType": "viewer-request"}])))["Distribution"]
    answer = httpx.get(url(overcast_server, dist["Id"], "/index.html"), timeout=60, follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["location"] == "https://example.com/moved"


@pytest.mark.parametrize(("source", "status", "x_cache"), [
    (READ_ONLY, 502, "LambdaValidationError from cloudfront"),
    (RAISES, 503, "LambdaExecutionError from cloudfront"),
])
def test_function_failures_answer_cloudfront_error_pages(cf, overcast_server, bucket, lam, source, status, x_cache):
    arn = edge_version(lam, source)
    dist = cf.create_distribution(DistributionConfig=config([s3_origin(bucket)], behaviour(
        "s3", edge=[{"LambdaFunctionARN": arn, "EventType": "viewer-request"}])))["Distribution"]
    answer = httpx.get(url(overcast_server, dist["Id"], "/index.html"), timeout=60)
    assert answer.status_code == status
    assert answer.headers["x-cache"] == x_cache
    assert "The request could not be satisfied" in answer.text
    assert "Generated by cloudfront (CloudFront)" in answer.text


def test_disabled_distribution_and_method_not_allowed(cf, overcast_server, bucket):
    created = cf.create_distribution(DistributionConfig=config([s3_origin(bucket)], behaviour("s3")))
    dist_id = created["Distribution"]["Id"]
    assert httpx.post(url(overcast_server, dist_id, "/index.html"), content=b"x", timeout=60).status_code == 403
    conf = cf.get_distribution_config(Id=dist_id)["DistributionConfig"]
    conf["Enabled"] = False
    cf.update_distribution(Id=dist_id, DistributionConfig=conf, IfMatch=created["ETag"])
    wait_until(lambda: httpx.get(url(overcast_server, dist_id, "/index.html"), timeout=60).status_code == 403, 30,
               "the disabled distribution refuses requests")


ORIGIN_REQUEST = """
import base64
def handler(event, context):
    cf = event["Records"][0]["cf"]
    request = cf["request"]
    assert cf["config"]["eventType"] == "origin-request"
    assert request["body"]["action"] == "read-only" and request["body"]["encoding"] == "base64"
    request["headers"]["x-body"] = [{"key": "X-Body", "value": base64.b64decode(request["body"]["data"]).decode()}]
    request["headers"]["x-origin"] = [{"key": "X-Origin", "value": request["origin"]["custom"]["domainName"]}]
    request["uri"] = "/rewritten" + request["uri"]
    return request
"""
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]


def test_origin_request_sees_the_body_and_rewrites_the_uri(cf, overcast_server, lam):
    arn = edge_version(lam, ORIGIN_REQUEST)
    domain = _app_url_domain(lam)
    dist = cf.create_distribution(DistributionConfig=config([custom_origin(domain, "app")], behaviour(
        "app", policy=CACHING_DISABLED, methods=ALL_METHODS,
        edge=[{"LambdaFunctionARN": arn, "EventType": "origin-request", "IncludeBody": True}])))["Distribution"]
    answer = httpx.post(url(overcast_server, dist["Id"], "/submit"), content=b"payload", timeout=120)
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert seen["path"] == "/rewritten/submit"
    assert seen["headers"]["x-body"] == "payload"
    assert seen["headers"]["x-origin"] == domain


def test_throttled_edge_function_answers_503(cf, overcast_server, bucket, lam):
    arn = edge_version(lam, ADD_HEADER)
    lam.put_function_concurrency(FunctionName=arn.split(":")[6], ReservedConcurrentExecutions=0)
    dist = cf.create_distribution(DistributionConfig=config([s3_origin(bucket)], behaviour(
        "s3", edge=[{"LambdaFunctionARN": arn, "EventType": "viewer-request"}])))["Distribution"]
    answer = httpx.get(url(overcast_server, dist["Id"], "/index.html"), timeout=60)
    assert answer.status_code == 503
    assert answer.headers["x-cache"] == "LambdaLimitExceeded from cloudfront"


def test_api_gateway_stage_origin(cf, overcast_server, lam):
    name = create_function(lam, APP.replace('event["rawPath"]', 'event["path"]').replace(
        'event["headers"]', '{}'))
    fn_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    apigw = overcast_server.client("apigateway")
    api = apigw.create_rest_api(name=f"api-{uuid.uuid4().hex[:8]}")
    root = apigw.get_resources(restApiId=api["id"])["items"][0]["id"]
    proxy = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="{proxy+}")
    apigw.put_method(restApiId=api["id"], resourceId=proxy["id"], httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=proxy["id"], httpMethod="ANY", type="AWS_PROXY",
                          integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn_arn}/invocations")
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    lam.add_permission(FunctionName=name, StatementId="apigw", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")
    origin = custom_origin(f"{api['id']}.execute-api.us-east-1.amazonaws.com", "api", path="/prod")
    dist = cf.create_distribution(DistributionConfig=config([origin], behaviour(
        "api", policy=CACHING_DISABLED)))["Distribution"]
    answer = httpx.get(url(overcast_server, dist["Id"], "/orders/7"), timeout=120)
    assert answer.status_code == 200, answer.text
    assert answer.json()["path"] == "/orders/7"


def test_unreachable_origin_is_a_502(cf, overcast_server):
    origin = custom_origin("example.com", "real")
    dist = cf.create_distribution(DistributionConfig=config([origin], behaviour("real")))["Distribution"]
    answer = httpx.get(url(overcast_server, dist["Id"], "/"), timeout=60)
    assert answer.status_code == 502
    assert "The request could not be satisfied" in answer.text


@pytest.mark.parametrize("origin_policy", [None, ALL_VIEWER_EXCEPT_HOST])
def test_what_reaches_the_origin_follows_the_policies(cf, overcast_server, lam, origin_policy):
    dist = cf.create_distribution(DistributionConfig=config([custom_origin(_app_url_domain(lam), "app")], behaviour(
        "app", policy=CACHING_DISABLED, origin_policy=origin_policy)))["Distribution"]
    answer = httpx.get(url(overcast_server, dist["Id"], "/p?q=1"), headers={"X-Viewer": "v"}, timeout=120)
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    forwarded = origin_policy is not None
    assert ("x-viewer" in seen["headers"]) is forwarded
    assert (seen["query"] == "q=1") is forwarded


@pytest.mark.parametrize(("min_ttl", "second"), [(3000, "Hit from cloudfront"), (0, "Miss from cloudfront")])
def test_errors_are_cached_for_error_caching_min_ttl(cf, overcast_server, bucket, min_ttl, second):
    errors = {"Quantity": 1, "Items": [{"ErrorCode": 404, "ErrorCachingMinTTL": min_ttl}]}
    dist = cf.create_distribution(DistributionConfig=config(
        [s3_origin(bucket)], behaviour("s3"), CustomErrorResponses=errors))["Distribution"]
    target = url(overcast_server, dist["Id"], "/later.txt")
    with httpx.Client(timeout=60) as http:
        first = http.get(target)
        assert first.status_code == 404 and first.headers["x-cache"] == "Miss from cloudfront"
        overcast_server.client("s3").put_object(Bucket=bucket, Key="later.txt", Body=b"now")
        again = http.get(target)
        assert again.headers["x-cache"] == second
        assert again.status_code == (404 if min_ttl else 200)
