"""CloudWatch Logs filter patterns: parse once, then match log event messages.

`compile_pattern(text)` returns a predicate `message -> bool`, or raises `FilterPatternError`. The
syntax is AWS's ("Filter pattern syntax for metric filters, subscription filters, filter log events,
and Live Tail"); the grammar is `filter_pattern.lark`. Three kinds, told apart by the first character:

- terms: every plain term or "quoted phrase" must occur (case-sensitive substring); of the `?term`
  alternatives at least one must; no `-term` may. `%regex%` is a term too. An empty pattern, or a
  blank quoted phrase, matches everything.
- JSON (`{ ... }`): property selectors `$.a.b[0]`, comparisons `= != < <= > >=` against strings
  (with `*` wildcards), numbers or `%regex%`, `IS NULL|TRUE|FALSE`, `NOT EXISTS`, combined with
  `&&`, `||` and parentheses (`&&` binds tighter). A message that is not a JSON object never matches.
- space-delimited (`[ ... ]`): fields split on spaces (text in `[]` or `""` is one field), bound in
  order to names (`...` stands for any number of fields; a last named field takes what remains),
  then conditions on the named fields must hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError

from overcast import documents
from overcast.services.logs.filter_values import (
    MISSING,
    FilterPatternError,
    comparison,
    compile_regex,
    is_scalar,
    path_of,
    resolve,
    value_of,
)

Matcher = Callable[[str], bool]

@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (Path(__file__).with_name("filter_pattern.lark")).read_text()
    return Lark(grammar, start=["term_pattern", "json_pattern", "space_pattern"], parser="lalr")


@lru_cache(maxsize=256)
def compile_pattern(text: str | None) -> Matcher:
    """The predicate for a filter pattern (None or blank matches every event)."""
    pattern = (text or "").strip()
    if not pattern:
        return _match_all
    start = {"{": "json_pattern", "[": "space_pattern"}.get(pattern[0], "term_pattern")
    if start == "json_pattern" and not pattern.endswith("}"):
        raise FilterPatternError("If a filter pattern starts with '{' it must end with '}'")
    if start == "space_pattern" and not pattern.endswith("]"):
        raise FilterPatternError("If a filter pattern starts with '[' it must end with ']'")
    try:
        tree = _parser().parse(pattern, start=start)
        return _Build().transform(tree)  # type: ignore[no-any-return]
    except LarkError as exc:
        cause = exc.orig_exc if hasattr(exc, "orig_exc") else exc
        if isinstance(cause, FilterPatternError):
            raise cause from None
        raise FilterPatternError("Invalid filter pattern") from None


def _match_all(message: str) -> bool:
    return True


@dataclass(frozen=True)
class _Test:
    """A compiled condition and the space-delimited field names it refers to."""

    check: Callable[[Any], bool]
    names: tuple[str, ...] = ()

    def __call__(self, subject: Any) -> bool:
        return self.check(subject)


def _any(tests: list[_Test]) -> _Test:
    return _Test(lambda subject: any(t.check(subject) for t in tests), _names(tests))


def _all(tests: list[_Test]) -> _Test:
    return _Test(lambda subject: all(t.check(subject) for t in tests), _names(tests))


def _names(tests: list[_Test]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for t in tests for name in t.names))


def _json_test(selector: Token, predicate: Callable[[Any], bool]) -> _Test:
    path = path_of(selector.value)
    return _Test(lambda document: predicate(resolve(document, path)))


# -- matchers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prefilter:
    """Substrings every matching message contains: all of `all_of`, and one of `any_of` if given.

    A store can narrow a scan with them (say a case-insensitive SQL LIKE, a superset) before the
    exact match runs on what is left."""

    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()


def prefilter(matcher: Matcher) -> Prefilter:
    return getattr(matcher, "prefilter", None) or Prefilter()


@dataclass(frozen=True)
class _Term:
    mod: str  # "", "?" or "-"
    test: Callable[[str], bool]
    literal: str | None = None  # the text it looks for, when it is a plain substring


class _Terms:
    """Unstructured terms: all plain ones, one of the `?` ones (if any), none of the `-` ones."""

    def __init__(self, terms: list[_Term]) -> None:
        self.required = [t.test for t in terms if t.mod == ""]
        self.optional = [t.test for t in terms if t.mod == "?"]
        self.excluded = [t.test for t in terms if t.mod == "-"]
        alternatives = [t.literal for t in terms if t.mod == "?"]
        self.prefilter = Prefilter(
            all_of=tuple(t.literal for t in terms if t.mod == "" and t.literal),
            any_of=tuple(a for a in alternatives if a) if all(alternatives) else ())

    def __call__(self, message: str) -> bool:
        return (all(t(message) for t in self.required)
                and not any(t(message) for t in self.excluded)
                and (not self.optional or any(t(message) for t in self.optional)))


class _Json:
    """A JSON pattern: the message must parse as JSON and satisfy the expression."""

    prefilter = Prefilter(any_of=("{", "["))

    def __init__(self, test: _Test) -> None:
        self.test = test

    def __call__(self, message: str) -> bool:
        try:
            document = documents.loads(message)  # bounded: a deep log line never matches
        except ValueError:
            return False
        return isinstance(document, dict | list) and self.test(document)


# -- building matchers from the parse tree -----------------------------------------------------


class _Build(Transformer):  # type: ignore[type-arg]
    """Turns the parse tree into closures (one per node), so matching walks no tree."""

    # terms
    def term(self, items: list[Token]) -> _Term:
        mod = items[0].value if len(items) == 2 else ""
        token = items[-1]
        if token.type == "REGEX":
            pattern = compile_regex(token.value)
            return _Term(mod, lambda message: pattern.search(message) is not None)
        text = json.loads(token.value) if token.type == "ESCAPED_STRING" else token.value
        if not text.strip():
            return _Term(mod, _match_all)  # AWS: `" "` matches everything
        return _Term(mod, lambda message: text in message, text)

    def term_pattern(self, terms: list[_Term]) -> Matcher:
        return _Terms(terms)

    # JSON
    @v_args(inline=True)
    def compare(self, selector: Token, op: Token, value: Token) -> _Test:
        test = comparison(op.value, value_of(value))
        return _json_test(selector, lambda actual: is_scalar(actual) and test(actual))

    @v_args(inline=True)
    def is_null(self, selector: Token, *_: Token) -> _Test:
        return _json_test(selector, lambda actual: actual is None)

    @v_args(inline=True)
    def is_true(self, selector: Token, *_: Token) -> _Test:
        return _json_test(selector, lambda actual: actual is True)

    @v_args(inline=True)
    def is_false(self, selector: Token, *_: Token) -> _Test:
        return _json_test(selector, lambda actual: actual is False)

    @v_args(inline=True)
    def not_exists(self, selector: Token, *_: Token) -> _Test:
        return _json_test(selector, lambda actual: actual is MISSING)

    def json_or(self, tests: list[_Test]) -> _Test:
        return _any(tests)

    def json_and(self, tests: list[_Test]) -> _Test:
        return _all(tests)

    @v_args(inline=True)
    def json_pattern(self, test: _Test) -> Matcher:
        return _Json(test)

    # space-delimited
    sd_or = json_or
    sd_and = json_and

    @v_args(inline=True)
    def sd_compare(self, name: Token, op: Token, value: Token) -> _Test:
        test = comparison(op.value, value_of(value))
        key = name.value.lower()  # AWS's own example mixes `w1` and `W1`
        return _Test(lambda fields: key in fields and test(fields[key]), (name.value,))

    @v_args(inline=True)
    def ellipsis(self, _: Token) -> _Slot:
        return _Slot(None, None)

    @v_args(inline=True)
    def field(self, name: Token) -> _Slot:
        return _Slot(name.value, None)

    @v_args(inline=True)
    def condition(self, test: _Test) -> _Slot:
        return _Slot(test.names[0], test)

    def space_pattern(self, slots: list[_Slot | None]) -> Matcher:
        return SpaceDelimited([s for s in slots if s is not None])


@dataclass(frozen=True)
class _Slot:
    name: str | None  # None: `...`
    test: _Test | None

    @property
    def key(self) -> str | None:
        return None if self.name is None else self.name.lower()


_FIELD = re.compile(r'\[[^\]]*\]|"[^"]*"|\S+')


def split_fields(message: str) -> list[str]:
    """Space-delimited fields; text between [] or "" is one field (without its delimiters)."""
    out = []
    for raw in _FIELD.findall(message):
        out.append(raw[1:-1] if len(raw) >= 2 and raw[0] + raw[-1] in ("[]", '""') else raw)
    return out


class SpaceDelimited:
    """A space-delimited pattern: matches a message, and tells the values it bound to field names."""

    def __init__(self, slots: list[_Slot]) -> None:
        named = {s.key for s in slots if s.key is not None}
        for slot in slots:
            unknown = {n for n in (slot.test.names if slot.test else ()) if n.lower() not in named}
            if unknown:
                raise FilterPatternError(f"Invalid filter pattern: unknown field {sorted(unknown)[0]}")
        self.slots = slots
        self.tests = [s.test for s in slots if s.test is not None]
        self.labels = {s.key: s.name for s in reversed(slots) if s.key is not None}
        self.absorb = all(s.key is not None for s in slots)

    def __call__(self, message: str) -> bool:
        return self.extract(message) is not None

    def extract(self, message: str) -> dict[str, str] | None:
        """`{"$name": value}` for the first way the fields satisfy every condition; None if none does."""
        for bound in _bindings(self.slots, split_fields(message), self.absorb):
            if all(t(bound) for t in self.tests):
                return {f"${self.labels[key]}": value for key, value in bound.items()}
        return None


def extracted_values(matcher: Matcher, message: str) -> dict[str, str] | None:
    """What TestMetricFilter reports for a message: None when it does not match."""
    if isinstance(matcher, SpaceDelimited):
        return matcher.extract(message)
    return {} if matcher(message) else None


def _bindings(slots: list[_Slot], fields: list[str], absorb: bool,
              bound: dict[str, str] | None = None) -> Iterator[dict[str, str]]:
    """Every way of binding the slots to the fields, in order. `...` takes any number of fields
    (as many as it can first); without one, the last named field takes whatever remains."""
    bound = bound or {}
    if not slots:
        if not fields:
            yield bound
        return
    slot, rest = slots[0], slots[1:]
    if slot.key is None:
        for taken in range(len(fields), -1, -1):
            yield from _bindings(rest, fields[taken:], absorb, bound)
        return
    if not fields:
        return
    if not rest and absorb:
        yield {**bound, slot.key: " ".join(fields)}
        return
    yield from _bindings(rest, fields[1:], absorb, {**bound, slot.key: fields[0]})
