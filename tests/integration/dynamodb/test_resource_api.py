"""boto3's resource API (Table, batch_writer, boto3.dynamodb.conditions), as applications use it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr, Key

from tests.integration.dynamodb.helpers import unique


@pytest.fixture
def table(overcast_server):
    resource = overcast_server.resource("dynamodb")
    table = resource.create_table(
        TableName=unique("res"), BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"},
                              {"AttributeName": "ts", "AttributeType": "N"},
                              {"AttributeName": "kind", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-kind",
                                 "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"},
                                               {"AttributeName": "ts", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    table.wait_until_exists()
    with table.batch_writer() as batch:
        for i in range(30):
            batch.put_item(Item={"user": f"u{i % 3}", "ts": i, "kind": "click" if i % 2 else "view",
                                 "score": Decimal(i) / 4, "tags": {f"t{i % 5}", "all"},
                                 "profile": {"age": 20 + i, "langs": ["py", "go"] if i % 2 else ["py"]}})
    yield table
    table.delete()


def test_query_with_key_and_attr_conditions(table):
    out = table.query(KeyConditionExpression=Key("user").eq("u1") & Key("ts").between(4, 20),
                      FilterExpression=Attr("score").gt(Decimal("2")) & Attr("tags").contains("all"))
    assert [item["ts"] for item in out["Items"]] == [10, 13, 16, 19]
    assert out["Items"][0]["score"] == Decimal("2.5")


def test_scan_with_nested_and_combined_conditions(table):
    out = table.scan(FilterExpression=(Attr("profile.age").lt(25) | Attr("profile.langs").contains("go"))
                     & ~Attr("kind").eq("view") & Attr("missing").not_exists())
    assert sorted(item["ts"] for item in out["Items"]) == [i for i in range(30) if i % 2]
    typed = table.scan(FilterExpression=Attr("tags").attribute_type("SS") & Attr("user").is_in(["u0", "u2"])
                       & Attr("kind").begins_with("cl") & Attr("profile.langs").size().eq(2))
    assert sorted(item["ts"] for item in typed["Items"]) == [i for i in range(30) if i % 2 and i % 3 != 1]


def test_gsi_query_and_projection(table):
    out = table.query(IndexName="by-kind", KeyConditionExpression=Key("kind").eq("view") & Key("ts").gte(24),
                      ProjectionExpression="ts, profile.age", ScanIndexForward=False)
    assert out["Items"] == [{"ts": 28, "profile": {"age": 48}}, {"ts": 26, "profile": {"age": 46}},
                            {"ts": 24, "profile": {"age": 44}}]


def test_update_and_conditional_writes(table):
    table.update_item(Key={"user": "u0", "ts": 0}, UpdateExpression="SET score = score + :d ADD tags :t",
                      ExpressionAttributeValues={":d": Decimal("0.5"), ":t": {"new"}})
    item = table.get_item(Key={"user": "u0", "ts": 0})["Item"]
    assert item["score"] == Decimal("0.5") and "new" in item["tags"]
    with pytest.raises(table.meta.client.exceptions.ConditionalCheckFailedException):
        table.put_item(Item={"user": "u0", "ts": 0}, ConditionExpression=Attr("user").not_exists())
    table.delete_item(Key={"user": "u0", "ts": 0}, ConditionExpression=Attr("score").eq(Decimal("0.5")))
    assert "Item" not in table.get_item(Key={"user": "u0", "ts": 0})


def test_paginated_scan_collects_everything(table):
    client = table.meta.client
    pages = client.get_paginator("scan").paginate(TableName=table.name, PaginationConfig={"PageSize": 7})
    assert sum(page["Count"] for page in pages) == 30
