"""Parallel and inline Map states
([Parallel](https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html),
[Map](https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html)): branches and
iterations run concurrently (a Map at most `MaxConcurrency` at a time, 0 meaning no limit); the
result is the list of their outputs in order; the first failure fails the state."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from overcast.services.stepfunctions import paths
from overcast.services.stepfunctions.journal import Thread
from overcast.services.stepfunctions.paths import StatesError

if TYPE_CHECKING:
    from overcast.services.stepfunctions.interpreter import Run


async def run_parallel(run: Run, state: dict[str, Any], data: Any, thread: Thread) -> list[Any]:
    if "Parameters" in state:
        data = paths.template(state["Parameters"], data, run.context)
    run.event(thread, "ParallelStateStarted")
    start = thread.prev
    try:
        results = await asyncio.gather(*(run.branch(branch, data, Thread(start, thread.variables)) for branch in state["Branches"]))
    except StatesError:
        run.event(thread, "ParallelStateFailed")
        raise
    run.event(thread, "ParallelStateSucceeded")
    return list(results)


async def run_map(run: Run, state: dict[str, Any], data: Any, thread: Thread, ctx: dict[str, Any],
                  select: Callable[[int, Any], Any] | None = None) -> list[Any]:
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
    run.event(thread, "MapStateStarted", {"length": len(items)})
    start = thread.prev
    name = ctx["State"]["Name"]

    async def one(index: int, item: Any) -> Any:
        async with gate:
            item_ctx = {"Map": {"Item": {"Index": index, "Value": item}}}
            if select is not None:
                value = select(index, item)
            else:
                value = item if selector is None else paths.template(selector, data, {**ctx, **item_ctx})
            line = Thread(start, thread.variables)
            run.event(line, "MapIterationStarted", {"name": name, "index": index})
            try:
                result = await run.branch(processor, value, line, item_ctx)
            except StatesError:
                run.event(line, "MapIterationFailed", {"name": name, "index": index})
                raise
            run.event(line, "MapIterationSucceeded", {"name": name, "index": index})
            return result

    try:
        results = await asyncio.gather(*(one(i, item) for i, item in enumerate(items)))
    except StatesError:
        run.event(thread, "MapStateFailed")
        raise
    run.event(thread, "MapStateSucceeded")
    return list(results)
