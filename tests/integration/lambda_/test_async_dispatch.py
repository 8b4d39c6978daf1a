"""The asynchronous dispatcher under a backlog: a function held at its concurrency cap (16 events at
once) drains its queue, while other functions' events and scheduled retries still run on time."""

from __future__ import annotations

import concurrent.futures

from overcast.invocation.async_ import MAX_PER_FUNCTION
from overcast.testing import create_function
from tests.integration.lambda_.helpers import records, wait_for_records

SCALE = 0.01  # the session server's OVERCAST_TIME_SCALE

HANDLER = """
import json, os, time
def handler(event, context):
    started = time.time()
    time.sleep(event.get("sleep", 0))
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps({"event": event, "request_id": context.aws_request_id, "started": started,
                              "at": time.time()}) + "\\n")
    if event.get("fail"):
        raise RuntimeError("failing on purpose")
"""


def _function(lam, path, **kwargs):
    return create_function(lam, HANDLER, Environment={"Variables": {"RECORD_FILE": str(path)}}, **kwargs)


def _events(lam, name, payloads):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda p: lam.invoke(FunctionName=name, InvocationType="Event", Payload=p), payloads))
    assert {a["StatusCode"] for a in answers} == {202}
    return [a["ResponseMetadata"]["RequestId"] for a in answers]


def test_a_backlog_beyond_the_cap_runs_once_each_and_never_above_the_cap(lam, tmp_path):
    name = _function(lam, tmp_path / "runs.jsonl")
    ids = _events(lam, name, [b'{"sleep": 0.05}'] * 60)
    runs = wait_for_records(tmp_path / "runs.jsonl", 60, timeout=60)
    assert sorted(r["request_id"] for r in runs) == sorted(ids)
    moments = sorted([(r["started"], 1) for r in runs] + [(r["at"], -1) for r in runs])
    running = peak = 0
    for _, step in moments:
        running += step
        peak = max(peak, running)
    assert 1 < peak <= MAX_PER_FUNCTION


def test_other_functions_and_retries_run_while_one_function_is_capped(lam, tmp_path):
    busy = _function(lam, tmp_path / "busy.jsonl")
    other = _function(lam, tmp_path / "other.jsonl")
    failing = _function(lam, tmp_path / "failing.jsonl")
    lam.put_function_event_invoke_config(FunctionName=failing, MaximumRetryAttempts=1)
    _events(lam, busy, [b'{"sleep": 0.4}'] * (MAX_PER_FUNCTION * 4))    # four waves: 1.6 s and more
    wait_for_records(tmp_path / "busy.jsonl", 1, timeout=30)            # the busy function is capped now
    _events(lam, other, [b"{}"])
    _events(lam, failing, [b'{"fail": true}'])
    [ran] = wait_for_records(tmp_path / "other.jsonl", 1)
    first, second = wait_for_records(tmp_path / "failing.jsonl", 2)
    busy_runs = wait_for_records(tmp_path / "busy.jsonl", MAX_PER_FUNCTION * 4, timeout=60)
    assert ran["started"] < max(r["started"] for r in busy_runs)      # it did not wait for the backlog
    # the retry comes about a (scaled) minute after the first attempt, not at the dispatcher's idle wake-up
    assert 60 * SCALE * 0.9 <= second["started"] - first["at"] < 60 * SCALE + 2.0
    assert len(records(tmp_path / "failing.jsonl")) == 2
