import pytest

from tests.integration.lambda_.polyglot import RUNTIMES


@pytest.fixture
def lam(overcast_server):
    return overcast_server.client("lambda")


@pytest.fixture
def logs(overcast_server):
    return overcast_server.client("logs")


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    """Run a test once per runtime family (Node.js tests skip when `node` is missing)."""
    return request.param
