import pytest

from tests.integration.apigateway.helpers import client


@pytest.fixture
def lam(overcast_server):
    return overcast_server.client("lambda")


@pytest.fixture
def apigw(overcast_server):
    return overcast_server.client("apigateway")


@pytest.fixture
def apigw2(overcast_server):
    return overcast_server.client("apigatewayv2")


@pytest.fixture
def http(overcast_server):
    with client(overcast_server) as c:
        yield c
