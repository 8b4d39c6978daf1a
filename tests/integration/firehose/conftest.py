"""Clients the Firehose tests share."""

import pytest


@pytest.fixture
def firehose(aws):
    return aws("firehose")


@pytest.fixture
def s3(aws):
    return aws("s3")
