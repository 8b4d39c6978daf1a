"""The expressions of one request: expression parameters or their legacy equivalents (never both),
bound to the request's placeholders, with unused placeholders refused at the end."""

from __future__ import annotations

from typing import Any

from overcast.services.dynamodb import legacy_params as legacy
from overcast.services.dynamodb.errors import DynamoValidation
from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.expressions.binder import Binder


def _listing(names: list[str]) -> str:
    if len(names) == 1:
        return f"{names[0]} is null"
    return f"{', '.join(names[:-1])} and {names[-1]} are null"


class Expressions:
    """`expression`: the request's expression parameters by name (None when absent);
    `legacy`: its legacy parameters by name (None when absent)."""

    def __init__(self, names: dict[str, str] | None, values: dict[str, Any] | None,
                 expression: dict[str, str | None], legacy_params: dict[str, Any] | None = None) -> None:
        given = [k for k, v in expression.items() if v is not None]
        old_style = [k for k, v in (legacy_params or {}).items() if v is not None]
        if given and old_style:
            raise DynamoValidation(
                "Can not use both expression and non-expression parameters in the same request: "
                f"Non-expression parameters: {{{', '.join(old_style)}}} "
                f"Expression parameters: {{{', '.join(given)}}}")
        if not given:
            absent = list(expression)
            if values is not None:
                # a projection has no values: it is not among the expressions DynamoDB names here
                raise DynamoValidation("ExpressionAttributeValues can only be specified when using expressions: "
                                       + _listing([k for k in absent if k != "ProjectionExpression"]))
            if names is not None:
                raise DynamoValidation("ExpressionAttributeNames can only be specified when using expressions: "
                                       + _listing(absent))
        self.binder = Binder(names, values)

    def condition(self, text: str | None, kind: str = "ConditionExpression") -> Any:
        return None if text is None else self.binder.condition(text, kind)

    def update(self, text: str | None) -> nodes.Update | None:
        return None if text is None else self.binder.update(text)

    def projection(self, text: str | None) -> tuple[nodes.Path, ...] | None:
        return None if text is None else self.binder.projection(text)

    def done(self) -> None:
        self.binder.check_unused()


def write_condition(expressions: Expressions, condition_expression: str | None, expected: Any,
                    conditional_operator: str | None) -> Any:
    if condition_expression is not None:
        return expressions.condition(condition_expression)
    return legacy.expected(expected, conditional_operator)


def read_projection(expressions: Expressions, projection_expression: str | None,
                    attributes_to_get: list[str] | None) -> tuple[nodes.Path, ...] | None:
    if projection_expression is not None:
        return expressions.projection(projection_expression)
    return legacy.attributes_to_get(attributes_to_get)
