"""Parallel and inline Map states
([Parallel](https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html),
[Map](https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html)): branches and
iterations run concurrently (a Map at most `MaxConcurrency` at a time, 0 meaning no limit); the
result is the list of their outputs in order; the first failure fails the state.

At the top level of a STANDARD execution the state resumes piece by piece after a restart: its
`...Started` event is committed once (its id in the checkpoint), each branch's or iteration's
output is committed with its `...Succeeded` event, and a resumed state runs only the branches and
iterations that had not finished (an unfinished one runs again from its start).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from overcast.services.stepfunctions import paths
from overcast.services.stepfunctions.journal import MemoryJournal, Thread
from overcast.services.stepfunctions.paths import StatesError

if TYPE_CHECKING:
    from overcast.services.stepfunctions.interpreter import Run


class Progress:
    """What a top-level Parallel or Map state has finished, kept in SQLite (nothing is kept for
    an EXPRESS run or a state nested in a branch: those run whole again)."""

    def __init__(self, run: Run, name: str, resume: dict[str, Any] | None) -> None:
        self.run, self.resume = run, resume
        self.enabled = resume is not None and not isinstance(run.journal, MemoryJournal)
        self.key = f"{name}@{(resume or {}).get('prev')}"
        self.db = run.platform.db

    def start(self, thread: Thread, kind: str, details: dict[str, Any] | None = None) -> int:
        """The `...Started` event's id: written now, or the one written before the restart."""
        if self.enabled and self.resume is not None and "fan_start" in self.resume:
            thread.prev = int(self.resume["fan_start"])
            return thread.prev
        start = self.run.event(thread, kind, details)
        if self.enabled and self.resume is not None:
            self.resume["fan_start"] = start
            self.run.journal.checkpoint(self.resume)
        return start

    def finished(self) -> dict[int, Any]:
        if not self.enabled:
            return {}
        rows = self.db.query("SELECT idx, output FROM sfn_iterations WHERE execution=? AND state=?",
                             (self.run.journal.execution, self.key))
        return {int(r["idx"]): json.loads(r["output"]) for r in rows}

    def succeeded(self, line: Thread, index: int, output: Any, kind: str, details: dict[str, Any] | None) -> None:
        """The piece's `...Succeeded` event and its output, committed together."""
        with self.db.tx():
            self.run.event(line, kind, details)
            if self.enabled:
                self.db.execute("INSERT OR REPLACE INTO sfn_iterations (execution, state, idx, output) "
                                "VALUES (?,?,?,?)", (self.run.journal.execution, self.key, index, json.dumps(output)))


async def run_parallel(run: Run, state: dict[str, Any], data: Any, thread: Thread,
                       resume: dict[str, Any] | None = None, name: str = "") -> list[Any]:
    if "Parameters" in state:
        data = paths.template(state["Parameters"], data, run.context)
    progress = Progress(run, name, resume)
    start = progress.start(thread, "ParallelStateStarted")
    done = progress.finished()

    async def one(index: int, branch: dict[str, Any]) -> Any:
        if index in done:
            return done[index]
        line = Thread(start, thread.variables)
        result = await run.branch(branch, data, line)
        _keep(progress, index, result)
        return result

    return await _gather(run, thread, "Parallel", [one(i, b) for i, b in enumerate(state["Branches"])])


def _keep(progress: Progress, index: int, output: Any) -> None:
    """A Parallel branch has no event of its own when it ends: only its output is kept."""
    if progress.enabled:
        progress.db.execute("INSERT OR REPLACE INTO sfn_iterations (execution, state, idx, output) VALUES (?,?,?,?)",
                            (progress.run.journal.execution, progress.key, index, json.dumps(output)))


async def run_map(run: Run, state: dict[str, Any], data: Any, thread: Thread, ctx: dict[str, Any],
                  select: Callable[[int, Any], Any] | None = None, resume: dict[str, Any] | None = None) -> list[Any]:
    """`select(index, item)`: the iteration's input (JSONata's ItemSelector); else ItemSelector or
    Parameters as a payload template over the Map's input and `$$.Map.Item`."""
    items = paths.select(state.get("ItemsPath", "$"), data, ctx, field="ItemsPath")
    if not isinstance(items, list):
        raise StatesError("States.Runtime", f"An error occurred while executing the state. Map state input "
                                            f"must be an array but was: {paths._dump(items)}")
    processor = state.get("ItemProcessor") or state["Iterator"]
    selector = state.get("ItemSelector", state.get("Parameters"))
    limit = int(state.get("MaxConcurrency", 0) or 0)
    gate = asyncio.Semaphore(limit if limit > 0 else max(1, len(items)))
    name = ctx["State"]["Name"]
    progress = Progress(run, name, resume)
    start = progress.start(thread, "MapStateStarted", {"length": len(items)})
    done = progress.finished()

    async def one(index: int, item: Any) -> Any:
        if index in done:
            return done[index]
        async with gate:
            item_ctx = {"Map": {"Item": {"Index": index, "Value": item}}}
            if select is not None:
                value = select(index, item)
            else:
                value = item if selector is None else paths.template(selector, data, {**ctx, **item_ctx})
            line = Thread(start, thread.variables)
            details = {"name": name, "index": index}
            run.event(line, "MapIterationStarted", details)
            try:
                result = await run.branch(processor, value, line, item_ctx)
            except StatesError:
                run.event(line, "MapIterationFailed", details)
                raise
            progress.succeeded(line, index, result, "MapIterationSucceeded", details)
            return result

    return await _gather(run, thread, "Map", [one(i, item) for i, item in enumerate(items)])


async def _gather(run: Run, thread: Thread, kind: str, pieces: list[Awaitable[Any]]) -> list[Any]:
    try:
        results = await asyncio.gather(*pieces)
    except StatesError:
        run.event(thread, f"{kind}StateFailed")
        raise
    run.event(thread, f"{kind}StateSucceeded")
    return list(results)
