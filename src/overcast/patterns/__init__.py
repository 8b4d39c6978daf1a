"""The EventBridge event pattern language, as a library with no service in it.

    from overcast.patterns import compile_pattern, InvalidEventPattern

    pattern = compile_pattern('{"source": ["orders"], "detail": {"total": [{"numeric": [">", 100]}]}}')
    pattern.matches({"source": "orders", "detail": {"total": 250}})      # True

`compile_pattern` takes the pattern as JSON text (or a dict/list, serialised first) and raises
`InvalidEventPattern` with the reason EventBridge gives (`str(error)` is the whole message, as in
AWS's `InvalidEventPatternException`: ``Event pattern is not valid. Reason: ...``). Every
operator is supported: exact values, null, empty string, prefix and suffix (also with
equals-ignore-case), equals-ignore-case, wildcard, anything-but (values, numbers, lists, prefix,
suffix, equals-ignore-case, wildcard), numeric ranges, exists, cidr, `$or` and nested objects,
with AWS's array rules. `RuleIndex` matches one event against many patterns at once.

The same language filters Lambda event source mappings (`FilterCriteria`), where a pattern is
applied to a record whose `body`/`data`/`dynamodb` has been decoded to JSON.
"""

from __future__ import annotations

import json
from typing import Any

from overcast import documents
from overcast.patterns.compiler import MAX_COMBINATIONS, Branch, Field, compile_branches
from overcast.patterns.event import EventView, branch_matches
from overcast.patterns.index import RuleIndex
from overcast.patterns.jsonstream import JsonError

__all__ = [
    "MAX_COMBINATIONS",
    "EventView",
    "Field",
    "InvalidEventPattern",
    "Pattern",
    "RuleIndex",
    "compile_pattern",
]

PREFIX = "Event pattern is not valid. Reason: "


class InvalidEventPattern(ValueError):
    """A malformed pattern. `reason` is event-ruler's reason, `str()` AWS's whole message."""

    def __init__(self, reason: str, location: str = "") -> None:
        super().__init__(PREFIX + reason + location)
        self.reason = reason
        self.message = PREFIX + reason + location


class Pattern:
    """A compiled pattern: `matches(event)` for one event, `branches` for an index."""

    __slots__ = ("branches", "source")

    def __init__(self, source: str, branches: list[Branch]) -> None:
        self.source = source
        self.branches = branches

    def matches(self, event: Any) -> bool:
        """Whether `event` (a parsed JSON value, or an `EventView` of one) matches."""
        view = event if isinstance(event, EventView) else EventView(event)
        return any(branch_matches(branch, view) for branch in self.branches)

    def matches_json(self, text: str | bytes) -> bool:
        """Whether the JSON text `text` matches; text that is not JSON never does."""
        try:
            return self.matches(documents.loads(text))  # bounded: a deep body never matches
        except ValueError:
            return False

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"


def compile_pattern(pattern: str | bytes | dict[str, Any] | Any) -> Pattern:
    """Compile an event pattern; `InvalidEventPattern` when EventBridge would refuse it."""
    if isinstance(pattern, bytes):
        pattern = pattern.decode("utf-8", errors="replace")
    text = pattern if isinstance(pattern, str) else json.dumps(pattern)
    try:
        return Pattern(text, compile_branches(text))
    except JsonError as error:
        raise InvalidEventPattern(error.reason, error.location) from None
