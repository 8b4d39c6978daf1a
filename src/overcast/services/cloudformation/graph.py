"""Dependency order: a topological sort that names cycles as AWS does, and a scheduler that runs
independent resources at the same time (CloudFormation creates unrelated resources in parallel)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from overcast.services.cloudformation.errors import CfnValidationError


def order(nodes: Iterable[str], deps: dict[str, set[str]]) -> list[str]:
    """`nodes` so that every node comes after what it depends on (template order among equals);
    `Circular dependency between resources: [...]` when there is no such order."""
    nodes = list(nodes)
    remaining = {n: set(deps.get(n, ())) & set(nodes) for n in nodes}
    out: list[str] = []
    while remaining:
        ready = [n for n in nodes if n in remaining and not remaining[n]]
        if not ready:
            raise CfnValidationError(f"Circular dependency between resources: [{', '.join(_cycle(remaining))}]")
        for n in ready:
            del remaining[n]
            out.append(n)
        for waiting in remaining.values():
            waiting.difference_update(ready)
    return out


def _cycle(remaining: dict[str, set[str]]) -> list[str]:
    """The stuck nodes that lie on a cycle (not those merely waiting for one)."""

    def reaches_itself(start: str) -> bool:
        seen: set[str] = set()
        stack = list(remaining[start])
        while stack:
            node = stack.pop()
            if node == start:
                return True
            if node in seen or node not in remaining:
                continue
            seen.add(node)
            stack.extend(remaining[node])
        return False

    return sorted(n for n in remaining if reaches_itself(n))


def reverse(nodes: Iterable[str], deps: dict[str, set[str]]) -> dict[str, set[str]]:
    """The dependents of each node: what must go before it when deleting."""
    nodes = list(nodes)
    out: dict[str, set[str]] = {n: set() for n in nodes}
    for n in nodes:
        for dep in deps.get(n, ()):
            if dep in out:
                out[dep].add(n)
    return out


async def run(nodes: list[str], deps: dict[str, set[str]], action: Callable[[str], Awaitable[bool]],
              limit: int = 8, keep_going: bool = False) -> tuple[list[str], list[str]]:
    """Run `action(node)` for every node once its dependencies succeeded, several at a time.

    `action` answers True when the node succeeded. After a failure no new node starts (those
    running finish) unless `keep_going`. Returns (failed, never started).
    """
    pending = list(nodes)
    within = set(nodes)
    done: set[str] = set()
    failed: list[str] = []
    running: dict[asyncio.Task[bool], str] = {}
    try:
        while pending or running:
            if keep_going or not failed:
                for node in [n for n in pending if (deps.get(n, set()) & within) <= done]:
                    if len(running) >= limit:
                        break
                    pending.remove(node)
                    running[asyncio.ensure_future(action(node))] = node
            if not running:
                break
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                node = running.pop(task)
                (done.add if task.result() else failed.append)(node)  # type: ignore[func-returns-value]
    finally:
        for task in running:
            task.cancel()
    return failed, pending
