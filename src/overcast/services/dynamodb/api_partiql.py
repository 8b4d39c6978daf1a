"""ExecuteStatement, BatchExecuteStatement and ExecuteTransaction: DynamoDB's PartiQL, translated
by partiql.py onto the expressions, reads and write plans the other operations use.

A SELECT whose WHERE holds an equality on the partition key (at its top level, ANDed) reads that
partition as a Query; any other SELECT is a Scan with the WHERE as its filter. UPDATE and DELETE
need equalities on every key attribute and act on that one item, with the whole WHERE as their
condition (so an UPDATE of a missing item is a ConditionalCheckFailedException); INSERT refuses a
key already there (DuplicateItemException).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from overcast.context import RequestContext
from overcast.protocol.base import Trusted
from overcast.services.dynamodb import partiql, writes
from overcast.services.dynamodb.api_base import ApiBase, capacity, read_units
from overcast.services.dynamodb.errors import (
    ConditionalCheckFailed,
    DuplicateItem,
    DynamoValidation,
    ResourceNotFound,
    TransactionCanceled,
)
from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.expressions.binder import Binder
from overcast.services.dynamodb.expressions.evaluate import evaluate
from overcast.services.dynamodb.expressions.projection import project
from overcast.services.dynamodb.items import checked_size
from overcast.services.dynamodb.keycond import KeyRange
from overcast.services.dynamodb.keys import KeySchema, encode_value
from overcast.services.dynamodb.reads import ReadPlan
from overcast.services.dynamodb.tables import TableDef
from overcast.services.dynamodb.types import check_item, kind_of

NOT_ALL_KEYS = "Where clause does not contain a mandatory equality on all key attributes"
MAX_BATCH = 25
#: BatchStatementError codes
BATCH_CODES = {"ValidationException": "ValidationError", "ConditionalCheckFailedException": "ConditionalCheckFailed",
               "DuplicateItemException": "DuplicateItem", "ResourceNotFoundException": "ResourceNotFound"}
MAX_TRANSACTION = 100


def _equalities(node: Any) -> dict[str, Any]:
    """`name = value` terms of a condition's top-level AND chain."""
    if isinstance(node, nodes.And):
        return {**_equalities(node.left), **_equalities(node.right)}
    if isinstance(node, nodes.Compare) and node.op == "=":
        left, right = node.left, node.right
        if isinstance(right, nodes.Path) and isinstance(left, nodes.Value):
            left, right = right, left
        if isinstance(left, nodes.Path) and len(left.elements) == 1 and isinstance(right, nodes.Value):
            return {str(left.elements[0]): right.av}
    return {}


def _where(binder: Binder, text: str | None) -> Any:
    """The bound WHERE condition; an expression DynamoDB refuses is a statement it cannot process."""
    if not text:
        return None
    try:
        return binder.condition(text, "Where")
    except DynamoValidation as error:
        raise partiql.malformed(error.message.removeprefix("Invalid Where: ")) from None


def _forward(statement: partiql.Statement, key: KeySchema, one_partition: bool) -> bool:
    """The read direction ORDER BY asks for. AWS: ORDER BY needs a WHERE clause, names only key
    attributes (of the table or of the index read), and the sort key's direction is the order of the
    items of the one partition the WHERE selects."""
    if not statement.order:
        return True
    if statement.where is None:
        raise DynamoValidation("Must have WHERE clause in the statement when using ORDER BY clause.")
    for name, _descending in statement.order:
        if name not in key.names:
            raise DynamoValidation(f"Variable reference [{name}] in ORDER BY clause must be a part of the primary key")
    if not one_partition:
        raise DynamoValidation("ORDER BY needs an equality on the partition key in the WHERE clause")
    return not any(descending for name, descending in statement.order if name == key.range_name)


