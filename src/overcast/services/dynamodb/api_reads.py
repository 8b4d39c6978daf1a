"""Query and Scan."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.dynamodb import legacy_params as legacy
from overcast.services.dynamodb.api_base import ApiBase, capacity, read_units
from overcast.services.dynamodb.errors import DynamoValidation, invalid
from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.expressions.evaluate import paths_of
from overcast.services.dynamodb.keycond import KeyTerm, key_range, terms_of
from overcast.services.dynamodb.reads import ReadPlan
from overcast.services.dynamodb.requests import Expressions, read_projection
from overcast.services.dynamodb.tables import IndexDef, TableDef

_LEGACY_KEY_OPS = {"EQ": "=", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">", "BETWEEN": "BETWEEN",
                   "BEGINS_WITH": "begins_with"}


def _legacy_key_terms(key_conditions: dict[str, Any]) -> list[KeyTerm]:
    terms = []
    for name, condition in key_conditions.items():
        operator = condition["ComparisonOperator"]
        if operator not in _LEGACY_KEY_OPS:
            raise DynamoValidation("Attempted conditional constraint is not an indexable operation")
        node = legacy.comparison(name, operator, condition.get("AttributeValueList"))
        values = [a.av for a in (node.args[1:] if isinstance(node, nodes.Function) else
                                 (node.low, node.high) if isinstance(node, nodes.Between) else (node.right,))]
        terms.append(KeyTerm(name, _LEGACY_KEY_OPS[operator], tuple(values)))
    return terms


def _select(select: str | None, projection: Any, index: IndexDef | None, legacy_names: bool) -> str:
    if select is None:
        if projection is not None:
            return "SPECIFIC_ATTRIBUTES"
        return "ALL_PROJECTED_ATTRIBUTES" if index is not None else "ALL_ATTRIBUTES"
    if projection is not None and select != "SPECIFIC_ATTRIBUTES":
        what = "AttributesToGet" if legacy_names else "ProjectionExpression"
        raise DynamoValidation(f"Cannot specify the {what} when choosing to get {select}")
    if select == "SPECIFIC_ATTRIBUTES" and projection is None:
        raise DynamoValidation("Select type SPECIFIC_ATTRIBUTES requires AttributesToGet or ProjectionExpression")
    if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
        raise DynamoValidation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    if select == "ALL_ATTRIBUTES" and index is not None and index.kind == "GSI" and index.projection_type != "ALL":
        raise invalid(f"Select type ALL_ATTRIBUTES is not supported for global secondary index {index.name} "
                      "because its projection type is not ALL")
    return select


def _index(table: TableDef, index_name: str | None, consistent_read: bool | None) -> IndexDef | None:
    if index_name is None:
        return None
    index = table.index(index_name)
    if index is None:
        raise DynamoValidation(f"The table does not have the specified index: {index_name}")
    if consistent_read and index.kind == "GSI":
        raise DynamoValidation("Consistent reads are not supported on global secondary indexes")
    return index


def _finish(out: dict[str, Any], table: TableDef, consumed: str | None, consistent: bool | None,
            index: IndexDef | None = None) -> dict[str, Any]:
    size = out.pop("_bytes", 0)
    used = capacity(table.name, read_units(size, consistent), consumed, read=True,
                    index=(index.name, index.kind) if index is not None else None)
    if used is not None:
        out["ConsumedCapacity"] = used
    return out


class ReadOperations(ApiBase):
    def query(self, ctx: RequestContext, table_name: str, index_name: str | None = None, select: str | None = None,
              attributes_to_get: list[str] | None = None, limit: int | None = None,
              consistent_read: bool | None = None, key_conditions: Any = None, query_filter: Any = None,
              conditional_operator: str | None = None, scan_index_forward: bool | None = None,
              exclusive_start_key: Any = None, return_consumed_capacity: str | None = None,
              projection_expression: str | None = None, filter_expression: str | None = None,
              key_condition_expression: str | None = None,
              expression_attribute_names: dict[str, str] | None = None,
              expression_attribute_values: Any = None) -> dict[str, Any]:
        expressions = Expressions(
            expression_attribute_names, expression_attribute_values,
            {"KeyConditionExpression": key_condition_expression, "FilterExpression": filter_expression,
             "ProjectionExpression": projection_expression},
            {"KeyConditions": key_conditions, "QueryFilter": query_filter, "AttributesToGet": attributes_to_get})
        if key_condition_expression is not None:
            terms = terms_of(expressions.condition(key_condition_expression, "KeyConditionExpression"))
        elif key_conditions:
            terms = _legacy_key_terms(key_conditions)
        else:
            raise DynamoValidation("Either the KeyConditions or KeyConditionExpression parameter must be "
                                   "specified in the request.")
        filter_node = expressions.condition(filter_expression, "FilterExpression") if filter_expression is not None \
            else legacy.conditions(query_filter, conditional_operator)
        projection = read_projection(expressions, projection_expression, attributes_to_get)
        expressions.done()
        table = self._table(ctx, table_name)
        index = _index(table, index_name, consistent_read)
        key = index.key if index is not None else table.key
        for path in paths_of(filter_node):
            if path.elements[0] in key.names:
                raise DynamoValidation("Filter Expression can only contain non-primary key attributes: "
                                       f"Primary key attribute: {path.elements[0]}")
        plan = ReadPlan(table, index, filter_node, projection,
                        _select(select, projection, index, attributes_to_get is not None), limit)
        out = self.reader.query(plan, key_range(terms, key), scan_index_forward is not False, exclusive_start_key)
        return _finish(out, table, return_consumed_capacity, consistent_read, index)

    def scan(self, ctx: RequestContext, table_name: str, index_name: str | None = None,
             attributes_to_get: list[str] | None = None, limit: int | None = None, select: str | None = None,
             scan_filter: Any = None, conditional_operator: str | None = None, exclusive_start_key: Any = None,
             return_consumed_capacity: str | None = None, total_segments: int | None = None,
             segment: int | None = None, projection_expression: str | None = None,
             filter_expression: str | None = None, expression_attribute_names: dict[str, str] | None = None,
             expression_attribute_values: Any = None, consistent_read: bool | None = None) -> dict[str, Any]:
        expressions = Expressions(
            expression_attribute_names, expression_attribute_values,
            {"FilterExpression": filter_expression, "ProjectionExpression": projection_expression},
            {"ScanFilter": scan_filter, "AttributesToGet": attributes_to_get})
        filter_node = expressions.condition(filter_expression, "FilterExpression") if filter_expression is not None \
            else legacy.conditions(scan_filter, conditional_operator)
        projection = read_projection(expressions, projection_expression, attributes_to_get)
        expressions.done()
        parallel = _segment(segment, total_segments)
        table = self._table(ctx, table_name)
        index = _index(table, index_name, consistent_read)
        plan = ReadPlan(table, index, filter_node, projection,
                        _select(select, projection, index, attributes_to_get is not None), limit)
        out = self.reader.scan(plan, parallel, exclusive_start_key)
        return _finish(out, table, return_consumed_capacity, consistent_read, index)


def _segment(segment: int | None, total: int | None) -> tuple[int, int] | None:
    if segment is None and total is None:
        return None
    if total is None:
        raise DynamoValidation("The TotalSegments parameter is required but was not present in the request when "
                               "Segment parameter is present")
    if segment is None:
        raise DynamoValidation("The Segment parameter is required but was not present in the request when "
                               "parameter TotalSegments is present")
    if segment >= total:
        raise DynamoValidation("The Segment parameter is zero-based and must be less than parameter "
                               f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}")
    return segment, total
