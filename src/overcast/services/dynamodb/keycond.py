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
from overcast.services.dynamodb.keys import KeySchema, composite, encode_value, successor
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
        return terms_of(condition.left) + terms_of(condition.right)
    if isinstance(condition, nodes.Or):
        raise DynamoValidation(f"{PREFIX}Invalid operator used in KeyConditionExpression: OR")
    if isinstance(condition, nodes.Not):
        raise DynamoValidation(f"{PREFIX}Invalid operator used in KeyConditionExpression: NOT")
    if isinstance(condition, nodes.In):
        raise DynamoValidation(f"{PREFIX}Invalid operator used in KeyConditionExpression: IN")
    if isinstance(condition, nodes.Compare):
        if condition.op == "<>":
            raise DynamoValidation(f"{PREFIX}Invalid operator used in KeyConditionExpression: <>")
        name, values, first = _operands((condition.left, condition.right))
        op = condition.op if first else _FLIP[condition.op]
        return [KeyTerm(name, op, values)]
    if isinstance(condition, nodes.Between):
        name, values, _ = _operands((condition.subject, condition.low, condition.high))
        return [KeyTerm(name, "BETWEEN", values)]
    if condition.name != "begins_with":
        raise DynamoValidation(f"{PREFIX}Invalid operator used in KeyConditionExpression: {condition.name}")
    name, values, _ = _operands(condition.args)
    return [KeyTerm(name, "begins_with", values)]


def _operands(operands: Any) -> tuple[str, tuple[AttributeValue, ...], bool]:
    """The one key attribute a condition names, its values, and whether the attribute comes first.
    DynamoDB checks operands left to right: a second path is "Multiple attribute names", a nested
    path "conditions on nested attributes", none at all "No key attribute specified"."""
    name: str | None = None
    first = False
    values: list[AttributeValue] = []
    for position, operand in enumerate(operands):
        if isinstance(operand, nodes.Path):
            if name is not None:
                raise DynamoValidation("Invalid condition in KeyConditionExpression: Multiple attribute names used "
                                       "in one condition")
            if len(operand.elements) != 1:
                raise DynamoValidation(f"{PREFIX}KeyConditionExpressions cannot have conditions on nested attributes")
            name, first = str(operand.elements[0]), position == 0
        elif isinstance(operand, nodes.Value):
            values.append(operand.av)
        else:
            raise DynamoValidation(f"{PREFIX}KeyConditionExpressions cannot contain nested operations")
    if name is None:
        raise DynamoValidation("Invalid condition in KeyConditionExpression: No key attribute specified")
    return name, tuple(values), first


def key_range(terms: list[KeyTerm], key: KeySchema) -> KeyRange:
    """The partition and sort range `terms` select in a table or index with schema `key`."""
    if len(terms) > len(key.names):
        raise DynamoValidation("KeyConditionExpressions must only contain one condition per key")
    if key.multi:
        return _multi_range(terms, key)
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
    pk = _encoded(hash_term.values[0], key.hash_type, key.hash_name)
    range_term = by_name.get(key.range_name) if key.range_name else None
    if range_term is None:
        return KeyRange(pk)
    return _sort_range(pk, range_term, key.range_type)  # type: ignore[arg-type]


def _encoded(value: AttributeValue, kind: str, name: str | None = None) -> bytes:
    if kind_of(value) != kind:
        raise invalid("Condition parameter type does not match schema type")
    if name is not None and kind in ("S", "B") and not value[kind]:
        raise DynamoValidation("One or more parameter values are not valid. The AttributeValue for a key attribute "
                               f"cannot contain an empty string value. Key: {name}")
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


def _multi_range(terms: list[KeyTerm], key: KeySchema) -> KeyRange:
    """A multi-attribute index key: equality on every HASH attribute; on the RANGE attributes,
    equalities on a leading run and at most one other condition on the attribute after it."""
    by_name: dict[str, KeyTerm] = {}
    for term in terms:
        if term.name in by_name:
            raise DynamoValidation("KeyConditionExpressions must only contain one condition per key")
        if key.type_of(term.name) is None:
            raise DynamoValidation("Query key condition not supported")
        by_name[term.name] = term
    partition = []
    for name, kind in key.hash_parts:
        equal = by_name.get(name)
        if equal is None:
            raise DynamoValidation(f"Query condition missed key schema element: {name}")
        if equal.op != "=":
            raise DynamoValidation("Query key condition not supported")
        partition.append(_encoded(equal.values[0], kind, name))
    pk = composite(partition)
    prefix: list[bytes] = []
    last: tuple[KeyTerm, str] | None = None
    for name, kind in key.range_parts:
        found = by_name.get(name)
        if found is None:
            break
        if last is not None:
            raise DynamoValidation("Query key condition not supported")
        if found.op == "=":
            prefix.append(_encoded(found.values[0], kind))
        else:
            last = (found, kind)
    if len(prefix) + (last is not None) != len([t for t in by_name if t not in dict(key.hash_parts)]):
        raise DynamoValidation("Query key condition not supported")  # a gap in the RANGE attributes
    return _composite_range(pk, composite(prefix), last)


def _composite_range(pk: bytes, prefix: bytes, last: tuple[KeyTerm, str] | None) -> KeyRange:
    """The sort byte range of equal leading RANGE values (`prefix`) and one more condition."""
    if last is None:
        return KeyRange(pk, prefix, True, successor(prefix), False) if prefix else KeyRange(pk)
    term, kind = last
    if term.op == "begins_with":
        start = prefix + _encoded(term.values[0], kind).replace(b"\x00", b"\x00\x01")
        return KeyRange(pk, start, True, successor(start), False)
    values = [prefix + composite([_encoded(v, kind)])[:-2] for v in term.values]  # the value, escaped
    op = term.op
    upper = successor(prefix) if prefix else None
    if op == "BETWEEN":
        return KeyRange(pk, values[0] + b"\x00\x00", True, values[1] + b"\x00\x01", False)
    if op == "<":
        return KeyRange(pk, prefix or None, True, values[0] + b"\x00\x00", False)
    if op == "<=":
        return KeyRange(pk, prefix or None, True, values[0] + b"\x00\x01", False)
    if op == ">":
        return KeyRange(pk, values[0] + b"\x00\x01", True, upper, False)
    return KeyRange(pk, values[0] + b"\x00\x00", True, upper, False)
