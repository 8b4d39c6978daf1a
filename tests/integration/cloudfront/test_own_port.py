"""A distribution on its own port: the `overcast:port` tag opens it at http://127.0.0.1:{port}/,
and removing the tag closes it."""

from __future__ import annotations

import uuid

import httpx

from overcast.testing import free_port, wait_until

from .helpers import behaviour, config, s3_origin


def _answer(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=10)
    except httpx.TransportError:
        return None


def test_a_tagged_distribution_is_served_on_its_own_port(overcast_server):
    s3 = overcast_server.client("s3")
    bucket = f"cf-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"own port")
    cf = overcast_server.client("cloudfront")
    port = free_port()
    dist = cf.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": config([s3_origin(bucket)], behaviour("s3"), DefaultRootObject="index.html"),
        "Tags": {"Items": [{"Key": "overcast:port", "Value": str(port)}]}})["Distribution"]
    root = f"http://127.0.0.1:{port}/"
    wait_until(lambda: (_answer(root) or httpx.Response(0)).status_code == 200, 30, "the distribution's port serves")
    answer = httpx.get(root, timeout=30)
    assert answer.text == "own port" and answer.headers["x-cache"] in ("Miss from cloudfront", "Hit from cloudfront")
    cf.untag_resource(Resource=dist["ARN"], TagKeys={"Items": ["overcast:port"]})
    wait_until(lambda: _answer(root) is None, 30, "the port closed")
