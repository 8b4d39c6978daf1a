"""Many patterns against one event, without trying them one by one.

Each branch of each pattern is filed under an *anchor*: up to two fields whose conditions are all
exact strings (`source` and `detail-type` preferred), filed under every combination of their
values; failing that, one field whose conditions are all prefixes, filed under each prefix by
length. An event then only tries the branches its own values select, plus the few branches that
have no anchor (patterns made only of anything-but, exists...). Failing exact values and
prefixes, a numeric range anchors a branch: it is tried only for events whose number there is in
range. With rules keyed
on their source and detail-type, as rules on a bus usually are, matching costs a few dictionary
lookups whatever the number of rules.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Any

from overcast.patterns import matchers as m
from overcast.patterns.compiler import Branch, Field
from overcast.patterns.event import EventView, branch_matches

PREFERRED = (("source",), ("detail-type",))
EXACT_FIELDS = 2

Path = tuple[str, ...]
Entry = tuple[Hashable, Branch]


class RuleIndex:
    """Patterns filed by key; `matching(event)` gives the keys of those that match."""

    def __init__(self) -> None:
        self._patterns: dict[Hashable, Any] = {}
        self._order: dict[Hashable, int] = {}
        self._filed = 0
        self._exact: dict[tuple[Path, ...], dict[tuple[str, ...], list[Entry]]] = defaultdict(lambda: defaultdict(list))
        self._prefix: dict[Path, dict[int, dict[str, list[Entry]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(list)))
        #: path → [(low, low open, high, high open, entry)] sorted by low (None = no bound)
        self._numeric: dict[Path, list[tuple[int | None, bool, int | None, bool, Entry]]] = defaultdict(list)
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
        for path, ranges in list(self._numeric.items()):
            self._numeric[path] = [r for r in ranges if r[4][0] != key]
        tables: list[dict[Any, list[Entry]]] = list(self._exact.values())
        tables.extend(prefixes for by_length in self._prefix.values() for prefixes in by_length.values())
        for table in tables:
            for value, entries in list(table.items()):
                kept = [e for e in entries if e[0] != key]
                if kept:
                    table[value] = kept
                else:
                    del table[value]

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
        if len(matched) < 2:
            return list(matched)
        return sorted(matched, key=self._order.__getitem__)

    # -- internals ----------------------------------------------------------------------------

    def _candidates(self, view: EventView) -> list[Entry]:
        found: list[Entry] = list(self._unanchored)
        for paths, by_values in self._exact.items():
            values = [[v for v, _ in view.leaves(p) if v.__class__ is str] for p in paths]
            if len(values) == 1:
                for value in values[0]:
                    found.extend(by_values.get((value,), ()))
            else:
                for combination in itertools.product(*values):
                    found.extend(by_values.get(combination, ()))
        for path, by_length in self._prefix.items():
            for value, _ in view.leaves(path):
                if value.__class__ is str:
                    for length, prefixes in by_length.items():
                        found.extend(prefixes.get(value[:length], ()))
        for path, ranges in self._numeric.items():
            for value, _ in view.leaves(path):
                if value.__class__ in (int, float):
                    found.extend(_in_ranges(ranges, m.comparable(value)))
        return found

    def _file(self, entry: Entry) -> None:
        kind, fields = _anchor(entry[1])
        if kind is m.ExactString:
            paths = tuple(f.path for f in fields)
            choices = [[matcher.value for matcher in f.matchers] for f in fields]  # type: ignore[attr-defined]
            for combination in itertools.product(*choices):
                self._exact[paths][combination].append(entry)
        elif kind is m.Prefix:
            for matcher in fields[0].matchers:
                value = matcher.value  # type: ignore[attr-defined]
                self._prefix[fields[0].path][len(value)][value].append(entry)
        elif kind is m.Numeric:
            ranges = self._numeric[fields[0].path]
            for matcher in fields[0].matchers:
                ranges.append((matcher.low, matcher.low_open, matcher.high, matcher.high_open, entry))  # type: ignore[attr-defined]
            ranges.sort(key=lambda r: -1 if r[0] is None else r[0])
        else:
            self._unanchored.append(entry)


def _in_ranges(ranges: list[tuple[int | None, bool, int | None, bool, Entry]], number: int | None) -> list[Entry]:
    """Entries whose range holds `number` (ranges sorted by their lower bound)."""
    if number is None:
        return []
    found = []
    for low, low_open, high, high_open, entry in ranges:
        if low is not None and (low > number or (low_open and low == number)):
            if low > number:
                break
            continue
        if high is None or high > number or (not high_open and high == number):
            found.append(entry)
    return found


def _anchor(branch: Branch) -> tuple[type[m.Matcher] | None, list[Field]]:
    """How to file a branch: exact values of `source`/`detail-type`, else a prefix of one of them,
    else exact values of other fields, else a prefix of another field, else a numeric range
    (else not at all)."""
    exact = _anchor_fields(branch, m.ExactString)
    prefix = _anchor_fields(branch, m.Prefix)
    for fields, kind, preferred in ((exact, m.ExactString, True), (prefix, m.Prefix, True),
                                    (exact, m.ExactString, False), (prefix, m.Prefix, False)):
        chosen = [f for f in fields if (f.path in PREFERRED) == preferred] if preferred else fields
        if chosen:
            return kind, chosen[:EXACT_FIELDS if kind is m.ExactString else 1]
    numeric = _anchor_fields(branch, m.Numeric)
    return (m.Numeric, numeric[:1]) if numeric else (None, [])


def _anchor_fields(branch: Branch, wanted: type[m.Matcher]) -> list[Field]:
    """The fields of `branch` whose conditions are all of type `wanted`, preferred ones first."""
    fields = [f for _, f in branch if not (f.exists or f.absent) and f.matchers
              and all(type(matcher) is wanted for matcher in f.matchers)]
    return sorted(fields, key=lambda f: PREFERRED.index(f.path) if f.path in PREFERRED else len(PREFERRED))
