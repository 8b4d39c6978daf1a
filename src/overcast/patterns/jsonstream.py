"""A pull parser over JSON text that reports positions the way EventBridge does.

EventBridge validates event patterns with event-ruler, which reads the pattern token by token with
Jackson and reports a problem at the parser's *current location*:
``<reason>\\n at [Source: (String)"<pattern>"; line: L, column: C]``. To give the same text, this
parser mirrors Jackson's notion of that location:

* after a structural token, a number or a literal: just past the token;
* after a string value whose text has not been read yet: just past its opening quote (reading it
  with `text()` moves the location past the closing quote);
* after a field name: Jackson has already looked at the value, so the location is the value's.

Syntax errors carry Jackson's own wording (``Unexpected character ('\\'' (code 39)): was expecting
double-quote to start field name``...). Numbers keep their source text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

START_OBJECT = "{"
END_OBJECT = "}"
START_ARRAY = "["
END_ARRAY = "]"
FIELD_NAME = "field"
STRING = "string"
NUMBER = "number"
TRUE = "true"
FALSE = "false"
NULL = "null"

SCALARS = (STRING, NUMBER, TRUE, FALSE, NULL)
VALID_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
#: Jackson quotes at most this many characters of the source in a location
MAX_SNIPPET = 500

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WS = re.compile(r"[ \t\r\n]*")
_STRING_BODY = re.compile(r'[^"\\\x00-\x1f]*')


class JsonError(Exception):
    """A problem at a place in the text; `str()` gives Jackson's message with its location."""

    def __init__(self, reason: str, location: str = "") -> None:
        super().__init__(reason + location)
        self.reason = reason
        self.location = location


@dataclass
class _Token:
    kind: str
    start: int
    end: int
    text: str = ""


def describe_char(ch: str) -> str:
    """Jackson's `_getCharDesc`."""
    code = ord(ch)
    if code < 32 or code == 127:
        return f"(CTRL-CHAR, code {code})"
    if code > 255:
        return f"'{ch}' (code {code} / 0x{code:x})"
    return f"'{ch}' (code {code})"


