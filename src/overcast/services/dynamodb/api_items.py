"""PutItem, GetItem, UpdateItem, DeleteItem."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.protocol.base import Trusted
from overcast.services.dynamodb import legacy_params as legacy
from overcast.services.dynamodb import writes
from overcast.services.dynamodb.api_base import ApiBase, capacity, read_units, write_units
from overcast.services.dynamodb.errors import DynamoValidation, enveloped
from overcast.services.dynamodb.expressions.projection import project
from overcast.services.dynamodb.items import checked_size
from overcast.services.dynamodb.requests import Expressions, read_projection, write_condition
from overcast.services.dynamodb.types import check_item, item_size


def _check_return_values(value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise DynamoValidation(f"ReturnValues can only be {' or '.join(allowed)}")


def _result(change: writes.Change, return_values: str | None, consumed: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    attributes = change.returned(return_values)
    if attributes is not None:
        out["Attributes"] = Trusted(attributes)
    size = max(change.size or 0, change.old_size)
    used = capacity(change.table.name, write_units(size), consumed)
    if used is not None:
        out["ConsumedCapacity"] = used
    return out


class ItemOperations(ApiBase):
    def put_item(self, ctx: RequestContext, table_name: str, item: Any, expected: Any = None,
                 return_values: str | None = None, return_consumed_capacity: str | None = None,
                 conditional_operator: str | None = None, condition_expression: str | None = None,
                 expression_attribute_names: dict[str, str] | None = None,
                 expression_attribute_values: Any = None,
                 return_values_on_condition_check_failure: str | None = None, **_: Any) -> dict[str, Any]:
        _check_return_values(return_values, ("ALL_OLD", "NONE"))
        with enveloped():
            expressions = Expressions(expression_attribute_names, expression_attribute_values,
                                      {"ConditionExpression": condition_expression}, {"Expected": expected})
            condition = write_condition(expressions, condition_expression, expected, conditional_operator)
            expressions.done()
            item = check_item(item)
        table = self._table(ctx, table_name)
        key = table.key.key_of_item(item)
        size = checked_size(item)
        with self.db.tx():
            change = writes.plan_put(self.store, table, key, item, size, condition,
                                     return_values_on_condition_check_failure)
            change.commit(self.store)
        return _result(change, return_values, return_consumed_capacity)

    def get_item(self, ctx: RequestContext, table_name: str, key: Any, attributes_to_get: list[str] | None = None,
                 consistent_read: bool | None = None, return_consumed_capacity: str | None = None,
                 projection_expression: str | None = None,
                 expression_attribute_names: dict[str, str] | None = None) -> dict[str, Any]:
        expressions = Expressions(expression_attribute_names, None, {"ProjectionExpression": projection_expression},
                                  {"AttributesToGet": attributes_to_get})
        paths = read_projection(expressions, projection_expression, attributes_to_get)
        expressions.done()
        table = self._table(ctx, table_name)
        item = self.store.get(table, table.key.key_of_request(key))
        out: dict[str, Any] = {}
        if item is not None:
            out["Item"] = Trusted(project(item, paths) if paths is not None else item)
        used = capacity(table.name, read_units(item_size(item) if item else 0, consistent_read),
                        return_consumed_capacity, read=True)
        if used is not None:
            out["ConsumedCapacity"] = used
        return out

    def delete_item(self, ctx: RequestContext, table_name: str, key: Any, expected: Any = None,
                    conditional_operator: str | None = None, return_values: str | None = None,
                    return_consumed_capacity: str | None = None, condition_expression: str | None = None,
                    expression_attribute_names: dict[str, str] | None = None,
                    expression_attribute_values: Any = None,
                    return_values_on_condition_check_failure: str | None = None, **_: Any) -> dict[str, Any]:
        _check_return_values(return_values, ("ALL_OLD", "NONE"))
        with enveloped():
            expressions = Expressions(expression_attribute_names, expression_attribute_values,
                                      {"ConditionExpression": condition_expression}, {"Expected": expected})
            condition = write_condition(expressions, condition_expression, expected, conditional_operator)
            expressions.done()
        table = self._table(ctx, table_name)
        stored_key = table.key.key_of_request(key)
        with self.db.tx():
            change = writes.plan_delete(self.store, table, stored_key, condition,
                                        return_values_on_condition_check_failure)
            change.commit(self.store)
        return _result(change, return_values, return_consumed_capacity)

    def update_item(self, ctx: RequestContext, table_name: str, key: Any, attribute_updates: Any = None,
                    expected: Any = None, conditional_operator: str | None = None,
                    return_values: str | None = None, return_consumed_capacity: str | None = None,
                    update_expression: str | None = None, condition_expression: str | None = None,
                    expression_attribute_names: dict[str, str] | None = None,
                    expression_attribute_values: Any = None,
                    return_values_on_condition_check_failure: str | None = None, **_: Any) -> dict[str, Any]:
        with enveloped():
            expressions = Expressions(
                expression_attribute_names, expression_attribute_values,
                {"UpdateExpression": update_expression, "ConditionExpression": condition_expression},
                {"AttributeUpdates": attribute_updates, "Expected": expected})
            update = expressions.update(update_expression) if update_expression is not None else \
                legacy.attribute_updates(attribute_updates)
            condition = write_condition(expressions, condition_expression, expected, conditional_operator)
            expressions.done()
        table = self._table(ctx, table_name)
        stored_key = table.key.key_of_request(key)
        key_item = check_item(key)
        writes.check_update_keys(table, update)
        with self.db.tx():
            change = writes.plan_update(self.store, table, stored_key, key_item, update, condition,
                                        return_values_on_condition_check_failure)
            change.commit(self.store)
        return _result(change, return_values, return_consumed_capacity)
