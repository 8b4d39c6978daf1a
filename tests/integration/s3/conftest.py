"""Fixtures for the S3 tests: a boto3 client on the session server and a fresh bucket per test."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def s3(overcast_server):
    return overcast_server.client("s3")


@pytest.fixture
def bucket(s3):
    name = f"b-{uuid.uuid4().hex[:20]}"
    s3.create_bucket(Bucket=name)
    return name
