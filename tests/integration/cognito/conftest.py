from collections.abc import Iterator

import pytest

from overcast.testing.server import OvercastServer


@pytest.fixture
def idp(overcast_server):
    return overcast_server.client("cognito-idp")


@pytest.fixture
def lam(overcast_server):
    return overcast_server.client("lambda")


@pytest.fixture(scope="module")
def real_clock_server() -> Iterator[OvercastServer]:
    """A server on AWS's own clock, for tests that answer auth challenges.

    An auth session lasts AWS's 3 minutes; at the suite's time scale (0.01) that is under 2 real
    seconds, which a loaded machine can spend between InitiateAuth and the last
    RespondToAuthChallenge of a test. Modules whose tests walk challenge flows and wait for no AWS
    timer use this server instead (`overcast_server = real_clock_server` fixture in the module)."""
    with OvercastServer(time_scale=1.0) as server:
        yield server
