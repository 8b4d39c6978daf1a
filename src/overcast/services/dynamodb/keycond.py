"""Query key conditions: from a bound KeyConditionExpression (or legacy KeyConditions) to the
partition key and the sort key byte range a Query reads.

DynamoDB allows exactly one equality on the partition key, optionally ANDed with one condition on
the sort key: =, <, <=, >, >=, BETWEEN or begins_with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from overcast.services.dynamodb.errors import DynamoValidation, invalid
from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.keys import KeySchema, encode_value, successor
from overcast.services.dynamodb.types import AttributeValue, kind_of

_FLIP = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
PREFIX = "Invalid KeyConditionExpression: "


@dataclass(frozen=True)
class KeyRange:
    """One partition and the sort key bounds (bytes; None: unbounded) of a Query."""

    pk: bytes
    low: bytes | None = None
    low_inclusive: bool = True
    high: bytes | None = None
    high_inclusive: bool = True

    def sql(self, column: str) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if self.low is not None:
            clauses.append(f" AND {column} {'>=' if self.low_inclusive else '>'} ?")
            params.append(self.low)
        if self.high is not None:
            clauses.append(f" AND {column} {'<=' if self.high_inclusive else '<'} ?")
            params.append(self.high)
        return "".join(clauses), params


@dataclass(frozen=True)
class KeyTerm:
    """One condition on one key attribute: op is =, <, <=, >, >=, BETWEEN or begins_with."""

    name: str
    op: str
    values: tuple[AttributeValue, ...]


def terms_of(condition: Any) -> list[KeyTerm]:
    """Split a bound KeyConditionExpression into its (at most two) terms."""
    if isinstance(condition, nodes.And):
        terms = terms_of(condition.left) + terms_of(condition.right)
        if len(terms) > 2:
            raise DynamoValidation("KeyConditionExpressions must only contain one condition per key")
        return terms
    if isinstance(condition, nodes.Or):
        raise DynamoValidation(f"{PREFIX}Invalid operator used in KeyConditionExpression: OR")
    if isinstance(condition, nodes.Not):
        raise DynamoValidation(f"{PREFIX}Invalid operator used in KeyConditionExpression: NOT")
    if isinstance(condition, nodes.In):
        raise DynamoValidation(f"{PREFIX}Invalid operator used in KeyConditionExpression: IN")
    if isinstance(condition, nodes.Compare):
        return [_compare(condition)]
    if isinstance(condition, nodes.Between):
        return [KeyTerm(_attribute(condition.subject), "BETWEEN",
                        (_constant(condition.low), _constant(condition.high)))]
    if condition.name != "begins_with":
        raise DynamoValidation(f"{PREFIX}Invalid operator used in KeyConditionExpression: {condition.name}")
    return [KeyTerm(_attribute(condition.args[0]), "begins_with", (_constant(condition.args[1]),))]


def _compare(node: nodes.Compare) -> KeyTerm:
    if node.op == "<>":
        raise DynamoValidation(f"{PREFIX}Invalid operator used in KeyConditionExpression: <>")
    left, right, op = node.left, node.right, node.op
    if isinstance(left, nodes.Value) and isinstance(right, nodes.Path):
        left, right, op = right, left, _FLIP[op]
    return KeyTerm(_attribute(left), op, (_constant(right),))


def _attribute(node: Any) -> str:
    if not isinstance(node, nodes.Path):
        raise DynamoValidation(f"{PREFIX}KeyConditionExpressions must only contain document paths on one side")
    if len(node.elements) != 1:
        raise DynamoValidation(f"{PREFIX}KeyConditionExpressions cannot have conditions on nested attributes")
    return str(node.elements[0])


def _constant(node: Any) -> AttributeValue:
    if not isinstance(node, nodes.Value):
        raise DynamoValidation(f"{PREFIX}KeyConditionExpressions cannot contain document paths on both sides")
    return node.av  # type: ignore[no-any-return]


def key_range(terms: list[KeyTerm], key: KeySchema) -> KeyRange:
    """The partition and sort range `terms` select in a table or index with schema `key`."""
    by_name: dict[str, KeyTerm] = {}
    for term in terms:
        if term.name in by_name:
            raise DynamoValidation("KeyConditionExpressions must only contain one condition per key")
        by_name[term.name] = term
    hash_term = by_name.get(key.hash_name)
    if hash_term is None:
        raise DynamoValidation(f"Query condition missed key schema element: {key.hash_name}")
    if any(name not in key.names for name in by_name) or hash_term.op != "=":
        raise DynamoValidation("Query key condition not supported")
    pk = _encoded(hash_term.values[0], key.hash_type)
    range_term = by_name.get(key.range_name) if key.range_name else None
    if range_term is None:
        return KeyRange(pk)
    return _sort_range(pk, range_term, key.range_type)  # type: ignore[arg-type]


def _encoded(value: AttributeValue, kind: str) -> bytes:
    if kind_of(value) != kind:
        raise invalid("Condition parameter type does not match schema type")
    return encode_value(kind, value[kind])


def _sort_range(pk: bytes, term: KeyTerm, kind: str) -> KeyRange:
    if term.op == "begins_with":
        if kind == "N":
            raise DynamoValidation(f"{PREFIX}Incorrect operand type for operator or function; operator or "
                                   "function: begins_with, operand type: N")
        prefix = _encoded(term.values[0], kind)
        upper = successor(prefix)
        return KeyRange(pk, prefix, True, upper, False)
    values = [_encoded(v, kind) for v in term.values]
    op = term.op
    if op == "=":
        return KeyRange(pk, values[0], True, values[0], True)
    if op == "BETWEEN":
        return KeyRange(pk, values[0], True, values[1], True)
    if op in ("<", "<="):
        return KeyRange(pk, high=values[0], high_inclusive=op == "<=")
    return KeyRange(pk, low=values[0], low_inclusive=op == ">=")
