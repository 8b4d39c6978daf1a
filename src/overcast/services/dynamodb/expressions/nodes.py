"""The syntax tree of DynamoDB expressions.

The parser builds *templates*: a path element that is a `str` starting with `#` is an expression
attribute name placeholder, and a `Value` holds its `:placeholder`. Binding (binder.py) resolves
both against one request's ExpressionAttributeNames/Values, giving the same node types with plain
attribute names and attribute values, which the evaluator runs against items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PathElement = str | int


@dataclass(frozen=True, slots=True)
class Path:
    elements: tuple[PathElement, ...]

    def render(self) -> str:
        """DynamoDB's way of showing a path in error messages: `[a, b, [1]]`."""
        return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in self.elements) + "]"


@dataclass(frozen=True, slots=True)
class Value:
    ref: str
    av: Any = None


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    args: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True, slots=True)
class Between:
    subject: Any
    low: Any
    high: Any


@dataclass(frozen=True, slots=True)
class In:
    subject: Any
    options: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class And:
    left: Any
    right: Any


@dataclass(frozen=True, slots=True)
class Or:
    left: Any
    right: Any


@dataclass(frozen=True, slots=True)
class Not:
    operand: Any


@dataclass(frozen=True, slots=True)
class Arithmetic:
    op: str  # "+" or "-"
    left: Any
    right: Any


@dataclass(frozen=True, slots=True)
class UpdateAction:
    kind: str  # SET, REMOVE, ADD, DELETE
    path: Path
    value: Any = None


@dataclass(frozen=True, slots=True)
class Update:
    actions: tuple[UpdateAction, ...]

    def of_kind(self, kind: str) -> list[UpdateAction]:
        return [a for a in self.actions if a.kind == kind]


Condition = Compare | Between | In | And | Or | Not | Function
Operand = Path | Value | Function | Arithmetic
