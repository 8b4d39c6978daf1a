"""Fixtures for the S3 tests: boto3 clients on the session server (closed after each test, so no
pooled socket is left to the garbage collector) and a fresh bucket per test."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def client_factory(overcast_server):
    """`client_factory(**kwargs)`: an S3 client like `overcast_server.client("s3", **kwargs)`."""
    made = []

    def make(**kwargs):
        client = overcast_server.client("s3", **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def s3(client_factory):
    return client_factory()


@pytest.fixture
def bucket(s3):
    name = f"b-{uuid.uuid4().hex[:20]}"
    s3.create_bucket(Bucket=name)
    return name
