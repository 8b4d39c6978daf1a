"""From pattern text to branches of field conditions, with event-ruler's checks and messages.

The walk follows event-ruler's `JsonRuleCompiler` token by token, because EventBridge's
`InvalidEventPatternException` messages name the first problem the way that walk meets it, at the
place it meets it (see `jsonstream`). The result is a list of branches (one per `$or`
combination); a branch is a map from a field path to its `Field`, and the pattern matches an
event when any branch does.

A few messages come without a location, as on AWS: event-ruler raises them outside its own error
helper (CIDR problems, a single out-of-range `anything-but` number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from overcast.patterns import jsonstream as js
from overcast.patterns import matchers as m
from overcast.patterns.jsonstream import JsonError, JsonStream

OR = "$or"
#: `$or` combinations (branches) allowed in one pattern
MAX_COMBINATIONS = 1000
TOO_COMPLEX = "Rule is too complex - try using fewer $or combinations"

#: field names that may not appear inside a `$or` object (event-ruler's reserved words)
RESERVED_IN_OR = frozenset({
    "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric",
    "cidr", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after",
    "date-on-or-after", "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range",
    "ip-address-not-in-range",
})

ONE_KEY = "Only one key allowed in match expression"
TOO_MANY = "Too many elements in numeric expression"


@dataclass
class Field:
    """The conditions on one field: it matches when any of them does."""

    path: tuple[str, ...]
    matchers: list[m.Matcher] = field(default_factory=list)
    exists: bool = False
    absent: bool = False
    #: `accepts`, specialised once the field is complete (the hot path of matching)
    test: Callable[[object], bool] = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def accepts(self, value: object) -> bool:
        if self.exists:
            return True
        for matcher in self.matchers:  # noqa: SIM110 (a plain loop: this runs for every leaf tried)
            if matcher.matches(value):
                return True
        return False

    def seal(self) -> None:
        if self.exists:
            self.test = _always
        elif len(self.matchers) == 1:
            self.test = self.matchers[0].matches
        else:
            self.test = self.accepts


def _always(value: object) -> bool:
    return True


#: one alternative of a pattern (a `$or` combination): every field must match
Branch = tuple[tuple[tuple[str, ...], Field], ...]
_Building = dict[tuple[str, ...], Field]


def compile_branches(text: str) -> list[Branch]:
    """The branches of a pattern; JsonError with AWS's reason and location when it is invalid."""
    stream = JsonStream(text)
    if stream.next_token() != js.START_OBJECT:
        raise stream.error("Filter is not an object")
    building: list[_Building] = []
    _object(stream, building, (), in_or=False)
    for branch in building:
        for item in branch.values():
            item.seal()
    return [tuple(branch.items()) for branch in building]


def _object(stream: JsonStream, branches: list[_Building], path: tuple[str, ...], in_or: bool) -> None:
    present = False
    while stream.next_token() != js.END_OBJECT:
        present = True
        name = stream.name
        if name == OR:
            _or(stream, branches, path)
            continue
        if in_or and name in RESERVED_IN_OR:
            raise stream.error(f"{name} is Ruler reserved fieldName which cannot be used inside {OR}.")
        token = stream.next_token()
        if token == js.START_OBJECT:
            _object(stream, branches, (*path, name), in_or)
        elif token == js.START_ARRAY:
            _values(stream, branches, (*path, name))
        else:
            raise stream.error(f'"{name}" must be an object or an array')
    if not present:
        raise stream.error("Empty objects are not allowed")


def _or(stream: JsonStream, branches: list[_Building], path: tuple[str, ...]) -> None:
    before = [dict(b) for b in branches]
    branches.clear()
    if stream.next_token() != js.START_ARRAY:
        raise stream.error(f"It must be an Array followed with {OR}.")
    count = 0
    while (token := stream.next_token()) != js.END_ARRAY:
        count += 1
        if token != js.START_OBJECT:
            raise stream.error(f"Only JSON object is allowed in array of {OR} relationship.")
        forked = [dict(b) for b in before] or [{}]
        _object(stream, forked, path, in_or=True)
        branches.extend(forked)
        if len(branches) > MAX_COMBINATIONS:
            raise JsonError(TOO_COMPLEX)
    if count < 2:
        raise stream.error(f"There must have at least 2 Objects in {OR} relationship.")


def _values(stream: JsonStream, branches: list[_Building], path: tuple[str, ...]) -> None:
    result = Field(path)
    empty = True
    while (token := stream.next_token()) != js.END_ARRAY:
        empty = False
        if token == js.START_OBJECT:
            _expression(stream, result)
        elif token == js.STRING:
            text = stream.text()
            ip = m.ip_value(text)
            result.matchers.append(m.ExactIp(text, ip) if ip else m.ExactString(text))
        elif token == js.NUMBER:
            result.matchers.append(m.ExactNumber(stream.text()))
        elif token in (js.TRUE, js.FALSE, js.NULL):
            result.matchers.append(m.ExactLiteral({js.TRUE: True, js.FALSE: False}.get(token)))
        else:
            raise stream.error("Match value must be String, number, true, false, or null")
    if empty:
        raise stream.error("Empty arrays are not allowed")
    if not branches:
        branches.append({})
    for branch in branches:
        branch[path] = result  # a repeated key: the last one wins, as on AWS


