"""Looking a pattern's fields up in an event, and AWS's array rules.

A field path (``("detail", "state")``) leads to the event's *leaves* there: the scalar values
(strings, numbers, booleans, null) found by following the keys, stepping into every element of
any array on the way. Each leaf remembers which element of which array it came from, because a
match must not combine fields taken from different elements of the same array (event-ruler's
"array consistency", which EventBridge applies): with ``{"employees": [{"first": "Anna", "last":
"Smith"}, {"first": "Peter", "last": "Jones"}]}``, the pattern ``{"employees": {"first":
["Anna"], "last": ["Jones"]}}`` does not match.

Objects and empty arrays are not leaves: ``exists`` works on leaves only, so ``{"exists": false}``
also matches a path that leads to an object.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from overcast.patterns.compiler import Branch

#: a leaf value and the (array id, element index) pairs on its way
Leaf = tuple[Any, tuple[tuple[int, int], ...]]


def leaves(event: Any, path: tuple[str, ...]) -> list[Leaf]:
    """The leaves at `path`. As in event-ruler, which flattens events and patterns to dotted
    names, a key `"a.b"` (of the pattern or of the event) also stands for the nested path a → b."""
    found: list[Leaf] = []
    _walk(event, _segments(path), (), found)
    return found


@lru_cache(maxsize=4096)
def _segments(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part for key in path for part in key.split("."))


@lru_cache(maxsize=4096)
def _steps(segments: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each key a node may hold for `segments` (`a`, `a.b`, ...) and the segments left after it; made
    once per path, not per event and node."""
    return tuple((".".join(segments[:length]), segments[length:]) for length in range(1, len(segments) + 1))


def _walk(node: Any, segments: tuple[str, ...], arrays: tuple[tuple[int, int], ...], out: list[Leaf]) -> None:
    if node.__class__ is not dict:
        return
    for key, rest in _steps(segments):
        if key in node:
            _expand(node[key], arrays, rest, out)


def _expand(value: Any, arrays: tuple[tuple[int, int], ...], rest: tuple[str, ...], out: list[Leaf]) -> None:
    kind = value.__class__
    if kind is list:  # arrays flatten at any depth
        identity = id(value)
        for index, element in enumerate(value):
            _expand(element, (*arrays, (identity, index)), rest, out)
    elif kind is dict:
        if rest:
            _walk(value, rest, arrays, out)
    elif not rest:
        out.append((value, arrays))


class EventView:
    """An event with its leaves looked up once per path (shared by every rule tried on it)."""

    __slots__ = ("_cache", "event")

    def __init__(self, event: Any) -> None:
        self.event = event
        self._cache: dict[tuple[str, ...], list[Leaf]] = {}

    def leaves(self, path: tuple[str, ...]) -> list[Leaf]:
        found = self._cache.get(path)
        if found is None:
            found = self._cache[path] = leaves(self.event, path)
        return found


def branch_matches(branch: Branch, view: EventView) -> bool:
    """Every field of the branch matches, with one consistent choice of array elements."""
    bound: list[list[Leaf]] | None = None
    cache = view._cache
    for path, field in branch:
        found = cache.get(path)
        if found is None:
            found = view.leaves(path)
        if not found:
            if field.absent:
                continue
            return False
        test = field.test
        if len(found) == 1:  # the usual case: one value, no choice to make
            value, arrays = found[0]
            if not test(value):
                return False
            if arrays:
                bound = [found] if bound is None else [*bound, found]
            continue
        candidates = [leaf for leaf in found if test(leaf[0])]
        if not candidates:
            return False
        # a candidate outside every array can always be chosen; only the others constrain
        if all(arrays for _, arrays in candidates):
            bound = [candidates] if bound is None else [*bound, candidates]
    if bound is None or len(bound) < 2:
        return True
    bound.sort(key=len)
    return _search(bound, 0, {})


def _search(fields: list[list[Leaf]], index: int, chosen: dict[int, int]) -> bool:
    if index == len(fields):
        return True
    for _, arrays in fields[index]:
        fits = all(chosen.get(array, element) == element for array, element in arrays)
        if fits and _search(fields, index + 1, {**chosen, **dict(arrays)}):
            return True
    return False
