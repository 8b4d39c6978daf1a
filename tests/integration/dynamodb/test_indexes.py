"""Global and local secondary indexes: maintenance with every write, projections, queries, scans."""

from __future__ import annotations

import pytest

from tests.integration.dynamodb.helpers import error_of


def _gsi(name, hash_key, range_key=None, projection=None):
    keys = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        keys.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return {"IndexName": name, "KeySchema": keys, "Projection": projection or {"ProjectionType": "ALL"}}


@pytest.fixture
def orders(ddb, make_table):
    """Orders keyed by customer/order id, indexed by status+date (GSI, INCLUDE total), by sku (GSI,
    KEYS_ONLY) and by date within a customer (LSI, KEYS_ONLY)."""
    name = make_table(
        hash_key=("customer", "S"), range_key=("order", "S"),
        extra_attributes={"state": "S", "date": "S", "sku": "S"},
        GlobalSecondaryIndexes=[
            _gsi("by-state", "state", "date", {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}),
            _gsi("by-sku", "sku", None, {"ProjectionType": "KEYS_ONLY"}),
        ],
        LocalSecondaryIndexes=[_gsi("by-date", "customer", "date", {"ProjectionType": "KEYS_ONLY"})],
    )
    rows = [("c1", "o1", "open", "2024-01-03", "sku-a", 10), ("c1", "o2", "shipped", "2024-01-01", "sku-b", 20),
            ("c2", "o3", "open", "2024-01-02", "sku-a", 30), ("c2", "o4", "open", "2024-01-05", None, 40)]
    for customer, order, state, date, sku, total in rows:
        item = {"customer": {"S": customer}, "order": {"S": order}, "state": {"S": state}, "date": {"S": date},
                "total": {"N": str(total)}, "note": {"S": "n"}}
        if sku:
            item["sku"] = {"S": sku}
        ddb.put_item(TableName=name, Item=item)
    return name


def _query(ddb, table, index, condition, values, **kwargs):
    return ddb.query(TableName=table, IndexName=index, KeyConditionExpression=condition,
                     ExpressionAttributeValues=values, **kwargs)


def test_gsi_query_in_index_order_with_projection(ddb, orders):
    page = _query(ddb, orders, "by-state", "#s = :s", {":s": {"S": "open"}}, ExpressionAttributeNames={"#s": "state"})
    assert [i["order"]["S"] for i in page["Items"]] == ["o3", "o1", "o4"]
    assert set(page["Items"][0]) == {"customer", "order", "state", "date", "total"}
    newest = _query(ddb, orders, "by-state", "#s = :s AND #d > :d", {":s": {"S": "open"}, ":d": {"S": "2024-01-02"}},
                    ExpressionAttributeNames={"#s": "state", "#d": "date"}, ScanIndexForward=False)
    assert [i["order"]["S"] for i in newest["Items"]] == ["o4", "o1"]


def test_gsi_is_maintained_by_updates_and_deletes(ddb, orders):
    key = {"customer": {"S": "c1"}, "order": {"S": "o1"}}
    ddb.update_item(TableName=orders, Key=key, UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "state"},
                    ExpressionAttributeValues={":s": {"S": "shipped"}})
    ddb.delete_item(TableName=orders, Key={"customer": {"S": "c2"}, "order": {"S": "o3"}})
    open_now = _query(ddb, orders, "by-state", "#s = :s", {":s": {"S": "open"}}, ExpressionAttributeNames={"#s": "state"})
    assert [i["order"]["S"] for i in open_now["Items"]] == ["o4"]
    shipped = _query(ddb, orders, "by-state", "#s = :s", {":s": {"S": "shipped"}},
                     ExpressionAttributeNames={"#s": "state"})
    assert [i["order"]["S"] for i in shipped["Items"]] == ["o2", "o1"]


