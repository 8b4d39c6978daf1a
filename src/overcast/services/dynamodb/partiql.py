"""PartiQL for DynamoDB, translated onto the expression engine.

DynamoDB's PartiQL subset (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html):

    SELECT * | path[, path...] FROM "table"[."index"] [WHERE condition] [ORDER BY key [ASC|DESC][, ...]]
    INSERT INTO "table" VALUE {'attr': value, ...}
    UPDATE "table" SET path = value[, ...] [REMOVE path[, ...]] WHERE condition
        [RETURNING ALL OLD * | MODIFIED OLD * | ALL NEW * | MODIFIED NEW *]
    DELETE FROM "table" WHERE condition [RETURNING ALL OLD *]

A statement is tokenized, its literals and `?` parameters become `:vN` placeholders (with their
AttributeValues), its attribute names `#nN` placeholders, and its WHERE / SET / projection parts
become the condition, update and projection expressions the rest of DynamoDB already evaluates.
PartiQL spellings map to expression ones: `!=` to `<>`, `IN [a, b]` to `IN (a, b)`, `x IS MISSING`
to `attribute_not_exists(x)`, `x IS NOT MISSING` to `attribute_exists(x)`, `x IS NULL` to
`attribute_type(x, 'NULL')`, `SET x = set_add(x, <<...>>)` to `ADD x :v` and `set_delete` to
`DELETE x :v`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from overcast.services.dynamodb.errors import DynamoValidation
from overcast.services.dynamodb.partiql_text import (
    Cursor,
    Placeholders,
    expression,
    identifier,
    literal,
    malformed,
    table_ref,
    tokenize,
)

# -- statements ----------------------------------------------------------------------------------

@dataclass
class Statement:
    """One parsed statement: what it does, to which table, with which expressions."""

    kind: str  # SELECT, INSERT, UPDATE, DELETE
    table: str
    holders: Placeholders
    index: str | None = None
    projection: str | None = None  # None: every attribute
    where: str | None = None
    update: str | None = None
    item: Any = None
    returning: str | None = None  # UpdateItem's ReturnValues spelling: ALL_OLD, UPDATED_NEW, ...
    order: list[tuple[str, bool]] | None = None  # ORDER BY: (attribute, descending)


def parse(text: str, parameters: list[Any] | None = None) -> Statement:
    """The statement `text` with its `?` parameters bound, or DynamoDB's ValidationException."""
    cursor = Cursor(tokenize(text))
    holders = Placeholders(list(parameters or []))
    head = cursor.next()
    if head.is_word("select"):
        statement = _select(cursor, holders)
    elif head.is_word("insert"):
        statement = _insert(cursor, holders)
    elif head.is_word("update"):
        statement = _update(cursor, holders)
    elif head.is_word("exists"):  # a transaction's condition check: EXISTS(SELECT * FROM t WHERE ...)
        cursor.expect_op("(")
        cursor.expect_word("select")
        inner = _select(cursor, holders, inside=True)
        cursor.expect_op(")")
        statement = Statement("EXISTS", inner.table, holders, where=inner.where)
    elif head.is_word("delete"):
        cursor.expect_word("from")
        table, _index = table_ref(cursor)
        statement = Statement("DELETE", table, holders, where=_where(cursor, holders))
    else:
        raise malformed(f"Unexpected keyword: {head.text}")
    if statement.kind in ("UPDATE", "DELETE"):
        statement.returning = _returning(cursor, statement.kind)
    if not cursor.done():
        raise malformed(f"Unexpected token: {cursor.next().text}")
    holders.check_all_used()
    if statement.kind in ("UPDATE", "DELETE", "EXISTS") and statement.where is None:
        raise DynamoValidation("Where clause does not contain a mandatory equality on all key attributes")
    return statement


_RETURNING = {("all", "old"): "ALL_OLD", ("modified", "old"): "UPDATED_OLD", ("all", "new"): "ALL_NEW",
              ("modified", "new"): "UPDATED_NEW"}


def _returning(cursor: Cursor, kind: str) -> str | None:
    """`RETURNING ALL|MODIFIED OLD|NEW *` (DELETE: `ALL OLD *` only), as UpdateItem's ReturnValues."""
    following = cursor.peek()
    if following is None or not following.is_word("returning"):
        return None
    cursor.next()
    which = (cursor.expect_word("all", "modified").text.lower(), cursor.expect_word("old", "new").text.lower())
    cursor.expect_op("*")
    if kind == "DELETE" and which != ("all", "old"):
        raise malformed("DELETE can only return ALL OLD *")
    return _RETURNING[which]


