import pytest


@pytest.fixture
def idp(overcast_server):
    return overcast_server.client("cognito-idp")


@pytest.fixture
def lam(overcast_server):
    return overcast_server.client("lambda")