def test_sparse_keys_only_gsi(ddb, orders):
    page = _query(ddb, orders, "by-sku", "sku = :k", {":k": {"S": "sku-a"}})
    assert sorted(i["order"]["S"] for i in page["Items"]) == ["o1", "o3"]
    assert set(page["Items"][0]) == {"customer", "order", "sku"}
    scanned = ddb.scan(TableName=orders, IndexName="by-sku")
    assert scanned["Count"] == 3
    _code, message = error_of(_query, ddb, orders, "by-sku", "sku = :k", {":k": {"S": "sku-a"}}, Select="ALL_ATTRIBUTES")
    assert message == ("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
                       "global secondary index by-sku because its projection type is not ALL")
    assert error_of(_query, ddb, orders, "by-sku", "sku = :k", {":k": {"S": "x"}}, ConsistentRead=True)[1] == \
        "Consistent reads are not supported on global secondary indexes"
    assert error_of(_query, ddb, orders, "nope", "sku = :k", {":k": {"S": "x"}})[1] == \
        "The table does not have the specified index: nope"


def test_lsi_query_reaches_the_whole_item(ddb, orders):
    page = _query(ddb, orders, "by-date", "customer = :c", {":c": {"S": "c1"}})
    assert [i["order"]["S"] for i in page["Items"]] == ["o2", "o1"]
    assert set(page["Items"][0]) == {"customer", "order", "date"}
    full = _query(ddb, orders, "by-date", "customer = :c", {":c": {"S": "c1"}}, Select="ALL_ATTRIBUTES")
    assert full["Items"][0]["note"] == {"S": "n"}
    some = _query(ddb, orders, "by-date", "customer = :c", {":c": {"S": "c1"}}, ProjectionExpression="note, #o",
                  ExpressionAttributeNames={"#o": "order"})
    assert some["Items"][0] == {"note": {"S": "n"}, "order": {"S": "o2"}}


def test_index_pagination_keys_carry_index_and_table_keys(ddb, orders):
    first = _query(ddb, orders, "by-state", "#s = :s", {":s": {"S": "open"}}, ExpressionAttributeNames={"#s": "state"},
                   Limit=2)
    assert set(first["LastEvaluatedKey"]) == {"customer", "order", "state", "date"}
    rest = _query(ddb, orders, "by-state", "#s = :s", {":s": {"S": "open"}}, ExpressionAttributeNames={"#s": "state"},
                  ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [i["order"]["S"] for i in first["Items"] + rest["Items"]] == ["o3", "o1", "o4"]


def test_index_key_type_mismatch_is_refused(ddb, orders):
    _code, message = error_of(ddb.put_item, TableName=orders, Item={
        "customer": {"S": "c9"}, "order": {"S": "o9"}, "sku": {"N": "1"}})
    assert message == ("One or more parameter values were invalid: Type mismatch for Index Key sku Expected: S "
                       "Actual: N IndexName: by-sku")


def test_update_table_adds_and_removes_a_gsi(ddb, orders):
    ddb.update_table(TableName=orders, AttributeDefinitions=[{"AttributeName": "total", "AttributeType": "N"}],
                     GlobalSecondaryIndexUpdates=[{"Create": _gsi("by-total", "state", "total")}])
    table = ddb.describe_table(TableName=orders)["Table"]
    created = next(i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == "by-total")
    assert created["IndexStatus"] == "ACTIVE" and created["ItemCount"] == 4
    big = _query(ddb, orders, "by-total", "#s = :s AND #t >= :t", {":s": {"S": "open"}, ":t": {"N": "30"}},
                 ExpressionAttributeNames={"#s": "state", "#t": "total"})
    assert [i["order"]["S"] for i in big["Items"]] == ["o3", "o4"]
    ddb.update_table(TableName=orders, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-total"}}])
    names = [i["IndexName"] for i in ddb.describe_table(TableName=orders)["Table"]["GlobalSecondaryIndexes"]]
    assert "by-total" not in names
