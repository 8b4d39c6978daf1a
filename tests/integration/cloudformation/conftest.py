import pytest


@pytest.fixture
def cf(overcast_server):
    return overcast_server.client("cloudformation")


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


@pytest.fixture
def lam(overcast_server):
    return overcast_server.client("lambda")
