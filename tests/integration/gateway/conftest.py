import pytest
from botocore.config import Config


@pytest.fixture(scope="module")
def raw(overcast_server):
    """`raw(service)`: a client that sends what it is given (no client-side validation, no retries),
    so the server's own answer to hostile or over-limit input is what the test sees."""
    config = Config(parameter_validation=False, retries={"max_attempts": 0})
    return lambda service: overcast_server.client(service, config=config)
