"""PartiQL text: tokens, literals and the rewriting of PartiQL conditions, assignments and
projections into DynamoDB expressions with `#nN` / `:vN` placeholders (see partiql.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from overcast.services.dynamodb.errors import DynamoValidation
from overcast.services.dynamodb.types import canonical_number

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<ident>"(?:[^"]|"")*")
  | (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<param>\?)
  | (?P<op><<|>>|<>|!=|<=|>=|[=<>(),.\[\]{}:*+\-])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
""", re.VERBOSE)

KEYWORDS = {"select", "from", "where", "and", "or", "not", "between", "in", "is", "missing", "null", "insert",
            "into", "value", "update", "set", "remove", "delete", "true", "false"}


def malformed(detail: str) -> DynamoValidation:
    return DynamoValidation(f"Statement wasn't well formed, can't be processed: {detail}")


@dataclass(frozen=True)
class Token:
    kind: str  # string, ident, number, param, op, word
    text: str

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


def tokenize(statement: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(statement):
        match = _TOKEN.match(statement, position)
        if match is None:
            raise malformed(f"Unexpected character: {statement[position]}")
        position = match.end()
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group()))
    return tokens


@dataclass
class Placeholders:
    """The names and values a statement's expressions use, and the statement's parameters."""

    parameters: list[Any]
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    used_parameters: int = 0

    def name(self, attribute: str) -> str:
        for key, known in self.names.items():
            if known == attribute:
                return key
        key = f"#n{len(self.names)}"
        self.names[key] = attribute
        return key

    def value(self, av: Any) -> str:
        key = f":v{len(self.values)}"
        self.values[key] = av
        return key

    def parameter(self) -> Any:
        if self.used_parameters >= len(self.parameters):
            raise DynamoValidation("Number of parameters in request and statement don't match.")
        self.used_parameters += 1
        return self.parameters[self.used_parameters - 1]

    def check_all_used(self) -> None:
        if self.used_parameters != len(self.parameters):
            raise DynamoValidation("Number of parameters in request and statement don't match.")


