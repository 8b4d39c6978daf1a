"""Composite alarms' AlarmRule expressions (state side), parsed with lark.

The grammar is AWS's (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html):
`ALARM(x)`, `OK(x)`, `INSUFFICIENT_DATA(x)` where x is an alarm name or ARN, quoted or not; `TRUE`,
`FALSE`; `AND`, `OR`, `NOT` and parentheses. NOT binds tighter than AND, AND tighter than OR.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import LarkError

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> negation
         | atom
?atom: "(" or_expr ")"
     | STATE "(" alarm ")" -> check
     | "TRUE" -> true
     | "FALSE" -> false
alarm: ESCAPED_STRING | BARE
STATE.2: "ALARM" | "OK" | "INSUFFICIENT_DATA"
_AND.2: "AND"
_OR.2: "OR"
_NOT.2: "NOT"
BARE: /[^\s()"]+/
%import common.ESCAPED_STRING
%import common.WS
%ignore WS
"""


class RuleError(ValueError):
    """The AlarmRule does not parse."""


@dataclass(frozen=True)
class Rule:
    tree: Any

    def alarms(self) -> list[str]:
        """The alarm names or ARNs the rule refers to, in order."""
        return [str(t.children[1]) for t in self.tree.iter_subtrees_topdown() if t.data == "check"] \
            if isinstance(self.tree, Tree) else []

    def evaluate(self, state_of: Callable[[str], str | None]) -> bool:
        """Whether the rule holds, given each referenced alarm's state (None: no such alarm)."""
        return bool(_Evaluate(state_of).transform(self.tree)) if isinstance(self.tree, Tree) \
            else self.tree == "TRUE"


class _Alarm(Transformer[Token, Any]):
    def alarm(self, children: list[Token]) -> str:
        text = str(children[0])
        return text[1:-1] if text.startswith('"') else text


class _Evaluate(Transformer[Token, bool]):
    def __init__(self, state_of: Callable[[str], str | None]) -> None:
        super().__init__()
        self.state_of = state_of

    def check(self, children: list[Any]) -> bool:
        return self.state_of(str(children[1])) == str(children[0])

    def negation(self, children: list[Any]) -> bool:
        return not children[0]

    def and_expr(self, children: list[Any]) -> bool:
        return all(children)

    def or_expr(self, children: list[Any]) -> bool:
        return any(children)

    def true(self, _: list[Any]) -> bool:
        return True

    def false(self, _: list[Any]) -> bool:
        return False


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr")


@lru_cache(maxsize=512)
def parse(text: str) -> Rule:
    """The rule of `text`, or RuleError."""
    try:
        tree = _parser().parse(text)
    except LarkError as error:
        raise RuleError(str(error)) from None
    tree = _Alarm().transform(tree)
    if isinstance(tree, Tree) and tree.data in ("true", "false"):
        return Rule("TRUE" if tree.data == "true" else "FALSE")
    return Rule(tree)


def alarm_name(reference: str) -> str:
    """An alarm's name from a rule's reference (a name or an alarm ARN)."""
    if reference.startswith("arn:") and ":alarm:" in reference:
        return reference.split(":alarm:", 1)[1]
    return reference
