import pytest


@pytest.fixture
def lam(overcast_server):
    return overcast_server.client("lambda")
