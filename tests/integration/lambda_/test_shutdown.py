"""A server stopped while functions run stops promptly and cleanly: the engine's cancellation reaches
an invocation waiting for its result (waits use `asyncio.wait`, which never swallows a
cancellation, not `asyncio.wait_for`)."""

from __future__ import annotations

import threading

from overcast.testing import OvercastServer, create_function, wait_until

SLEEPER = """
import os, time
def handler(event, context):
    open(os.environ["MARKER"], "w").close()
    time.sleep(60)
"""


def test_the_server_stops_in_the_middle_of_an_async_invocation(tmp_path):
    with OvercastServer(time_scale=0.01) as server:
        lam = server.client("lambda")
        marker = tmp_path / "started"
        name = create_function(lam, SLEEPER, Timeout=120, Environment={"Variables": {"MARKER": str(marker)}})
        lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
        wait_until(marker.exists, 30, "the invocation to start")
        assert server.stop(timeout=20) == 0


def test_the_server_stops_in_the_middle_of_a_sync_invocation(tmp_path):
    with OvercastServer(time_scale=0.01) as server:
        lam = server.client("lambda", retries=0, read_timeout=90)
        marker = tmp_path / "started"
        name = create_function(lam, SLEEPER, Timeout=120, Environment={"Variables": {"MARKER": str(marker)}})
        caller = threading.Thread(target=lambda: _invoke_quietly(lam, name), daemon=True)
        caller.start()
        wait_until(marker.exists, 30, "the invocation to start")
        assert server.stop(timeout=20) == 0
        caller.join(30)
        assert not caller.is_alive()


def _invoke_quietly(lam, name: str) -> None:
    try:
        lam.invoke(FunctionName=name, Payload=b"{}")
    except Exception:  # the server went away under the call: that is the point
        pass
