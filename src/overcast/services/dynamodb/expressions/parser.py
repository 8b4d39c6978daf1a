"""Parse DynamoDB expressions with the lark grammar in grammar.lark (LALR, so parsing is linear).

Parsed templates are cached by text: an application sends the same few expressions again and again
with different values, so each distinct expression is parsed once.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from overcast.services.dynamodb.errors import DynamoValidation
from overcast.services.dynamodb.expressions import nodes

MAX_EXPRESSION = 4096

_GRAMMAR = (FilePath(__file__).parent / "grammar.lark").read_text()


class ExpressionError(DynamoValidation):
    """An expression DynamoDB refuses; `detail` is the text after `Invalid <Kind>: `."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def within(self, kind: str) -> DynamoValidation:
        return DynamoValidation(f"Invalid {kind}: {self.detail}")


@v_args(inline=True)
class _Build(Transformer):  # type: ignore[type-arg]
    """lark tree → template nodes."""

    def path(self, *parts: Token) -> nodes.Path:
        elements: list[nodes.PathElement] = []
        for part in parts:
            elements.append(int(part) if part.type == "INDEX" else str(part))
        return nodes.Path(tuple(elements))

    def paren(self, inner: Any) -> Any:
        return inner

    def value(self, token: Token) -> nodes.Value:
        return nodes.Value(str(token))

    def function(self, name: Token, *args: Any) -> nodes.Function:
        return nodes.Function(str(name), tuple(args))

    def compare(self, left: Any, op: Token, right: Any) -> nodes.Compare:
        return nodes.Compare(str(op), left, right)

    def between(self, subject: Any, _b: Token, low: Any, _a: Token, high: Any) -> nodes.Between:
        return nodes.Between(subject, low, high)

    def in_(self, subject: Any, _in: Token, *options: Any) -> nodes.In:
        return nodes.In(subject, tuple(options))

    def and_(self, left: Any, _op: Token, right: Any) -> nodes.And:
        return nodes.And(left, right)

    def or_(self, left: Any, _op: Token, right: Any) -> nodes.Or:
        return nodes.Or(left, right)

    def not_(self, _op: Token, operand: Any) -> nodes.Not:
        return nodes.Not(operand)

    def plus(self, left: Any, right: Any) -> nodes.Arithmetic:
        return nodes.Arithmetic("+", left, right)

    def minus(self, left: Any, right: Any) -> nodes.Arithmetic:
        return nodes.Arithmetic("-", left, right)

    def set_action(self, path: nodes.Path, _eq: Token, value: Any) -> nodes.UpdateAction:
        return nodes.UpdateAction("SET", path, value)

    def set_clause(self, _kw: Token, *actions: nodes.UpdateAction) -> tuple[str, list[nodes.UpdateAction]]:
        return "SET", list(actions)

    def remove_clause(self, _kw: Token, *paths: nodes.Path) -> tuple[str, list[nodes.UpdateAction]]:
        return "REMOVE", [nodes.UpdateAction("REMOVE", p) for p in paths]

    def add_clause(self, _kw: Token, *pairs: Any) -> tuple[str, list[nodes.UpdateAction]]:
        return "ADD", self._pairs("ADD", pairs)

    def delete_clause(self, _kw: Token, *pairs: Any) -> tuple[str, list[nodes.UpdateAction]]:
        return "DELETE", self._pairs("DELETE", pairs)

    @staticmethod
    def _pairs(kind: str, items: tuple[Any, ...]) -> list[nodes.UpdateAction]:
        return [nodes.UpdateAction(kind, items[i], nodes.Value(str(items[i + 1]))) for i in range(0, len(items), 2)]

    def update(self, *clauses: tuple[str, list[nodes.UpdateAction]]) -> nodes.Update:
        seen: set[str] = set()
        actions: list[nodes.UpdateAction] = []
        for kind, clause_actions in clauses:
            if kind in seen:
                raise ExpressionError(f'The "{kind}" section can only be used once in an update expression;')
            seen.add(kind)
            actions.extend(clause_actions)
        return nodes.Update(tuple(actions))

    def projection(self, *paths: nodes.Path) -> tuple[nodes.Path, ...]:
        return tuple(paths)


@lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(_GRAMMAR, start=["condition", "update", "projection"], parser="lalr",
                maybe_placeholders=False, propagate_positions=False)


_BUILD = _Build()


@lru_cache(maxsize=4096)
def parse(text: str, start: str) -> Any:
    """The template tree of `text` parsed as `start` ("condition", "update" or "projection");
    ExpressionError (to be prefixed with the parameter's name) when DynamoDB would refuse it."""
    if not text.strip():
        raise ExpressionError("The expression can not be empty;")
    if len(text.encode()) > MAX_EXPRESSION:
        raise ExpressionError(f"Expression size has exceeded the maximum allowed size; expression size: {len(text.encode())}")
    parser = _lark()
    try:
        tree = parser.parse(text, start=start)
        _check_parentheses(tree)
        return _BUILD.transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, ExpressionError):
            raise err.orig_exc from None
        raise
    except UnexpectedInput as err:
        raise _syntax_error(text, err) from None
    except LarkError:
        raise ExpressionError(f'Syntax error; token: "<EOF>", near: "{text[-8:]}"') from None


def _check_parentheses(tree: Tree) -> None:
    """DynamoDB refuses a condition wrapped in two pairs of parentheses: `((a = :v))`."""
    for subtree in tree.iter_subtrees():
        if subtree.data == "paren" and isinstance(subtree.children[0], Tree) and subtree.children[0].data == "paren":
            raise ExpressionError("The expression has redundant parentheses;")


def _syntax_error(text: str, err: UnexpectedInput) -> ExpressionError:
    """DynamoDB's wording: `Syntax error; token: "<what>", near: "<previous> <what> <next>"`."""
    if isinstance(err, UnexpectedToken) and err.token.type == "$END":
        token, start = "<EOF>", len(text)
    elif isinstance(err, UnexpectedToken):
        token, start = str(err.token), err.token.start_pos or 0
    elif isinstance(err, UnexpectedCharacters):
        start = err.pos_in_stream or 0
        token = text[start]
    else:
        token, start = "<EOF>", len(text)
    spans = _token_spans(text)
    before = [s for s in spans if s[1] <= start]
    after = [s for s in spans if s[0] > start]
    near_start = before[-1][0] if before else start
    near_end = after[0][1] if after else len(text)
    if token == "<EOF>":
        near_end = len(text)
    return ExpressionError(f'Syntax error; token: "{token}", near: "{text[near_start:near_end]}"')


def _token_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    try:
        for tok in _lark().lex(text):
            spans.append((tok.start_pos or 0, tok.end_pos or 0))
    except LarkError:
        pass
    return spans
