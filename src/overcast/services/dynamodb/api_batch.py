"""BatchGetItem, BatchWriteItem, TransactGetItems, TransactWriteItems.

A batch write commits in one SQLite transaction (nothing is ever left unprocessed). A transaction
plans every action first — reading items, checking conditions — and writes only when all succeed;
otherwise TransactionCanceledException lists a reason per action. A ClientRequestToken makes
TransactWriteItems idempotent for 10 minutes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from overcast.context import RequestContext
from overcast.protocol.base import Trusted
from overcast.services.dynamodb import writes
from overcast.services.dynamodb.api_base import ApiBase, capacities, read_units, write_units
from overcast.services.dynamodb.errors import (
    ConditionalCheckFailed,
    DynamoValidation,
    IdempotentParameterMismatch,
    TransactionCanceled,
)
from overcast.services.dynamodb.expressions.projection import project
from overcast.services.dynamodb.items import checked_size
from overcast.services.dynamodb.keys import KEY_MISMATCH
from overcast.services.dynamodb.requests import Expressions, read_projection, write_condition
from overcast.services.dynamodb.types import check_item, item_size

MAX_BATCH_GET = 100
MAX_BATCH_WRITE = 25
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
TOKEN_LIFETIME = 600.0
DUPLICATES = "Provided list of item keys contains duplicates"


def _batch_key(table: Any, item: dict[str, Any]) -> Any:
    """BatchWriteItem words a put's missing or mistyped key attribute as a key that does not match."""
    try:
        return table.key.key_of_item(item)
    except DynamoValidation as err:
        if "Missing the key" in err.message or "Type mismatch for key" in err.message:
            raise DynamoValidation(KEY_MISMATCH) from None
        raise


