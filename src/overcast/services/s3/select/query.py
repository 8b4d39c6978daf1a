"""S3 Select's SQL: parsed with lark (`select.lark`) into a `Query` of Python closures over one
record ([AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-select-sql-reference.html)).

A record is a dict: JSON objects as they are; CSV rows by position (`_1`, `_2`...) and, with
`FileHeaderInfo=USE`, by header name. Paths start at the FROM alias (or `S3Object`), or name a
field of the record directly; unquoted names match case-insensitively, quoted ones exactly. A
missing field is MISSING, which compares and computes like NULL and is left out of JSON output.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import LarkError

_PARSER = Lark(Path(__file__).with_name("select.lark").read_text(), parser="lalr", maybe_placeholders=True)


class Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()
Record = dict[str, Any]
Fn = Callable[[Record], Any]


class SelectError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Item:
    fn: Fn
    name: str | None
    aggregate: Aggregate | None = None


@dataclass
class Aggregate:
    kind: str
    arg: Fn | None
    values: list[Any] = field(default_factory=list)

    def result(self) -> Any:
        found = [v for v in self.values if v is not None and v is not MISSING]
        if self.kind == "COUNT":
            return len(self.values) if self.arg is None else len(found)
        if not found:
            return None
        if self.kind == "SUM":
            return sum(found)
        if self.kind == "AVG":
            return sum(found) / len(found)
        return min(found) if self.kind == "MIN" else max(found)


@dataclass
class Query:
    items: list[Item] | None           # None: SELECT *
    where: Fn | None
    limit: int | None
    alias: str
    from_path: list[str]               # after S3Object: names (arrays met on the way are flattened)

    @property
    def aggregates(self) -> list[Aggregate]:
        return [i.aggregate for i in self.items or [] if i.aggregate is not None]


def _null(value: Any) -> bool:
    return value is None or value is MISSING


def _number(value: Any) -> Any:
    """A string that is a number, as one (CSV fields are text)."""
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return value
        return int(number) if number == number.to_integral_value() and "." not in value else float(number)
    return value


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, int | float) and not isinstance(a, bool) and isinstance(b, str):
        return a, _number(b)
    if isinstance(b, int | float) and not isinstance(b, bool) and isinstance(a, str):
        return _number(a), b
    return a, b


_COMPARE = {"=": operator.eq, "!=": operator.ne, "<>": operator.ne, "<": operator.lt, "<=": operator.le,
            ">": operator.gt, ">=": operator.ge}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "%": operator.mod,
    "||": lambda a, b: f"{a}{b}"}


def _cast(value: Any, kind: str) -> Any:
    if _null(value):
        return value
    kind = kind.upper()
    try:
        if kind in ("INT", "INTEGER", "BIGINT", "SMALLINT"):
            return int(Decimal(str(value)))
        if kind in ("FLOAT", "DOUBLE", "REAL", "DECIMAL", "NUMERIC"):
            return float(value)
        if kind in ("STRING", "VARCHAR", "CHAR", "TEXT"):
            return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
        if kind in ("BOOL", "BOOLEAN"):
            return value if isinstance(value, bool) else str(value).lower() == "true"
    except (InvalidOperation, ValueError, TypeError):
        raise SelectError("CastFailed", f"Attempt to convert from one data type to another using CAST failed in "
                                        f"the SQL expression: {value!r} to {kind}.") from None
    if kind == "TIMESTAMP":
        return str(value)
    raise SelectError("InvalidDataType", f"The SQL expression contains an invalid data type: {kind}.")


def _substring(text: Any, start: Any, length: Any = None) -> Any:
    if _null(text):
        return text
    begin = max(int(start) - 1, 0)
    end = None if length is None else max(int(start) - 1 + int(length), 0)
    return str(text)[begin:end]


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "LOWER": lambda s: s if _null(s) else str(s).lower(),
    "UPPER": lambda s: s if _null(s) else str(s).upper(),
    "CHAR_LENGTH": lambda s: s if _null(s) else len(str(s)),
    "CHARACTER_LENGTH": lambda s: s if _null(s) else len(str(s)),
    "TRIM": lambda s: s if _null(s) else str(s).strip(),
    "SUBSTRING": _substring,
    "COALESCE": lambda *values: next((v for v in values if not _null(v)), None),
    "NULLIF": lambda a, b: None if a == b else a,
    "ABS": lambda n: n if _null(n) else abs(_number(n)),
}
_AGGREGATES = ("COUNT", "SUM", "AVG", "MIN", "MAX")


def _like(pattern: str, escape: str | None) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if escape and char == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.S)


def _lookup(value: Any, step: str | int, exact: bool) -> Any:
    if isinstance(step, int):
        return value[step] if isinstance(value, list) and 0 <= step < len(value) else MISSING
    if not isinstance(value, dict):
        return MISSING
    if step in value:
        return value[step]
    if not exact:
        lowered = step.lower()
        for key, found in value.items():
            if key.lower() == lowered:
                return found
    return MISSING


@v_args(inline=True)
class _Build(Transformer):  # type: ignore[type-arg]
    """Parse tree → closures; aggregates are collected as they are met."""

    def __init__(self) -> None:
        super().__init__()
        self.alias = "s3object"
        self.aggregates: list[Aggregate] = []

    def string(self, token: Token) -> Fn:
        text = str(token)[1:-1].replace("''", "'")
        return lambda r: text

    def number(self, token: Token) -> Fn:
        value = _number(str(token))
        return lambda r: value

    def true(self) -> Fn:
        return lambda r: True

    def false(self) -> Fn:
        return lambda r: False

    def null(self) -> Fn:
        return lambda r: None

    def path(self, *parts: Token) -> Fn:
        steps: list[tuple[str | int, bool]] = []
        for part in parts:
            text = str(part)
            if part.type == "INT":
                steps.append((int(text), True))
            elif part.type == "QUOTED":
                steps.append((text[1:-1].replace('""', '"'), True))
            else:
                steps.append((text, False))
        return lambda r: self._walk(r, steps)

    def _walk(self, record: Record, steps: list[tuple[str | int, bool]]) -> Any:
        first = steps[0][0]
        rest = steps[1:] if isinstance(first, str) and first.lower() in (self.alias, "s3object") and len(steps) > 1 \
            else steps
        value: Any = record
        for step, exact in rest:
            value = _lookup(value, step, exact)
            if value is MISSING:
                break
        return value

    def neg(self, fn: Fn) -> Fn:
        return lambda r: None if _null(v := fn(r)) else -_number(v)

    def arith(self, first: Fn, *rest: Any) -> Fn:
        if not rest:  # lark keeps aliased single-child nodes
            return first
        pairs = [(str(rest[i]), rest[i + 1]) for i in range(0, len(rest), 2)]

        def run(r: Record) -> Any:
            value = first(r)
            for op, fn in pairs:
                other = fn(r)
                if _null(value) or _null(other):
                    return None
                value = _ARITH[op](value, other) if op == "||" else _ARITH[op](_number(value), _number(other))
            return value
        return run

    def compare(self, left: Fn, op: Token, right: Fn) -> Fn:
        check = _COMPARE[str(op)]

        def run(r: Record) -> Any:
            a, b = left(r), right(r)
            if _null(a) or _null(b):
                return None
            a, b = _comparable(a, b)
            try:
                return check(a, b)
            except TypeError:
                return False
        return run

    def or_(self, *fns: Fn) -> Fn:
        if len(fns) == 1:
            return fns[0]
        return lambda r: any(f(r) is True for f in fns)

    def and_(self, *fns: Fn) -> Fn:
        if len(fns) == 1:
            return fns[0]
        return lambda r: all(f(r) is True for f in fns)

    def not_(self, fn: Fn) -> Fn:
        return lambda r: None if _null(v := fn(r)) else not v

    def like(self, value: Fn, pattern: Fn, escape: Fn | None = None) -> Fn:
        def run(r: Record) -> Any:
            text, wanted = value(r), pattern(r)
            if _null(text) or _null(wanted):
                return None
            return bool(_like(str(wanted), escape(r) if escape else None).fullmatch(str(text)))
        return run

    def in_(self, value: Fn, *rest: Any) -> Fn:
        negate = bool(rest) and isinstance(rest[0], Token)
        options = [f for f in rest if not isinstance(f, Token) and f is not None]

        def run(r: Record) -> Any:
            found = value(r)
            hit = any(_comparable(found, o(r))[0] == _comparable(found, o(r))[1] for o in options)
            return not hit if negate else hit
        return run

    def between(self, value: Fn, *rest: Any) -> Fn:
        negate = isinstance(rest[0], Token)
        low, high = [f for f in rest if not isinstance(f, Token) and f is not None]

        def run(r: Record) -> Any:
            v, a, b = value(r), low(r), high(r)
            if _null(v) or _null(a) or _null(b):
                return None
            inside = _comparable(a, v)[0] <= _comparable(a, v)[1] and _comparable(v, b)[0] <= _comparable(v, b)[1]
            return not inside if negate else inside
        return run

    def is_null(self, value: Fn, negate: Token | None = None) -> Fn:
        return lambda r: (not _null(value(r))) if negate else _null(value(r))

    def is_missing(self, value: Fn, negate: Token | None = None) -> Fn:
        return lambda r: (value(r) is not MISSING) if negate else value(r) is MISSING

    def cast(self, value: Fn, kind: Token) -> Fn:
        return lambda r: _cast(value(r), str(kind))

    def count_star(self, name: Token) -> Fn:
        if str(name).upper() != "COUNT":
            raise SelectError("ParseUnexpectedToken", f"Unexpected token found: * after {name}.")
        aggregate = Aggregate("COUNT", None)
        self.aggregates.append(aggregate)
        return lambda r: aggregate

    def call(self, name: Token, *args: Fn | None) -> Fn:
        upper = str(name).upper()
        fns = [a for a in args if a is not None]
        if upper in _AGGREGATES:
            aggregate = Aggregate(upper, fns[0] if fns else None)
            self.aggregates.append(aggregate)
            return lambda r: aggregate
        function = _FUNCTIONS.get(upper)
        if function is None:
            raise SelectError("UnsupportedFunction", f"Function {name} is not supported.")
        return lambda r: function(*(f(r) for f in fns))


def parse(expression: str) -> Query:
    """The query of an S3 Select expression, or SelectError with S3's parse error."""
    try:
        tree = _PARSER.parse(expression)
    except LarkError as error:
        raise SelectError("ParseUnexpectedToken", f"Unexpected token found in the SQL expression: {error}"
                          .splitlines()[0]) from None
    build = _Build()
    source = next(tree.find_data("source"))
    alias_token = next((t for t in source.children if isinstance(t, Token) and t.type == "NAME"), None)
    build.alias = str(alias_token).lower() if alias_token else "s3object"
    from_path = [str(t).strip('"') for suffix in source.find_data("path_suffix")
                 for t in suffix.scan_values(lambda v: isinstance(v, Token))]
    projection: Any = tree.children[0]
    items = [_item(build, item) for item in projection.children] if projection.data == "items" else None
    where = next((build.transform(cast(Tree, w.children[0])) for w in tree.find_data("where")), None)
    limit = next((int(str(node.children[0])) for node in tree.find_data("limit")), None)
    return Query(items, where, limit, build.alias, from_path)


def _item(build: _Build, item: Any) -> Item:
    """One projected expression, named by its alias or (for a path) its last step."""
    before = len(build.aggregates)
    fn = build.transform(item.children[0])
    name = str(item.children[1]) if len(item.children) > 1 and item.children[1] is not None else None
    node = item.children[0]
    while isinstance(node, Tree) and node.data in ("or_", "and_", "arith") and len(node.children) == 1:
        node = node.children[0]
    if name is None and isinstance(node, Tree) and node.data == "path":
        name = str(node.children[-1]).strip('"')
        if name.lower() in (build.alias, "s3object") and len(node.children) == 1:
            name = None
    aggregate = build.aggregates[-1] if len(build.aggregates) > before else None
    return Item(fn, name, aggregate)
