"""Global secondary indexes with multi-attribute keys (up to 4 HASH and 4 RANGE attributes): items
are indexed only with every key attribute, and a Query needs every HASH attribute and a leading run
of RANGE attributes, the last of which may be a range condition."""

from __future__ import annotations

import pytest

from tests.integration.dynamodb.helpers import error_of


@pytest.fixture
def table(ddb, make_table):
    name = make_table(range_key=None, extra_attributes={"tenant": "S", "region": "S", "year": "N", "month": "N"},
                      GlobalSecondaryIndexes=[{
                          "IndexName": "by-tenant-region",
                          "KeySchema": [{"AttributeName": "tenant", "KeyType": "HASH"},
                                        {"AttributeName": "region", "KeyType": "HASH"},
                                        {"AttributeName": "year", "KeyType": "RANGE"},
                                        {"AttributeName": "month", "KeyType": "RANGE"}],
                          "Projection": {"ProjectionType": "ALL"}}])
    rows = [("1", "t", "eu", 2024, 12), ("2", "t", "eu", 2025, 1), ("3", "t", "eu", 2025, 3), ("4", "t", "eu", 2025, 11),
            ("5", "t", "us", 2025, 2), ("6", "u", "eu", 2025, 2)]
    for pk, tenant, region, year, month in rows:
        ddb.put_item(TableName=name, Item={"pk": {"S": pk}, "tenant": {"S": tenant}, "region": {"S": region},
                                           "year": {"N": str(year)}, "month": {"N": str(month)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "sparse"}, "tenant": {"S": "t"}, "region": {"S": "eu"}})
    return name


def _query(ddb, table, expression, **values):
    names = {k: v for k, v in {"#r": "region", "#y": "year", "#m": "month"}.items() if k in expression}
    found = ddb.query(TableName=table, IndexName="by-tenant-region", KeyConditionExpression=expression,
                      ExpressionAttributeValues={f":{k}": v for k, v in values.items()}, ExpressionAttributeNames=names)
    return [i["pk"]["S"] for i in found["Items"]]


def test_describe_shows_every_key_attribute(ddb, table):
    index = ddb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"][0]
    assert [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]] == [
        ("tenant", "HASH"), ("region", "HASH"), ("year", "RANGE"), ("month", "RANGE")]


def test_query_in_tuple_order(ddb, table):
    t, eu = {"S": "t"}, {"S": "eu"}
    assert _query(ddb, table, "tenant = :t AND #r = :r", t=t, r=eu) == ["1", "2", "3", "4"]
    assert _query(ddb, table, "tenant = :t AND #r = :r AND #y = :y", t=t, r=eu, y={"N": "2025"}) == ["2", "3", "4"]
    assert _query(ddb, table, "tenant = :t AND #r = :r AND #y = :y AND #m > :m", t=t, r=eu, y={"N": "2025"},
                  m={"N": "1"}) == ["3", "4"]
    assert _query(ddb, table, "tenant = :t AND #r = :r AND #y = :y AND #m BETWEEN :a AND :b", t=t, r=eu,
                  y={"N": "2025"}, a={"N": "1"}, b={"N": "3"}) == ["2", "3"]
    assert _query(ddb, table, "tenant = :t AND #r = :r AND #y < :y", t=t, r=eu, y={"N": "2025"}) == ["1"]
    assert _query(ddb, table, "tenant = :t AND #r = :r AND #y >= :y", t=t, r=eu, y={"N": "2025"}) == ["2", "3", "4"]
    assert _query(ddb, table, "tenant = :t AND #r = :r AND #y <= :y", t=t, r=eu, y={"N": "2024"}) == ["1"]


def test_query_needs_every_hash_attribute(ddb, table):
    assert error_of(ddb.query, TableName=table, IndexName="by-tenant-region", KeyConditionExpression="tenant = :t",
                    ExpressionAttributeValues={":t": {"S": "t"}}) == (
        "ValidationException", "Query condition missed key schema element: region")
    assert error_of(ddb.query, TableName=table, IndexName="by-tenant-region",
                    KeyConditionExpression="tenant = :t AND #r = :r AND #m = :m",
                    ExpressionAttributeNames={"#r": "region", "#m": "month"},
                    ExpressionAttributeValues={":t": {"S": "t"}, ":r": {"S": "eu"}, ":m": {"N": "1"}})[0] == \
        "ValidationException"


def test_more_than_four_hash_attributes_are_refused(ddb):
    names = ["a", "b", "c", "d", "e"]
    _code, message = error_of(ddb.create_table, TableName="too-many-keys", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ["pk", *names]],
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              GlobalSecondaryIndexes=[{"IndexName": "idx", "Projection": {"ProjectionType": "ALL"},
                                                       "KeySchema": [{"AttributeName": n, "KeyType": "HASH"}
                                                                     for n in names]}])
    assert "at most 4 HASH and 4 RANGE" in message