def _token(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _untoken(token: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise DynamoValidation("Invalid NextToken") from None


class PartiqlOperations(ApiBase):
    def execute_statement(self, ctx: RequestContext, statement: str, parameters: list[Any] | None = None,
                          consistent_read: bool | None = None, next_token: str | None = None,
                          return_consumed_capacity: str | None = None, limit: int | None = None,
                          return_values_on_condition_check_failure: str | None = None) -> dict[str, Any]:
        parsed = partiql.parse(statement, parameters)
        if parsed.kind == "EXISTS":
            raise DynamoValidation("EXISTS can only be used in a transaction (ExecuteTransaction)")
        table = self._table(ctx, parsed.table)
        if parsed.kind == "SELECT":
            return self._select(table, parsed, limit, next_token, consistent_read, return_consumed_capacity)
        with self.db.tx():
            change = self._plan_statement(table, parsed, return_values_on_condition_check_failure)
            change.commit(self.store)
        returned = change.returned(parsed.returning)  # RETURNING: the item as UpdateItem's ReturnValues
        return {"Items": Trusted([returned] if returned else [])}

    def batch_execute_statement(self, ctx: RequestContext, statements: list[dict[str, Any]],
                                return_consumed_capacity: str | None = None) -> dict[str, Any]:
        if len(statements) > MAX_BATCH:
            raise DynamoValidation("Member must have length less than or equal to 25")
        responses = []
        for request in statements:
            try:
                responses.append(self._one(ctx, request))
            except (DynamoValidation, ConditionalCheckFailed, DuplicateItem, ResourceNotFound) as error:
                responses.append({"Error": {"Code": BATCH_CODES[error.code], "Message": error.message}})
        return {"Responses": Trusted(responses)}

    def execute_transaction(self, ctx: RequestContext, transact_statements: list[dict[str, Any]],
                            client_request_token: str | None = None,
                            return_consumed_capacity: str | None = None) -> dict[str, Any]:
        if len(transact_statements) > MAX_TRANSACTION:
            raise DynamoValidation("Member must have length less than or equal to 100")
        parsed = [(partiql.parse(s["Statement"], s.get("Parameters")), s) for s in transact_statements]
        kinds = {p.kind == "SELECT" for p, _ in parsed}
        if len(kinds) > 1:
            raise DynamoValidation("Transaction must contain only read or only write statements")
        tables = [self._table(ctx, p.table) for p, _ in parsed]
        if kinds == {True}:
            return {"Responses": Trusted([self._get(t, p) for (p, _), t in zip(parsed, tables, strict=True)])}
        with self.db.tx():
            changes, reasons = [], []
            for (statement, request), table in zip(parsed, tables, strict=True):
                try:
                    changes.append(self._plan_statement(table, statement, request.get("ReturnValuesOnConditionCheckFailure")))
                    reasons.append({"Code": "None"})
                except ConditionalCheckFailed as failed:
                    reasons.append({"Code": "ConditionalCheckFailed", "Message": failed.message, **failed.fields})
                except DuplicateItem as duplicate:
                    reasons.append({"Code": "DuplicateItem", "Message": duplicate.message})
                except DynamoValidation as error:
                    reasons.append({"Code": "ValidationError", "Message": error.message})
            if len(changes) != len(parsed):
                raise TransactionCanceled(reasons)
            for change in changes:
                change.commit(self.store)
        return {}

    # -- pieces ---------------------------------------------------------------------------------

    def _one(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        parsed = partiql.parse(request["Statement"], request.get("Parameters"))
        table = self._table(ctx, parsed.table)
        if parsed.kind == "SELECT":
            return {"TableName": table.name, **self._get(table, parsed)}
        with self.db.tx():
            change = self._plan_statement(table, parsed, request.get("ReturnValuesOnConditionCheckFailure"))
            change.commit(self.store)
        returned = change.returned(parsed.returning)
        return {"TableName": table.name, **({"Item": Trusted(returned)} if returned else {})}

    def _get(self, table: TableDef, statement: partiql.Statement) -> dict[str, Any]:
        """A SELECT of one item by its full key (batches and transactions read single items)."""
        binder = Binder(statement.holders.names or None, statement.holders.values or None)
        where = _where(binder, statement.where)
        key = self._key_item(table.key, where)
        item = self.store.get(table, table.key.key_of_request(key))
        if item is None or (where is not None and not evaluate(where, item)):
            return {}
        paths = binder.projection(statement.projection) if statement.projection else None
        return {"Item": project(item, paths) if paths is not None else item}

    @staticmethod
    def _key_item(key: KeySchema, where: Any) -> dict[str, Any]:
        found = _equalities(where) if where is not None else {}
        if any(name not in found for name in key.names):
            raise DynamoValidation(NOT_ALL_KEYS)
        return {name: found[name] for name in key.names}

    def _plan_statement(self, table: TableDef, statement: partiql.Statement, on_failure: str | None) -> writes.Change:
        binder = Binder(statement.holders.names or None, statement.holders.values or None)
        if statement.kind == "INSERT":
            item = check_item(statement.item)
            key = table.key.key_of_item(item)
            if self.store.get(table, key) is not None:
                raise DuplicateItem("Duplicate primary key exists in table")
            return writes.plan_put(self.store, table, key, item, checked_size(item), None)
        where = _where(binder, statement.where or "")
        key_item = self._key_item(table.key, where)
        stored = table.key.key_of_request(key_item)
        if statement.kind == "EXISTS":  # a condition check: the item must be there and match
            return writes.plan_check(self.store, table, stored, where, on_failure)
        if statement.kind == "DELETE":
            return writes.plan_delete(self.store, table, stored, where, on_failure)
        update = binder.update(statement.update or "")
        writes.check_update_keys(table, update)
        return writes.plan_update(self.store, table, stored, check_item(key_item), update, where, on_failure)

    def _select(self, table: TableDef, statement: partiql.Statement, limit: int | None, next_token: str | None,
                consistent_read: bool | None, consumed: str | None) -> dict[str, Any]:
        binder = Binder(statement.holders.names or None, statement.holders.values or None)
        where = _where(binder, statement.where)
        paths = binder.projection(statement.projection) if statement.projection else None
        index = None
        if statement.index is not None:
            index = table.index(statement.index)
            if index is None:
                raise DynamoValidation(f"The table does not have the specified index: {statement.index}")
        plan = ReadPlan(table, index, where, paths, "SPECIFIC_ATTRIBUTES" if paths else "ALL_ATTRIBUTES", limit)
        start = _untoken(next_token) if next_token else None
        key = index.key if index is not None else table.key
        partition = (_equalities(where) if where is not None else {}).get(key.hash_name)
        forward = _forward(statement, key, where is not None and partition is not None)
        if partition is not None and kind_of(partition) == key.hash_type:
            pk = encode_value(key.hash_type, partition[key.hash_type])
            out = self.reader.query(plan, KeyRange(pk), forward, start)
        else:
            out = self.reader.scan(plan, None, start)
        size = out.pop("_bytes", 0)
        result: dict[str, Any] = {"Items": out.get("Items", Trusted([]))}
        last = out.get("LastEvaluatedKey")
        if last is not None:
            result["NextToken"] = _token(last.value)
        used = capacity(table.name, read_units(size, consistent_read), consumed, read=True)
        if used is not None:
            result["ConsumedCapacity"] = used
        return result