def _order_by(cursor: Cursor) -> list[tuple[str, bool]] | None:
    """`ORDER BY key [ASC|DESC][, key [ASC|DESC]...]`."""
    following = cursor.peek()
    if following is None or not following.is_word("order"):
        return None
    cursor.next()
    cursor.expect_word("by")
    order: list[tuple[str, bool]] = []
    while True:
        name = identifier(cursor.next())
        direction = cursor.peek()
        descending = direction is not None and direction.is_word("desc")
        if direction is not None and direction.is_word("asc", "desc"):
            cursor.next()
        order.append((name, descending))
        following = cursor.peek()
        if following is None or following.kind != "op" or following.text != ",":
            return order
        cursor.next()


def _where(cursor: Cursor, holders: Placeholders, inside: bool = False) -> str | None:
    following = cursor.peek()
    if following is None or (inside and following.kind == "op" and following.text == ")"):
        return None
    if following.is_word("order", "returning"):
        return None
    cursor.expect_word("where")
    return _parenthesized(cursor, holders) if inside else expression(cursor, holders, stop=("order", "returning"))


def _parenthesized(cursor: Cursor, holders: Placeholders) -> str:
    """The WHERE of `EXISTS(SELECT ... WHERE ...)`: the tokens up to the closing parenthesis."""
    depth, end = 0, cursor.at
    while end < len(cursor.tokens):
        token = cursor.tokens[end]
        if token.kind == "op" and token.text == "(":
            depth += 1
        elif token.kind == "op" and token.text == ")":
            if depth == 0:
                break
            depth -= 1
        end += 1
    inner = Cursor(cursor.tokens[cursor.at:end])
    cursor.at = end
    return expression(inner, holders)


def _select(cursor: Cursor, holders: Placeholders, inside: bool = False) -> Statement:
    projection: str | None = None
    first = cursor.peek()
    if first is not None and first.kind == "op" and first.text == "*":
        cursor.next()
    else:
        projection = expression(cursor, holders, stop=("from",))
    cursor.expect_word("from")
    table, index = table_ref(cursor)
    where = _where(cursor, holders, inside)
    return Statement("SELECT", table, holders, index=index, projection=projection, where=where,
                     order=None if inside else _order_by(cursor))


def _insert(cursor: Cursor, holders: Placeholders) -> Statement:
    cursor.expect_word("into")
    table, _index = table_ref(cursor)
    cursor.expect_word("value")
    item = literal(cursor, holders)
    if "M" not in item:
        raise malformed("INSERT needs a tuple of attributes: VALUE {'attribute': value, ...}")
    return Statement("INSERT", table, holders, item=item["M"])


def _update(cursor: Cursor, holders: Placeholders) -> Statement:
    table, _index = table_ref(cursor)
    sets: list[str] = []
    removes: list[str] = []
    while not cursor.done() and not cursor.peek().is_word("where"):  # type: ignore[union-attr]
        clause = cursor.expect_word("set", "remove")
        text = expression(cursor, holders, stop=("set", "remove", "where"))
        (sets if clause.is_word("set") else removes).append(text)
    if not sets and not removes:
        raise malformed("UPDATE needs a SET or REMOVE clause")
    assignments, adds, deletes = _set_functions([a for clause in sets for a in _top_level(clause)])
    update = " ".join(f"{word} {', '.join(actions)}" for word, actions in (
        ("SET", assignments), ("REMOVE", removes), ("ADD", adds), ("DELETE", deletes)) if actions)
    return Statement("UPDATE", table, holders, update=update, where=_where(cursor, holders))


_SET_FUNCTION = re.compile(r"^(\S+) = (set_add|set_delete) \((\S+), (:v\d+)\)$")


def _top_level(clause: str) -> list[str]:
    """The comma-separated actions of one SET clause (commas inside parentheses stay)."""
    actions, depth, current = [], 0, ""
    for char in clause:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            actions.append(current.strip())
            current = ""
        else:
            current += char
    return [*actions, current.strip()] if current.strip() else actions


def _set_functions(actions: list[str]) -> tuple[list[str], list[str], list[str]]:
    """`x = set_add(x, <<...>>)` is `ADD x :v`, `x = set_delete(x, <<...>>)` is `DELETE x :v`."""
    assignments: list[str] = []
    adds: list[str] = []
    deletes: list[str] = []
    for action in actions:
        found = _SET_FUNCTION.match(action)
        if found is None:
            assignments.append(action)
        elif found.group(1) != found.group(3):
            raise malformed(f"{found.group(2)} must update the set it reads")
        else:
            (adds if found.group(2) == "set_add" else deletes).append(f"{found.group(1)} {found.group(4)}")
    return assignments, adds, deletes
