"""Property: condition expressions evaluate as a straightforward reference evaluator says.

Hypothesis builds a random condition tree and a random item; the tree is rendered as DynamoDB
expression text (parenthesised only where precedence needs it) with placeholders, then parsed,
bound and evaluated by overcast, and evaluated independently here on plain Python values.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from overcast.services.dynamodb.expressions.binder import Binder
from overcast.services.dynamodb.expressions.evaluate import evaluate

# -- values: wire form and the plain Python value the reference works on -----------------------

MISSING = object()


def plain(av: dict[str, Any]) -> Any:
    ((kind, value),) = av.items()
    if kind == "S":
        return ("S", value)
    if kind == "N":
        return ("N", Decimal(value))
    if kind == "B":
        return ("B", base64.b64decode(value))
    if kind == "BOOL":
        return ("BOOL", value)
    if kind == "NULL":
        return ("NULL", None)
    if kind == "SS":
        return ("SS", frozenset(value))
    if kind == "NS":
        return ("NS", frozenset(Decimal(v) for v in value))
    if kind == "L":
        return ("L", tuple(plain(v) for v in value))
    return ("M", tuple(sorted((k, plain(v)) for k, v in value.items())))


scalars = st.one_of(
    st.sampled_from(["a", "b", "ab", "", "ba", "é"]).map(lambda s: {"S": s}),
    st.sampled_from(["-1", "0", "1", "1.5", "10", "2"]).map(lambda n: {"N": n}),
    st.sampled_from([b"", b"\x00", b"\x01", b"\x00\x01"]).map(lambda b: {"B": base64.b64encode(b).decode()}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
)
values = st.one_of(
    scalars,
    st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True).map(lambda v: {"SS": v}),
    st.lists(st.sampled_from(["1", "2", "3"]), min_size=1, max_size=3, unique=True).map(lambda v: {"NS": v}),
    st.lists(scalars, max_size=3).map(lambda v: {"L": v}),
)
NAMES = ["a", "b", "c"]
items = st.dictionaries(st.sampled_from(NAMES), values, max_size=3).map(
    lambda d: {**d, "m": {"M": {"x": {"N": "1"}, "y": {"S": "b"}}}})
paths = st.sampled_from([("a",), ("b",), ("c",), ("m", "x"), ("m", "y"), ("m", "z")])

# -- condition trees ---------------------------------------------------------------------------

COMPARATORS = ["=", "<>", "<", "<=", ">", ">="]
leaves = st.one_of(
    st.tuples(st.just("cmp"), st.sampled_from(COMPARATORS), paths, scalars),
    st.tuples(st.just("cmp_paths"), st.sampled_from(COMPARATORS), paths, paths),
    st.tuples(st.just("between"), paths, scalars, scalars),
    st.tuples(st.just("in"), paths, st.lists(scalars, min_size=1, max_size=3)),
    st.tuples(st.just("exists"), paths),
    st.tuples(st.just("not_exists"), paths),
    st.tuples(st.just("type"), paths, st.sampled_from(["S", "N", "B", "BOOL", "NULL", "SS", "NS", "L", "M"])),
    st.tuples(st.just("begins"), paths, st.sampled_from([{"S": "a"}, {"S": ""}, {"B": "AA=="}])),
    st.tuples(st.just("contains"), paths, scalars),
    st.tuples(st.just("size"), st.sampled_from(COMPARATORS), paths, st.integers(0, 3)),
)
trees = st.recursive(leaves, lambda inner: st.one_of(
    st.tuples(st.just("and"), inner, inner),
    st.tuples(st.just("or"), inner, inner),
    st.tuples(st.just("not"), inner),
), max_leaves=6)

PRECEDENCE = {"or": 1, "and": 2, "not": 3}


class Renderer:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.names: dict[str, str] = {}

    def value(self, av: dict[str, Any]) -> str:
        key = f":v{len(self.values)}"
        self.values[key] = av
        return key

    def path(self, path: tuple[str, ...]) -> str:
        out = []
        for part in path:
            key = f"#{part}"
            self.names[key] = part
            out.append(key)
        return ".".join(out)

    def render(self, node: tuple[Any, ...], parent: int = 0) -> str:
        kind = node[0]
        if kind in PRECEDENCE:
            mine = PRECEDENCE[kind]
            if kind == "not":
                text = f"NOT {self.render(node[1], mine)}"
            else:
                word = " AND " if kind == "and" else " OR "
                text = self.render(node[1], mine) + word + self.render(node[2], mine + 1)
            return f"({text})" if mine < parent else text
        if kind == "cmp":
            return f"{self.path(node[2])} {node[1]} {self.value(node[3])}"
        if kind == "cmp_paths":
            return f"{self.path(node[2])} {node[1]} {self.path(node[3])}"
        if kind == "between":
            return f"{self.path(node[1])} BETWEEN {self.value(node[2])} AND {self.value(node[3])}"
        if kind == "in":
            return f"{self.path(node[1])} IN ({', '.join(self.value(v) for v in node[2])})"
        if kind == "exists":
            return f"attribute_exists({self.path(node[1])})"
        if kind == "not_exists":
            return f"attribute_not_exists({self.path(node[1])})"
        if kind == "type":
            return f"attribute_type({self.path(node[1])}, {self.value({'S': node[2]})})"
        if kind == "begins":
            return f"begins_with({self.path(node[1])}, {self.value(node[2])})"
        if kind == "contains":
            return f"contains({self.path(node[1])}, {self.value(node[2])})"
        return f"size({self.path(node[2])}) {node[1]} {self.value({'N': str(node[3])})}"


# -- the reference evaluator -------------------------------------------------------------------

def lookup(item: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = ("M", tuple(sorted((k, plain(v)) for k, v in item.items())))
    for part in path:
        if value is MISSING or value[0] != "M":
            return MISSING
        value = dict(value[1]).get(part, MISSING)
    return value


def ordered(op: str, a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING or a[0] != b[0] or a[0] not in ("S", "N", "B"):
        return False
    x, y = a[1], b[1]
    if a[0] == "S":
        x, y = x.encode(), y.encode()
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def compare(op: str, a: Any, b: Any) -> bool:
    if op == "=":
        return a is not MISSING and b is not MISSING and a == b
    if op == "<>":
        return not compare("=", a, b)
    return ordered(op, a, b)


def size(value: Any) -> Any:
    if value is MISSING or value[0] in ("N", "BOOL", "NULL"):
        return MISSING
    return ("N", Decimal(len(value[1])))


def reference(node: tuple[Any, ...], item: dict[str, Any]) -> bool:
    kind = node[0]
    if kind == "and":
        return reference(node[1], item) and reference(node[2], item)
    if kind == "or":
        return reference(node[1], item) or reference(node[2], item)
    if kind == "not":
        return not reference(node[1], item)
    if kind == "cmp":
        return compare(node[1], lookup(item, node[2]), plain(node[3]))
    if kind == "cmp_paths":
        return compare(node[1], lookup(item, node[2]), lookup(item, node[3]))
    if kind == "between":
        subject = lookup(item, node[1])
        return ordered(">=", subject, plain(node[2])) and ordered("<=", subject, plain(node[3]))
    if kind == "in":
        subject = lookup(item, node[1])
        return any(compare("=", subject, plain(v)) for v in node[2])
    value: Any = lookup(item, node[1]) if kind != "size" else None
    if kind == "exists":
        return value is not MISSING
    if kind == "not_exists":
        return value is MISSING
    if kind == "type":
        return value is not MISSING and value[0] == node[2]
    if kind == "begins":
        prefix = plain(node[2])
        return value is not MISSING and value[0] == prefix[0] and value[1].startswith(prefix[1])
    if kind == "contains":
        operand = plain(node[2])
        if value is MISSING:
            return False
        if value[0] in ("S", "B"):
            return operand[0] == value[0] and operand[1] in value[1]
        if value[0] in ("SS", "NS"):
            return operand[0] == value[0][0] and operand[1] in value[1]
        if value[0] == "L":
            return operand in value[1]
        return False
    return compare(node[1], size(lookup(item, node[2])), ("N", Decimal(node[3])))


def _bounds_ok(node: tuple[Any, ...]) -> bool:
    """DynamoDB refuses BETWEEN with constant bounds out of order or NULL (checked elsewhere)."""
    if node[0] == "between":
        low, high = plain(node[2]), plain(node[3])
        if "NULL" in (low[0], high[0]):
            return False
        if low[0] == high[0] and low[0] in ("S", "N", "B"):
            a, b = low[1], high[1]
            if low[0] == "S":
                a, b = a.encode(), b.encode()
            return a <= b
        return True
    return all(_bounds_ok(child) for child in node[1:] if isinstance(child, tuple) and child
               and isinstance(child[0], str) and child[0] in (*PRECEDENCE, "between"))


@settings(max_examples=200, deadline=None)
@given(trees, items)
def test_conditions_agree_with_the_reference(tree, item):
    if not _bounds_ok(tree):
        return
    renderer = Renderer()
    text = renderer.render(tree)
    binder = Binder(renderer.names or None, renderer.values or None)
    bound = binder.condition(text)
    binder.check_unused()
    assert evaluate(bound, item) == reference(tree, item), text
