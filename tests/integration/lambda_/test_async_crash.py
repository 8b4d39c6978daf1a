"""Nothing acknowledged is lost: SIGKILL overcast while 1,000 Event invocations are in flight."""

from __future__ import annotations

import concurrent.futures

from overcast.testing import OvercastServer, create_function, wait_until
from tests.integration.lambda_.helpers import RECORDER, records

EVENTS = 1000


def test_accepted_events_survive_sigkill(tmp_path):
    path = tmp_path / "runs.jsonl"
    with OvercastServer(tmp_path / "server", time_scale=0.01) as server:
        lam = server.client("lambda")
        # Handlers wait at a gate opened only after the crash, so however fast or slow the machine,
        # events are running or queued (none finished) when the server is killed.
        gate = tmp_path / "gate"
        name = create_function(lam, RECORDER, Timeout=120,
                               Environment={"Variables": {"RECORD_FILE": str(path), "GATE": str(gate)}})
        accepted: set[str] = set()

        def send(i: int) -> str:
            response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=f'{{"i": {i}}}'.encode())
            assert response["StatusCode"] == 202
            return response["ResponseMetadata"]["RequestId"]

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            accepted.update(pool.map(send, range(EVENTS)))
        assert len(accepted) == EVENTS
        ran_before = {r["request_id"] for r in records(path)}
        assert len(ran_before) < EVENTS, "everything ran before the crash: the test proves nothing"
        server.restart(crash=True)
        gate.touch()
        try:
            wait_until(lambda: accepted <= {r["request_id"] for r in records(path)}, 120, "every accepted event run",
                       interval=0.1)
        except AssertionError:
            pass  # the assertion below says how many are missing
        ran = {r["request_id"] for r in records(path)}
        assert accepted - ran == set(), f"{len(accepted - ran)} accepted events never ran"
        assert ran <= accepted
