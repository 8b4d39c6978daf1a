import pytest


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


@pytest.fixture
def lam(overcast_server):
    return overcast_server.client("lambda")


@pytest.fixture
def pipes(overcast_server):
    return overcast_server.client("pipes")
