import pytest


@pytest.fixture
def sns(overcast_server):
    return overcast_server.client("sns")


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


@pytest.fixture
def logs(overcast_server):
    return overcast_server.client("logs")
