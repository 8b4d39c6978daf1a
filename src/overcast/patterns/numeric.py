"""`{"numeric": [...]}`: one comparison or a lower and an upper bound, checked as event-ruler does."""

from __future__ import annotations

from overcast.patterns import jsonstream as js
from overcast.patterns import matchers as m
from overcast.patterns.jsonstream import JsonStream

TOO_MANY = "Too many elements in numeric expression"
LOWER = {">": True, ">=": False}
UPPER = {"<": True, "<=": False}


def numeric_expression(stream: JsonStream) -> m.Numeric:
    """Read the array after `"numeric":` (its `[` already read) up to its `]`."""
    if stream.next_token() != js.STRING:
        raise stream.error(f"Invalid member in numeric match: {stream.text()}")
    operator = stream.text()
    token = stream.next_token()
    if operator not in ("=", *LOWER, *UPPER):
        raise stream.error(f"Unrecognized numeric range operator: {operator}")
    if token != js.NUMBER:
        raise stream.error(f"Value of {'equals' if operator == '=' else operator} must be numeric")
    value = stream.text()
    if operator in LOWER:
        token = stream.next_token()
        if token != js.END_ARRAY:
            return _range(stream, token, value, LOWER[operator])
        return _bounded(stream, lambda: m.Numeric(m.comparable_or_fail(value), LOWER[operator], None, False))
    if stream.next_token() != js.END_ARRAY:
        raise stream.error(TOO_MANY)
    if operator == "=":
        return _bounded(stream, lambda: _equal(m.comparable_or_fail(value)))
    return _bounded(stream, lambda: m.Numeric(None, False, m.comparable_or_fail(value), UPPER[operator]))


def _equal(number: int) -> m.Numeric:
    return m.Numeric(number, False, number, False)


def _range(stream: JsonStream, token: str | None, bottom: str, open_bottom: bool) -> m.Numeric:
    if token != js.STRING:
        raise stream.error(f"Bad value in numeric range: {stream.text()}")
    operator = stream.text()
    if operator not in UPPER:
        raise stream.error(f"Bad numeric range operator: {operator}")
    if stream.next_token() != js.NUMBER:
        raise stream.error(f"Value of {operator} must be numeric")
    top = stream.text()
    if stream.next_token() != js.END_ARRAY:
        raise stream.error("Too many terms in numeric range expression")

    def build() -> m.Numeric:
        low, high = m.comparable_or_fail(bottom), m.comparable_or_fail(top)
        if low >= high:
            raise ValueError("Bottom must be less than top")
        return m.Numeric(low, open_bottom, high, UPPER[operator])

    return _bounded(stream, build)


def _bounded(stream: JsonStream, build):  # type: ignore[no-untyped-def]
    try:
        return build()
    except ValueError as exc:
        raise stream.error(str(exc)) from None