class BatchOperations(ApiBase):
    def batch_get_item(self, ctx: RequestContext, request_items: dict[str, Any],
                       return_consumed_capacity: str | None = None) -> dict[str, Any]:
        if sum(len(r.get("Keys") or []) for r in request_items.values()) > MAX_BATCH_GET:
            raise DynamoValidation("Too many items requested for the BatchGetItem call")
        plans = []
        for name, spec in request_items.items():
            expressions = Expressions(spec.get("ExpressionAttributeNames"), None,
                                      {"ProjectionExpression": spec.get("ProjectionExpression")},
                                      {"AttributesToGet": spec.get("AttributesToGet")})
            paths = read_projection(expressions, spec.get("ProjectionExpression"), spec.get("AttributesToGet"))
            expressions.done()
            table = self._table(ctx, name)
            keys = [table.key.key_of_request(k) for k in spec["Keys"]]
            if len(set(keys)) != len(keys):
                raise DynamoValidation(DUPLICATES)
            plans.append((name, table, spec, keys, paths))
        responses: dict[str, list[Any]] = {}
        unprocessed: dict[str, Any] = {}
        units: dict[str, float] = {}
        total = 0
        for name, table, spec, keys, paths in plans:
            found = responses.setdefault(name, [])
            units.setdefault(table.name, 0.0)
            for position, key in enumerate(keys):
                if total >= MAX_RESPONSE_BYTES:
                    rest = {k: v for k, v in spec.items() if k != "Keys"}
                    unprocessed[name] = {**rest, "Keys": spec["Keys"][position:]}
                    break
                item = self.store.get(table, key)
                size = item_size(item) if item is not None else 0
                units[table.name] += read_units(size, spec.get("ConsistentRead"))
                if item is not None:
                    total += size
                    found.append(project(item, paths) if paths is not None else item)
        out: dict[str, Any] = {"Responses": Trusted(responses), "UnprocessedKeys": Trusted(unprocessed)}
        used = capacities(units, return_consumed_capacity, read=True)
        if used is not None:
            out["ConsumedCapacity"] = used
        return out

    def batch_write_item(self, ctx: RequestContext, request_items: dict[str, Any],
                         return_consumed_capacity: str | None = None,
                         return_item_collection_metrics: str | None = None) -> dict[str, Any]:
        if sum(len(r) for r in request_items.values()) > MAX_BATCH_WRITE:
            raise DynamoValidation("Too many items requested for the BatchWriteItem call")
        planned: list[tuple[Any, Any, dict[str, Any] | None, int | None]] = []
        for name, requests in request_items.items():
            table = self._table(ctx, name)
            seen = set()
            for request in requests:
                put, delete = request.get("PutRequest"), request.get("DeleteRequest")
                if (put is None) == (delete is None):
                    raise DynamoValidation("Supplied AttributeValue has more than one datatypes set, must contain "
                                           "exactly one of the supported datatypes")
                if put is not None:
                    item = check_item(put["Item"])
                    key = _batch_key(table, item)
                    planned.append((table, key, item, checked_size(item)))
                else:
                    key = table.key.key_of_request(delete["Key"])
                    planned.append((table, key, None, None))
                if key in seen:
                    raise DynamoValidation(DUPLICATES)
                seen.add(key)
        units: dict[str, float] = {}
        with self.db.tx():
            for table, key, new, size in planned:
                old, old_size = self.store.get_sized(table, key)
                self.store.write(table, key, old, new, size=size, old_size=old_size)
                units[table.name] = units.get(table.name, 0.0) + write_units(max(size or 0, old_size))
        out: dict[str, Any] = {"UnprocessedItems": {}}
        used = capacities(units, return_consumed_capacity)
        if used is not None:
            out["ConsumedCapacity"] = used
        return out

    def transact_get_items(self, ctx: RequestContext, transact_items: list[dict[str, Any]],
                           return_consumed_capacity: str | None = None) -> dict[str, Any]:
        reads = []
        for entry in transact_items:
            get = entry["Get"]
            expressions = Expressions(get.get("ExpressionAttributeNames"), None,
                                      {"ProjectionExpression": get.get("ProjectionExpression")})
            paths = expressions.projection(get.get("ProjectionExpression"))
            expressions.done()
            table = self._table(ctx, get["TableName"])
            reads.append((table, table.key.key_of_request(get["Key"]), paths))
        if len({(t.id, k) for t, k, _ in reads}) != len(reads):
            raise DynamoValidation("Transaction request cannot include multiple operations on one item")
        responses = []
        units: dict[str, float] = {}
        for table, key, paths in reads:
            item = self.store.get(table, key)
            # a transactional read costs two strongly consistent reads
            units[table.name] = units.get(table.name, 0.0) + 2 * read_units(item_size(item) if item else 0, True)
            responses.append({} if item is None else {"Item": project(item, paths) if paths is not None else item})
        out: dict[str, Any] = {"Responses": Trusted(responses)}
        used = capacities(units, return_consumed_capacity, read=True)
        if used is not None:
            out["ConsumedCapacity"] = used
        return out

    def transact_write_items(self, ctx: RequestContext, transact_items: list[dict[str, Any]],
                             return_consumed_capacity: str | None = None,
                             return_item_collection_metrics: str | None = None,
                             client_request_token: str | None = None) -> dict[str, Any]:
        actions = [self._transact_action(ctx, entry) for entry in transact_items]
        if len({(a[1].id, a[2]) for a in actions}) != len(actions):
            raise DynamoValidation("Transaction request cannot include multiple operations on one item")
        with self.db.tx():
            if client_request_token is not None and self._replayed(ctx, client_request_token, transact_items):
                return {}
            changes, reasons = [], []
            for action in actions:
                try:
                    changes.append(self._plan(action))
                    reasons.append({"Code": "None"})
                except ConditionalCheckFailed as failed:
                    reasons.append({"Code": "ConditionalCheckFailed", "Message": failed.message, **failed.fields})
                except DynamoValidation as error:
                    reasons.append({"Code": "ValidationError", "Message": error.message})
            if len(changes) != len(actions):
                raise TransactionCanceled(reasons)
            units: dict[str, float] = {}
            for change in changes:
                change.commit(self.store)
                # a transactional write costs two writes
                size = max(change.size or 0, change.old_size)
                units[change.table.name] = units.get(change.table.name, 0.0) + 2 * write_units(size)
        used = capacities(units, return_consumed_capacity)
        return {} if used is None else {"ConsumedCapacity": used}

    # -- transactions' pieces ----------------------------------------------------------------

    def _transact_action(self, ctx: RequestContext, entry: dict[str, Any]) -> tuple[Any, ...]:
        kinds = [k for k in ("ConditionCheck", "Put", "Delete", "Update") if entry.get(k) is not None]
        if len(kinds) != 1:
            raise DynamoValidation("TransactItems can only contain one of Check, Put, Update or Delete")
        kind = kinds[0]
        spec = entry[kind]
        expression = {"ConditionExpression": spec.get("ConditionExpression")}
        if kind == "Update":
            expression = {"UpdateExpression": spec.get("UpdateExpression"), **expression}
        expressions = Expressions(spec.get("ExpressionAttributeNames"), spec.get("ExpressionAttributeValues"),
                                  expression)
        condition = write_condition(expressions, spec.get("ConditionExpression"), None, None)
        update = expressions.update(spec.get("UpdateExpression")) if kind == "Update" else None
        expressions.done()
        if kind == "ConditionCheck" and condition is None:
            raise DynamoValidation("The ConditionExpression parameter must be specified for ConditionCheck")
        table = self._table(ctx, spec["TableName"])
        on_failure = spec.get("ReturnValuesOnConditionCheckFailure")
        if kind == "Put":
            item = check_item(spec["Item"])
            return kind, table, table.key.key_of_item(item), condition, on_failure, item, checked_size(item)
        writes.check_update_keys(table, update)
        key = table.key.key_of_request(spec["Key"])
        return kind, table, key, condition, on_failure, update, check_item(spec["Key"])

    def _plan(self, action: tuple[Any, ...]) -> writes.Change:
        kind, table, key, condition, on_failure, payload, extra = action
        if kind == "Put":
            return writes.plan_put(self.store, table, key, payload, extra, condition, on_failure)
        if kind == "Delete":
            return writes.plan_delete(self.store, table, key, condition, on_failure)
        if kind == "Update":
            return writes.plan_update(self.store, table, key, extra, payload, condition, on_failure)
        return writes.plan_check(self.store, table, key, condition, on_failure)

    def _replayed(self, ctx: RequestContext, token: str, items: list[dict[str, Any]]) -> bool:
        """True when this token already committed these very actions (answer success, do nothing)."""
        digest = hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()
        now = self.clock.now()
        self.db.execute("DELETE FROM ddb_client_tokens WHERE created_at < ?", (now - self.clock.scaled(TOKEN_LIFETIME),))
        row = self.db.query_one("SELECT digest FROM ddb_client_tokens WHERE account=? AND region=? AND token=?",
                                (ctx.account, ctx.region, token))
        if row is not None:
            if row["digest"] != digest:
                raise IdempotentParameterMismatch("The request uses the same client token as a previous, but "
                                                  "non-identical request.")
            return True
        self.db.execute("INSERT INTO ddb_client_tokens(account, region, token, digest, created_at) VALUES (?, ?, ?, ?, ?)",
                        (ctx.account, ctx.region, token, digest, now))
        return False