# -- match expressions ({"prefix": ...}, {"numeric": [...]}, ...) ---------------------------------


def _expression(stream: JsonStream, into: Field) -> None:
    if stream.next_token() != js.FIELD_NAME:
        raise stream.error("Match expression name not found")
    kind = stream.name
    handler = _EXPRESSIONS.get(kind)
    if handler is None:
        raise stream.error(f"Unrecognized match type {kind}")
    handler(stream, into)


def _string_operand(stream: JsonStream, message: str) -> str:
    if stream.next_token() != js.STRING:
        raise stream.error(message)
    text = stream.text()
    if stream.next_token() != js.END_OBJECT:
        raise stream.error(ONE_KEY)
    return text


def _exactly(stream: JsonStream, into: Field) -> None:
    into.matchers.append(m.ExactString(_string_operand(stream, "exact match pattern must be a string")))


def _prefix(stream: JsonStream, into: Field) -> None:
    _affix(stream, into, "prefix", m.Prefix, m.PrefixIgnoreCase)


def _suffix(stream: JsonStream, into: Field) -> None:
    _affix(stream, into, "suffix", m.Suffix, m.SuffixIgnoreCase)


def _affix(stream: JsonStream, into: Field, kind: str, plain: type[m.Matcher],
           ignore_case: type[m.Matcher]) -> None:
    token = stream.next_token()
    if token == js.START_OBJECT:
        if stream.next_token() != js.FIELD_NAME:
            raise stream.error(f"{kind.capitalize()} expression name not found")
        if stream.name != "equals-ignore-case":
            raise stream.error(f"Unsupported {kind} pattern: {stream.name}")
        text = _string_operand(stream, "equals-ignore-case match pattern must be a string")
        if stream.next_token() != js.END_OBJECT:
            raise stream.error(ONE_KEY)
        into.matchers.append(ignore_case(text))  # type: ignore[call-arg]
        return
    if token != js.STRING:
        raise stream.error(f"{kind} match pattern must be a string")
    text = stream.text()
    if stream.next_token() != js.END_OBJECT:
        raise stream.error(ONE_KEY)
    into.matchers.append(plain(text))  # type: ignore[call-arg]


def _equals_ignore_case(stream: JsonStream, into: Field) -> None:
    into.matchers.append(m.EqualsIgnoreCase(_string_operand(stream, "equals-ignore-case match pattern must be a string")))


def _wildcard(stream: JsonStream, into: Field) -> None:
    if stream.next_token() != js.STRING:
        raise stream.error("wildcard match pattern must be a string")
    text = stream.text()
    problem = m.wildcard_error(text)
    if problem:
        raise stream.error(problem)
    if stream.next_token() != js.END_OBJECT:
        raise stream.error(ONE_KEY)
    into.matchers.append(m.Wildcard(text))


def _exists(stream: JsonStream, into: Field) -> None:
    token = stream.next_token()
    if token not in (js.TRUE, js.FALSE):
        raise stream.error("exists match pattern must be either true or false.")
    if stream.next_token() != js.END_OBJECT:
        raise stream.error(ONE_KEY)
    if token == js.TRUE:
        into.exists = True
    else:
        into.absent = True


def _cidr(stream: JsonStream, into: Field) -> None:
    if stream.next_token() != js.STRING:
        raise stream.error("prefix match pattern must be a string")  # sic: event-ruler's wording
    try:
        matcher = m.cidr(stream.text())
    except ValueError as exc:
        raise JsonError(str(exc)) from None  # raised outside event-ruler's helper: no location
    if stream.next_token() != js.END_OBJECT:
        raise stream.error(ONE_KEY)
    into.matchers.append(matcher)


def _numeric(stream: JsonStream, into: Field) -> None:
    from overcast.patterns.numeric import numeric_expression

    if stream.next_token() != js.START_ARRAY:
        raise stream.error("Value of numeric must be an array.")
    matcher = numeric_expression(stream)
    if stream.next_token() != js.END_OBJECT:
        raise stream.error(TOO_MANY)
    into.matchers.append(matcher)


def _anything_but(stream: JsonStream, into: Field) -> None:
    from overcast.patterns.anything_but import anything_but_expression

    into.matchers.append(anything_but_expression(stream))


_EXPRESSIONS: dict[str, Callable[[JsonStream, Field], None]] = {
    "exactly": _exactly,
    "prefix": _prefix,
    "suffix": _suffix,
    "numeric": _numeric,
    "anything-but": _anything_but,
    "exists": _exists,
    "cidr": _cidr,
    "equals-ignore-case": _equals_ignore_case,
    "wildcard": _wildcard,
}