class Cursor:
    """Tokens read left to right."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.at + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise malformed("Unexpected end of statement")
        self.at += 1
        return token

    def expect_word(self, *words: str) -> Token:
        token = self.next()
        if not token.is_word(*words):
            raise malformed(f"Expected {words[0].upper()}, found {token.text}")
        return token

    def expect_op(self, op: str) -> None:
        token = self.next()
        if token.kind != "op" or token.text != op:
            raise malformed(f"Expected {op}, found {token.text}")

    def done(self) -> bool:
        return self.at >= len(self.tokens)


def identifier(token: Token) -> str:
    if token.kind == "ident":
        return token.text[1:-1].replace('""', '"')
    if token.kind == "word":
        return token.text
    raise malformed(f"Expected an identifier, found {token.text}")


def table_ref(cursor: Cursor) -> tuple[str, str | None]:
    """`"table"` or `"table"."index"`."""
    table = identifier(cursor.next())
    following = cursor.peek()
    if following is not None and following.kind == "op" and following.text == ".":
        cursor.next()
        return table, identifier(cursor.next())
    return table, None


# -- values -------------------------------------------------------------------------------------

def literal(cursor: Cursor, holders: Placeholders) -> Any:
    """An AttributeValue: a literal (string, number, boolean, null, map, list, set) or `?`."""
    token = cursor.next()
    if token.kind == "param":
        return holders.parameter()
    if token.kind == "string":
        return {"S": token.text[1:-1].replace("''", "'")}
    if token.kind == "number":
        return {"N": _number(token.text)}
    if token.is_word("true", "false"):
        return {"BOOL": token.text.lower() == "true"}
    if token.is_word("null"):
        return {"NULL": True}
    if token.kind == "op" and token.text == "{":
        return _map(cursor, holders)
    if token.kind == "op" and token.text == "[":
        return {"L": _sequence(cursor, holders, "]")}
    if token.kind == "op" and token.text == "<<":
        return _set(_sequence(cursor, holders, ">>"))
    raise malformed(f"Unexpected token: {token.text}")


def _number(text: str) -> str:
    try:
        Decimal(text)
    except InvalidOperation:
        raise malformed(f"Invalid number: {text}") from None
    return canonical_number(text)


def _map(cursor: Cursor, holders: Placeholders) -> Any:
    out: dict[str, Any] = {}
    while True:
        token = cursor.next()
        if token.kind == "op" and token.text == "}" and not out:
            return {"M": out}
        if token.kind not in ("string", "ident"):
            raise malformed(f"Expected an attribute name, found {token.text}")
        name = token.text[1:-1]
        cursor.expect_op(":")
        out[name] = literal(cursor, holders)
        closing = cursor.next()
        if closing.kind == "op" and closing.text == "}":
            return {"M": out}
        if closing.kind != "op" or closing.text != ",":
            raise malformed(f"Expected , or }}, found {closing.text}")


def _sequence(cursor: Cursor, holders: Placeholders, end: str) -> list[Any]:
    out: list[Any] = []
    following = cursor.peek()
    if following is not None and following.kind == "op" and following.text == end:
        cursor.next()
        return out
    while True:
        out.append(literal(cursor, holders))
        closing = cursor.next()
        if closing.kind == "op" and closing.text == end:
            return out
        if closing.kind != "op" or closing.text != ",":
            raise malformed(f"Expected , or {end}, found {closing.text}")


def _set(members: list[Any]) -> Any:
    kinds = {next(iter(m)) for m in members}
    if len(kinds) != 1 or next(iter(kinds)) not in ("S", "N", "B"):
        raise DynamoValidation("Unsupported type: set members must all be strings, numbers or binaries")
    kind = next(iter(kinds))
    return {f"{kind}S": [m[kind] for m in members]}


# -- expressions ---------------------------------------------------------------------------------

def expression(cursor: Cursor, holders: Placeholders, stop: tuple[str, ...] = ()) -> str:
    """The expression text of tokens up to one of the `stop` words (or the end)."""
    parts: list[str] = []
    brackets_are_lists = False
    while not cursor.done():
        token = cursor.peek()
        assert token is not None
        if token.kind == "word" and token.text.lower() in stop:
            break
        if token.kind in ("string", "number", "param") or token.is_word("true", "false", "null") or \
                (token.kind == "op" and token.text in ("{", "<<")):
            parts.append(holders.value(literal(cursor, holders)))
            continue
        cursor.next()
        if token.is_word("is"):
            parts.append(_is(parts, cursor, holders))
        elif token.is_word("in"):
            parts.append("IN")
            brackets_are_lists = True
        elif token.kind == "op" and token.text == "[" and brackets_are_lists:
            parts.append("(")
        elif token.kind == "op" and token.text == "]" and brackets_are_lists:
            parts.append(")")
            brackets_are_lists = False
        elif token.kind == "op" and token.text == "[":
            parts[-1] += "[" + cursor.next().text + "]"
            cursor.expect_op("]")
        elif token.kind == "op" and token.text == ".":
            parts[-1] += "." + holders.name(identifier(cursor.next()))
        elif token.kind == "op":
            parts.append("<>" if token.text == "!=" else token.text)
        elif token.kind == "word" and token.text.lower() in KEYWORDS:
            parts.append(token.text.upper())
        elif token.kind == "word" and _is_call(cursor):
            parts.append(token.text.lower())
        else:
            parts.append(holders.name(identifier(token)))
    return _join(parts)


def _is_call(cursor: Cursor) -> bool:
    following = cursor.peek()
    return following is not None and following.kind == "op" and following.text == "("


def _is(parts: list[str], cursor: Cursor, holders: Placeholders) -> str:
    """`x IS [NOT] MISSING` / `x IS [NOT] NULL`, rewriting the path just emitted."""
    if not parts:
        raise malformed("IS needs an operand")
    path = parts.pop()
    negated = cursor.peek() is not None and cursor.peek().is_word("not")  # type: ignore[union-attr]
    if negated:
        cursor.next()
    what = cursor.expect_word("missing", "null")
    if what.is_word("missing"):
        return f"attribute_exists({path})" if negated else f"attribute_not_exists({path})"
    test = f"attribute_type({path}, {holders.value({'S': 'NULL'})})"
    return f"NOT {test}" if negated else test


def _join(parts: list[str]) -> str:
    text = " ".join(parts)
    return text.replace("( ", "(").replace(" )", ")").replace(" ,", ",")
