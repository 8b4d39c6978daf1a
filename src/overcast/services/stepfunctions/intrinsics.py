"""The States Language's intrinsic functions
([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html)):
`States.Format('x {}', $.a)` and the rest, nested calls allowed, in payload templates."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

Resolve = Callable[[str], Any]


class IntrinsicError(Exception):
    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.error, self.cause = "States.IntrinsicFailure", cause


def evaluate(expr: str, resolve: Resolve) -> Any:
    """The value of one intrinsic call; `resolve` reads a path argument."""
    parser = _Parser(expr, resolve)
    value = parser.call()
    parser.space()
    if parser.pos != len(expr):
        raise IntrinsicError(f"Invalid intrinsic function expression: {expr}")
    return value


class _Parser:
    def __init__(self, text: str, resolve: Resolve) -> None:
        self.text, self.pos, self.resolve = text, 0, resolve

    def space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def call(self) -> Any:
        self.space()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] != "(":
            self.pos += 1
        name = self.text[start:self.pos].strip()
        if name not in FUNCTIONS or self.pos >= len(self.text):
            raise IntrinsicError(f"Unknown intrinsic function or bad expression: {self.text}")
        self.pos += 1
        args: list[Any] = []
        self.space()
        if self.text[self.pos:self.pos + 1] == ")":
            self.pos += 1
            return FUNCTIONS[name]()
        while True:
            args.append(self.argument())
            self.space()
            char = self.text[self.pos:self.pos + 1]
            self.pos += 1
            if char == ")":
                break
            if char != ",":
                raise IntrinsicError(f"Invalid intrinsic function expression: {self.text}")
        if name != "States.Format":
            args = [_literal(a) for a in args]
        try:
            return FUNCTIONS[name](*args)
        except IntrinsicError:
            raise
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            raise IntrinsicError(f"Invalid arguments in {name}: {exc}") from None

    def argument(self) -> Any:
        self.space()
        char = self.text[self.pos:self.pos + 1]
        if char == "'":
            return self.string()
        if char == "$":
            start = self.pos
            depth = 0
            while self.pos < len(self.text):
                c = self.text[self.pos]
                if c in "[(":
                    depth += 1
                elif c in "])":
                    if depth == 0:
                        break
                    depth -= 1
                elif c == "," and depth == 0:
                    break
                self.pos += 1
            return self.resolve(self.text[start:self.pos].strip())
        if self.text.startswith("States.", self.pos):
            return self.call()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",)":
            self.pos += 1
        literal = self.text[start:self.pos].strip()
        try:
            return json.loads(literal)
        except ValueError:
            raise IntrinsicError(f"Invalid argument {literal!r} in {self.text}") from None

    def string(self) -> str:
        self.pos += 1
        out = []
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if c == "\\" and self.pos + 1 < len(self.text):
                escaped = self.text[self.pos + 1]
                out.append(_BRACES.get(escaped, escaped))
                self.pos += 2
                continue
            if c == "'":
                self.pos += 1
                return "".join(out)
            out.append(c)
            self.pos += 1
        raise IntrinsicError(f"Unterminated string in {self.text}")


#: escaped braces (`\\{`, `\\}`) stay apart from States.Format's `{}` placeholders until formatted
_BRACES = {"{": "\ue000", "}": "\ue001"}


def _literal(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\ue000", "{").replace("\ue001", "}")
    return value


def _format(template: str, *values: Any) -> str:
    parts = [_literal(part) for part in template.split("{}")]
    if len(parts) - 1 != len(values):
        raise IntrinsicError(f"Number of arguments in States.Format does not match the template: {template}")
    out = parts[0]
    for value, part in zip(values, parts[1:], strict=True):
        out += (_literal(value) if isinstance(value, str) else json.dumps(value, separators=(",", ":"))) + part
    return out


def _partition(items: list[Any], size: int) -> list[list[Any]]:
    if int(size) <= 0:
        raise IntrinsicError("States.ArrayPartition: the chunk size must be positive")
    return [items[i:i + int(size)] for i in range(0, len(items), int(size))]


def _range(first: int, last: int, step: int) -> list[int]:
    if int(step) == 0:
        raise IntrinsicError("States.ArrayRange: the step must not be 0")
    values = list(range(int(first), int(last) + (1 if step > 0 else -1), int(step)))
    if len(values) > 1000:
        raise IntrinsicError("States.ArrayRange: at most 1000 elements")
    return values


def _unique(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _hash(data: Any, algorithm: str) -> str:
    names = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    if algorithm not in names:
        raise IntrinsicError(f"States.Hash: unsupported algorithm {algorithm}")
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return hashlib.new(names[algorithm], text.encode()).hexdigest()


def _merge(left: dict[str, Any], right: dict[str, Any], deep: bool) -> dict[str, Any]:
    if deep:
        raise IntrinsicError("States.JsonMerge: deep merge is not supported; the last argument must be false")
    return {**left, **right}


def _random(low: int, high: int, seed: int | None = None) -> int:
    return (random.Random(seed) if seed is not None else random).randint(int(low), int(high))


def _split(text: str, separators: str) -> list[str]:
    out = [text]
    for sep in separators:
        out = [piece for part in out for piece in part.split(sep)]
    return [piece for piece in out if piece]


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "States.Format": _format,
    "States.StringToJson": lambda text: json.loads(text),
    "States.JsonToString": lambda value: json.dumps(value, separators=(",", ":")),
    "States.Array": lambda *values: list(values),
    "States.ArrayPartition": _partition,
    "States.ArrayContains": lambda items, value: value in items,
    "States.ArrayRange": _range,
    "States.ArrayGetItem": lambda items, index: items[int(index)],
    "States.ArrayLength": lambda items: len(items),
    "States.ArrayUnique": _unique,
    "States.Base64Encode": lambda text: base64.b64encode(text.encode()).decode(),
    "States.Base64Decode": lambda text: base64.b64decode(text).decode(),
    "States.Hash": _hash,
    "States.JsonMerge": _merge,
    "States.MathRandom": _random,
    "States.MathAdd": lambda a, b: a + b,
    "States.StringSplit": _split,
    "States.UUID": lambda: str(uuid.uuid4()),
}
