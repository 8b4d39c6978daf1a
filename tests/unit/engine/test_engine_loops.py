"""The engine that runs background loops: a loop is called again and again, a failing round is
logged and retried without stopping the others, a loop can be stopped alone, and shutdown cancels
everything. Driven on a real event loop; the loops report through events, so nothing sleeps."""

from __future__ import annotations

import asyncio
import logging

from overcast.invocation.engine import Engine


def run(engine: Engine, until) -> None:
    async def ready() -> None:
        return None

    asyncio.run(asyncio.wait_for(engine.run(ready, until), 10))


def test_a_loop_runs_round_after_round_until_shutdown(platform):
    engine = Engine(platform)
    rounds: list[int] = []
    enough = asyncio.Event()

    async def counting() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 5:
            enough.set()
        await asyncio.sleep(0)

    engine.add_loop("counting", counting)
    run(engine, enough.wait)
    assert rounds[:5] == [0, 1, 2, 3, 4]


def test_a_failing_round_is_logged_and_retried_while_others_go_on(platform, caplog):
    engine = Engine(platform)
    calls = {"flaky": 0, "steady": 0}
    done = asyncio.Event()

    async def flaky() -> None:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise RuntimeError("first round breaks")
        if calls["flaky"] == 2:
            done.set()
        await asyncio.sleep(0)

    async def steady() -> None:
        calls["steady"] += 1
        await asyncio.sleep(0)

    engine.add_loop("flaky", flaky)
    engine.add_loop("steady", steady)
    with caplog.at_level(logging.ERROR, logger="overcast.engine"):
        run(engine, done.wait)
    assert calls["flaky"] >= 2
    assert calls["steady"] > 1  # not held up by the other loop's error or its backoff
    assert "loop flaky failed" in caplog.text and "first round breaks" in caplog.text


def test_a_loop_can_be_stopped_alone(platform):
    engine = Engine(platform)
    calls = {"stopped": 0, "kept": 0}
    when_stopped: list[int] = []
    done = asyncio.Event()

    async def stopped() -> None:
        calls["stopped"] += 1
        await asyncio.sleep(0)

    async def kept() -> None:
        calls["kept"] += 1
        if calls["kept"] == 3:
            engine.stop_loop("stopped")
            when_stopped.append(calls["stopped"])
        if calls["kept"] == 50:
            done.set()
        await asyncio.sleep(0)

    engine.add_loop("stopped", stopped)
    engine.add_loop("kept", kept)
    run(engine, done.wait)
    assert calls["stopped"] <= when_stopped[0] + 1  # at most the round under way
    assert calls["kept"] >= 50


def test_spawned_work_is_guarded_and_ends_with_the_engine(platform, caplog):
    engine = Engine(platform)
    finished = []

    async def breaks() -> None:
        raise ValueError("spawned work fails")

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            finished.append("cancelled at shutdown")

    async def until() -> None:
        engine.spawn("breaks", breaks())
        engine.spawn("forever", forever())
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    with caplog.at_level(logging.ERROR, logger="overcast.engine"):
        run(engine, until)
    assert "task breaks failed" in caplog.text
    assert finished == ["cancelled at shutdown"]
    assert engine.spawn("late", forever()) is None  # nothing starts once the engine has stopped
