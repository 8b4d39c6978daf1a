"""`{"anything-but": ...}` in all its forms, checked as event-ruler does.

Forms: a string, a number, a list of strings or of numbers, or an object naming `prefix`,
`suffix`, `equals-ignore-case` or `wildcard` with a string or a list of strings. Some of
event-ruler's checks run inside a block that re-reports the error, so their messages carry the
location twice; AWS answers the same, and so do we.
"""

from __future__ import annotations

from overcast.patterns import jsonstream as js
from overcast.patterns import matchers as m
from overcast.patterns.jsonstream import JsonError, JsonStream

TOO_MANY = "Too many elements in numeric expression"
KINDS = {
    "equals-ignore-case": m.EqualsIgnoreCase,
    "prefix": m.Prefix,
    "suffix": m.Suffix,
    "wildcard": m.Wildcard,
}
TYPE_ERRORS = {
    "equals-ignore-case": "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
    "wildcard": "wildcard match pattern must be a string",
    "prefix": "prefix/suffix match pattern must be a string",
    "suffix": "prefix/suffix match pattern must be a string",
}


def anything_but_expression(stream: JsonStream) -> m.Matcher:
    """Read the value after `"anything-but":` up to the end of its match expression."""
    kind = ""
    token = stream.next_token()
    if token == js.START_OBJECT:
        if stream.next_token() != js.FIELD_NAME:
            raise stream.error("Anything-But expression name not found")
        kind = stream.name
        if kind not in KINDS:
            raise stream.error(f"Unsupported anything-but pattern: {kind}")
        token = stream.next_token()
    if token not in (js.START_ARRAY, js.STRING, js.NUMBER):
        raise stream.error("Value of anything-but must be an array or single string/number value.")
    if not kind:
        matcher = _plain_list(stream) if token == js.START_ARRAY else _plain_single(stream, token)
    else:
        values = _set_list(stream, kind) if token == js.START_ARRAY else [_set_single(stream, token, kind)]
        matcher = m.AnythingButOf([KINDS[kind](v) for v in values])  # type: ignore[abstract]
    if stream.next_token() != js.END_OBJECT:
        raise stream.error(TOO_MANY)
    if kind and stream.next_token() != js.END_OBJECT:
        raise stream.error(TOO_MANY)
    return matcher


def _twice(stream: JsonStream, reason: str) -> JsonError:
    location = stream.location()
    return JsonError(reason, location + location)


def _plain_single(stream: JsonStream, token: str | None) -> m.Matcher:
    if token == js.STRING:
        return m.AnythingBut(strings=[stream.text()])
    try:
        return m.AnythingBut(numbers=[m.comparable_or_fail(stream.text())])
    except ValueError as exc:
        raise JsonError(str(exc)) from None  # not caught by event-ruler's helper: no location


def _plain_list(stream: JsonStream) -> m.Matcher:
    strings: list[str] = []
    numbers: list[int] = []
    while (token := stream.next_token()) != js.END_ARRAY:
        if token == js.STRING:
            strings.append(stream.text())
        elif token == js.NUMBER:
            try:
                numbers.append(m.comparable_or_fail(stream.text()))
            except ValueError as exc:
                raise stream.error(str(exc)) from None
        else:
            raise _twice(stream, "Inside anything but list, start|null|boolean is not supported.")
    if bool(strings) == bool(numbers):
        raise stream.error("Inside anything but list, either all values are number or string, mixed type is "
                           "not supported")
    return m.AnythingBut(strings=strings, numbers=numbers)


def _set_single(stream: JsonStream, token: str | None, kind: str) -> str:
    if token != js.STRING:
        raise stream.error(TYPE_ERRORS[kind])
    text = stream.text()
    _check(stream, kind, text, stream.error)
    return text


def _set_list(stream: JsonStream, kind: str) -> list[str]:
    values: list[str] = []
    while (token := stream.next_token()) != js.END_ARRAY:
        if token != js.STRING:
            raise _twice(stream, TYPE_ERRORS[kind])
        text = stream.text()
        if kind in ("prefix", "suffix") and not text:
            raise _twice(stream, "Null prefix/suffix not allowed")
        values.append(text)
    for text in values:
        _check(stream, kind, text, stream.error)
    return values


def _check(stream: JsonStream, kind: str, text: str, fail) -> None:  # type: ignore[no-untyped-def]
    if kind in ("prefix", "suffix") and not text:
        raise fail("Null prefix/suffix not allowed")
    if kind == "wildcard":
        problem = m.wildcard_error(text)
        if problem:
            raise fail(problem)