class JsonStream:
    """Tokens of one JSON text, pulled one at a time (Jackson's `JsonParser`, reduced)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._pos = 0
        self._loc = 0
        self._stack: list[list[object]] = []  # [kind, count, start offset]
        self._pending: _Token | None = None
        self._current: _Token | None = None
        self._incomplete = False

    # -- reading ------------------------------------------------------------------------------

    def next_token(self) -> str | None:
        """The next token's kind (None at the end of the text)."""
        token: _Token | None
        if self._pending is not None:
            token, self._pending = self._pending, None
        else:
            token = self._read()
            if token is None:
                self._current = None
                return None
            if token.kind != FIELD_NAME:  # a field name already placed the location on its value
                self._set_location(token)
        self._current = token
        return token.kind

    def text(self) -> str:
        """The current token's text (a string's value, a field's name, a number as written)."""
        token = self._current
        if token is None:
            return ""
        if token.kind == STRING and self._incomplete:
            self._incomplete = False
            self._loc = token.end
        if token.kind in (START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY):
            return token.kind
        return token.text

    @property
    def name(self) -> str:
        """The current field name."""
        return self._current.text if self._current is not None else ""

    # -- locations ----------------------------------------------------------------------------

    def location(self, offset: int | None = None) -> str:
        offset = self._loc if offset is None else offset
        line = self.source.count("\n", 0, offset) + 1
        column = offset - (self.source.rfind("\n", 0, offset) + 1) + 1
        snippet = self.source[:MAX_SNIPPET]
        more = len(self.source) - len(snippet)
        truncated = f"[truncated {more} chars]" if more > 0 else ""
        return f'\n at [Source: (String)"{snippet}"{truncated}; line: {line}, column: {column}]'

    def error(self, reason: str) -> JsonError:
        """An error at the current location (event-ruler's `barf`)."""
        return JsonError(reason, self.location())

    def _fail(self, reason: str, offset: int) -> JsonError:
        return JsonError(reason, self.location(offset))

    def _set_location(self, token: _Token) -> None:
        self._incomplete = token.kind == STRING
        self._loc = token.start + 1 if token.kind == STRING else token.end

    # -- tokenizer ----------------------------------------------------------------------------

    def _skip_ws(self) -> None:
        self._pos = _WS.match(self.source, self._pos).end()  # type: ignore[union-attr]

    def _peek(self) -> str:
        return self.source[self._pos] if self._pos < len(self.source) else ""

    def _read(self) -> _Token | None:
        self._skip_ws()
        if not self._stack:
            if self._current is not None and self._pos > 0 and self._current.kind != FIELD_NAME:
                return None  # past the root value: Jackson stops here too
            return self._value() if self._peek() else None
        frame = self._stack[-1]
        if frame[0] == "array":
            return self._in_array(frame)
        return self._in_object(frame)

    def _in_array(self, frame: list[object]) -> _Token:
        ch = self._peek()
        if ch == "]":
            return self._close()
        if frame[1]:
            if ch != ",":
                raise self._unexpected("was expecting comma to separate Array entries")
            self._pos += 1
            self._skip_ws()
        frame[1] = int(frame[1]) + 1  # type: ignore[call-overload]
        return self._value()

    def _in_object(self, frame: list[object]) -> _Token:
        ch = self._peek()
        if ch == "}":
            return self._close()
        if frame[1]:
            if ch != ",":
                raise self._unexpected("was expecting comma to separate Object entries")
            self._pos += 1
            self._skip_ws()
            ch = self._peek()
        frame[1] = int(frame[1]) + 1  # type: ignore[call-overload]
        if ch != '"':
            raise self._unexpected("was expecting double-quote to start field name")
        start = self._pos
        name = self._string_text()
        self._skip_ws()
        if self._peek() != ":":
            raise self._unexpected("was expecting a colon to separate field name and value")
        self._pos += 1
        self._skip_ws()
        value = self._value()
        self._pending = value
        field = _Token(FIELD_NAME, start, self._pos, name)
        self._set_location(value)
        return field

    def _close(self) -> _Token:
        kind = self._stack.pop()[0]
        self._pos += 1
        return _Token(END_ARRAY if kind == "array" else END_OBJECT, self._pos - 1, self._pos)

    def _value(self) -> _Token:
        ch = self._peek()
        start = self._pos
        if not ch:
            raise self._end_of_input()
        if ch in "{[":
            self._stack.append(["object" if ch == "{" else "array", 0, start])
            self._pos += 1
            return _Token(START_OBJECT if ch == "{" else START_ARRAY, start, self._pos)
        if ch == '"':
            text = self._string_text()
            return _Token(STRING, start, self._pos, text)
        if ch == "-" or ch.isdigit():
            return self._number()
        if ch.isalpha():
            return self._literal()
        if ch in "]},":
            raise self._unexpected("expected a value")
        raise self._unexpected(f"expected a valid value {VALID_VALUES}")

    def _string_text(self) -> str:
        source = self.source
        start = self._pos
        pos = start + 1
        while True:
            pos = _STRING_BODY.match(source, pos).end()  # type: ignore[union-attr]
            if pos >= len(source):
                self._pos = pos
                raise self._fail("Unexpected end-of-input: was expecting closing quote for a string value", pos)
            ch = source[pos]
            if ch == '"':
                break
            if ch == "\\":
                pos = self._escape(pos)
                continue
            raise self._fail(f"Illegal unquoted character ({describe_char(ch)}): has to be escaped using "
                             "backslash to be included in string value", pos)
        self._pos = pos + 1
        return json.loads(source[start:pos + 1])  # type: ignore[no-any-return]

    def _escape(self, pos: int) -> int:
        source = self.source
        if pos + 1 >= len(source):
            raise self._fail("Unexpected end-of-input in character escape sequence", pos + 1)
        ch = source[pos + 1]
        if ch in '"\\/bfnrt':
            return pos + 2
        if ch == "u":
            digits = source[pos + 2:pos + 6]
            for index, digit in enumerate(digits):
                if digit not in "0123456789abcdefABCDEF":
                    raise self._fail(f"Unexpected character ({describe_char(digit)}): expected a hex-digit for "
                                     "character escape sequence", pos + 2 + index)
            if len(digits) < 4:
                raise self._fail("Unexpected end-of-input in character escape sequence", len(source))
            return pos + 6
        raise self._fail(f"Unrecognized character escape {describe_char(ch)}", pos + 1)

    def _number(self) -> _Token:
        source = self.source
        start = self._pos
        match = _NUMBER.match(source, start)
        end = match.end() if match else start
        if match is None or end == start or source[end - 1] == "-":
            nxt = source[start + 1:start + 2]
            desc = describe_char(nxt) if nxt else "end-of-input"
            raise self._fail(f"Unexpected character ({desc}) in numeric value: expected digit (0-9) to follow "
                             "minus sign, for valid numeric value", start + 1)
        nxt = source[end:end + 1]
        if nxt.isdigit() and source[start:end].lstrip("-") == "0":
            raise self._fail("Invalid numeric value: Leading zeroes not allowed", end)
        if nxt == ".":
            after = source[end + 1:end + 2]
            raise self._fail(f"Unexpected character ({describe_char(after) if after else 'end-of-input'}) in "
                             "numeric value: Decimal point not followed by a digit", end + 1)
        if nxt in ("e", "E"):
            raise self._fail("Unexpected character in numeric value: Exponent indicator not followed by a digit",
                             end + 1)
        self._pos = end
        return _Token(NUMBER, start, end, source[start:end])

    def _literal(self) -> _Token:
        source = self.source
        start = self._pos
        end = start
        while end < len(source) and (source[end].isalnum() or source[end] in "_$"):
            end += 1
        word = source[start:end]
        self._pos = end
        if word in (TRUE, FALSE, NULL):
            return _Token(word, start, end, word)
        raise self._fail(f"Unrecognized token '{word}': was expecting {VALID_VALUES}", end)

    def _unexpected(self, expectation: str) -> JsonError:
        ch = self._peek()
        if not ch:
            return self._end_of_input()
        return self._fail(f"Unexpected character ({describe_char(ch)}): {expectation}", self._pos)

    def _end_of_input(self) -> JsonError:
        if not self._stack:
            return self._fail("No content to map due to end-of-input", len(self.source))
        kind, _, start = self._stack[-1]
        marker = "Object" if kind == "object" else "Array"
        opened = self.location(int(start)).replace("\n at ", "", 1)  # type: ignore[call-overload]
        return self._fail(f"Unexpected end-of-input: expected close marker for {marker} (start marker at "
                          f"{opened})", len(self.source))
