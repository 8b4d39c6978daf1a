"""The Lambda@Edge events a function receives have the fields of `overcast events`' CloudFront
samples (AWS's documented events): key paths compared, headers as values only."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from overcast import sample_events

from .helpers import CACHING_DISABLED, behaviour, config, custom_origin, edge_version, url

#: Request events answer with the event as the body; response events put it in a header.
ECHO = """
import base64, json
def handler(event, context):
    cf = event["Records"][0]["cf"]
    if "response" in cf:
        response = cf["response"]
        encoded = base64.b64encode(json.dumps(event).encode()).decode()
        response["headers"]["x-event"] = [{"key": "X-Event", "value": encoded}]
        return response
    return {"status": "200", "headers": {"content-type": [{"key": "Content-Type", "value": "application/json"}]},
            "body": json.dumps(event)}
"""
APP = """
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "origin"}
"""


def key_paths(value, prefix=""):
    paths = set()
    if isinstance(value, dict):
        for key, item in value.items():
            paths.add(f"{prefix}{key}")
            if key not in ("headers", "customHeaders"):
                paths |= key_paths(item, f"{prefix}{key}.")
    elif isinstance(value, list) and value:
        paths |= key_paths(value[0], prefix + "0.")
    return paths


@pytest.mark.parametrize("event_type", ["viewer-request", "origin-request", "origin-response", "viewer-response"])
def test_edge_events_match_the_samples(overcast_server, event_type):
    from overcast.testing import create_function

    lam = overcast_server.client("lambda")
    cf = overcast_server.client("cloudfront")
    app = create_function(lam, APP)
    url_id = lam.create_function_url_config(FunctionName=app, AuthType="NONE")["FunctionUrl"].rstrip("/").rsplit(
        "/", 1)[-1]
    arn = edge_version(lam, ECHO)
    dist = cf.create_distribution(DistributionConfig=config(
        [custom_origin(f"{url_id}.lambda-url.us-east-1.on.aws", "app")],
        behaviour("app", policy=CACHING_DISABLED, edge=[{"LambdaFunctionARN": arn, "EventType": event_type}])))
    answer = httpx.get(url(overcast_server, dist["Distribution"]["Id"], "/page"), timeout=120)
    assert answer.status_code == 200, answer.text
    if event_type.endswith("request"):
        received = answer.json()
    else:
        received = json.loads(base64.b64decode(answer.headers["x-event"]))
    sample = sample_events.render("cloudfront", event_type)
    assert (sorted(key_paths(sample) - key_paths(received)), sorted(key_paths(received) - key_paths(sample))) == \
        ([], [])
    record = received["Records"][0]["cf"]
    assert record["config"]["eventType"] == event_type
    assert record["config"]["distributionId"] == dist["Distribution"]["Id"]
    if event_type.startswith("origin"):
        host = record["request"]["headers"]["host"][0]["value"]
        assert host == f"{url_id}.lambda-url.us-east-1.on.aws"
