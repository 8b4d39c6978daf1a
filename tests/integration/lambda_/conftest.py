import pytest


@pytest.fixture
def lam(overcast_server):
    return overcast_server.client("lambda")


@pytest.fixture
def logs(overcast_server):
    return overcast_server.client("logs")
