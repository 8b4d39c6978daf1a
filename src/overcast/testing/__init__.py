"""The test harness shipped with overcast: a real server for test suites, boto3 clients pointed at
it, and a fake clock for unit tests.

    from overcast.testing import OvercastServer

    with OvercastServer(time_scale=0.001) as server:
        sqs = server.client("sqs")

With overcast installed, pytest also gets the fixtures `overcast_server` (one server per session)
and `aws` (a client factory): see `overcast.testing.plugin`.
"""

from overcast.testing.clock import FakeClock
from overcast.testing.lambdas import create_function, wait_settled, zip_files, zip_handler
from overcast.testing.server import OvercastServer, free_port
from overcast.testing.waiting import wait_until

__all__ = ["FakeClock", "OvercastServer", "create_function", "free_port", "wait_settled", "wait_until", "zip_files",
           "zip_handler"]
