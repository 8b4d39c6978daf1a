"""Many patterns against one event, without trying them one by one.

Each branch of each pattern is filed under one *anchor*: a field whose conditions are all exact
strings (filed under each string) or all prefixes (filed under each prefix, by length), preferring
`source`, then `detail-type`. An event then only looks at the branches its own anchor values
select, plus the few branches that have no anchor (patterns made only of numeric ranges,
anything-but, exists...). With rules keyed on their source, as rules on a bus usually are, matching
costs a few dictionary lookups whatever the number of rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Any

from overcast.patterns import matchers as m
from overcast.patterns.compiler import Branch, Field
from overcast.patterns.event import EventView, branch_matches

PREFERRED = (("source",), ("detail-type",))

Entry = tuple[Hashable, Branch]


class RuleIndex:
    """Patterns filed by key; `matching(event)` gives the keys of those that match."""

    def __init__(self) -> None:
        self._patterns: dict[Hashable, Any] = {}
        self._order: dict[Hashable, int] = {}
        self._filed = 0
        self._exact: dict[tuple[str, ...], dict[str, list[Entry]]] = defaultdict(lambda: defaultdict(list))
        self._prefix: dict[tuple[str, ...], dict[int, dict[str, list[Entry]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(list)))
        self._unanchored: list[Entry] = []

    def __len__(self) -> int:
        return len(self._patterns)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._patterns

    def add(self, key: Hashable, pattern: Any) -> None:
        """File `pattern` (a compiled `Pattern`) under `key`, replacing what was there."""
        if key in self._patterns:
            self.remove(key)
        self._patterns[key] = pattern
        self._filed += 1
        self._order[key] = self._filed
        for branch in pattern.branches:
            self._file((key, branch))

    def remove(self, key: Hashable) -> None:
        if self._patterns.pop(key, None) is None:
            return
        del self._order[key]
        self._unanchored = [e for e in self._unanchored if e[0] != key]
        for by_value in self._exact.values():
            for value, entries in list(by_value.items()):
                by_value[value] = [e for e in entries if e[0] != key]
        for by_length in self._prefix.values():
            for prefixes in by_length.values():
                for value, entries in list(prefixes.items()):
                    prefixes[value] = [e for e in entries if e[0] != key]

    def keys(self) -> Iterable[Hashable]:
        return self._patterns.keys()

    def matching(self, event: Any) -> list[Hashable]:
        """Keys of the patterns that match `event` (a parsed JSON object or an `EventView`), in the
        order they were added."""
        view = event if isinstance(event, EventView) else EventView(event)
        matched: dict[Hashable, None] = {}
        for key, branch in self._candidates(view):
            if key not in matched and branch_matches(branch, view):
                matched[key] = None
        return sorted(matched, key=self._order.__getitem__)

    # -- internals ----------------------------------------------------------------------------

    def _candidates(self, view: EventView) -> list[Entry]:
        found: list[Entry] = list(self._unanchored)
        for path, by_value in self._exact.items():
            for value, _ in view.leaves(path):
                if value.__class__ is str:
                    found.extend(by_value.get(value, ()))
        for path, by_length in self._prefix.items():
            for value, _ in view.leaves(path):
                if value.__class__ is str:
                    for length, prefixes in by_length.items():
                        found.extend(prefixes.get(value[:length], ()))
        return found

    def _file(self, entry: Entry) -> None:
        anchor = _anchor(entry[1])
        if anchor is None:
            self._unanchored.append(entry)
            return
        field, kind = anchor
        if kind == "exact":
            for matcher in field.matchers:
                self._exact[field.path][matcher.value].append(entry)  # type: ignore[attr-defined]
        else:
            for matcher in field.matchers:
                value = matcher.value  # type: ignore[attr-defined]
                self._prefix[field.path][len(value)][value].append(entry)


def _anchor(branch: Branch) -> tuple[Field, str] | None:
    fields = sorted(branch.values(), key=lambda f: PREFERRED.index(f.path) if f.path in PREFERRED else 99)
    for kind in ("exact", "prefix"):
        for field in fields:
            if _anchorable(field, kind):
                return field, kind
    return None


def _anchorable(field: Field, kind: str) -> bool:
    if field.exists or field.absent or not field.matchers:
        return False
    wanted = m.ExactString if kind == "exact" else m.Prefix
    return all(type(matcher) is wanted for matcher in field.matchers)
