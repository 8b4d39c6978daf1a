"""Query and Scan: key conditions, order, pagination, page size, filters, Select, parallel scans."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.dynamodb.helpers import error_of


def _fill(ddb, name, values, kind="N", partition="p"):
    requests = [{"PutRequest": {"Item": {"pk": {"S": partition}, "sk": {kind: v}, "v": {"S": f"item-{i}"}}}}
                for i, v in enumerate(values)]
    for start in range(0, len(requests), 25):
        ddb.batch_write_item(RequestItems={name: requests[start:start + 25]})


def _sort_keys(response, kind="N"):
    return [item["sk"][kind] for item in response["Items"]]


NUMBERS = ["-100", "-1.5", "-1", "-0.001", "0", "0.001", "1", "1.5", "2", "10", "100", "1E+20"]


@pytest.fixture(scope="module")
def numbers(overcast_server):
    """A table whose partition `p` holds sort keys -100 .. 1e20 (as numbers)."""
    ddb = overcast_server.client("dynamodb")
    name = "query-numbers"
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}])
    _fill(ddb, name, list(reversed(NUMBERS)))
    _fill(ddb, name, ["5"], partition="other")
    yield name
    ddb.delete_table(TableName=name)


def q(ddb, table, condition, values, **kwargs):
    return ddb.query(TableName=table, KeyConditionExpression=condition,
                     ExpressionAttributeValues={":p": {"S": "p"}, **values}, **kwargs)


CANONICAL = ["-100", "-1.5", "-1", "-0.001", "0", "0.001", "1", "1.5", "2", "10", "100", "100000000000000000000"]


@pytest.mark.parametrize(("condition", "values", "expected"), [
    ("pk = :p", {}, CANONICAL),
    ("pk = :p AND sk = :v", {":v": {"N": "1.50"}}, ["1.5"]),
    ("pk = :p AND sk < :v", {":v": {"N": "-1"}}, ["-100", "-1.5"]),
    ("pk = :p AND sk <= :v", {":v": {"N": "-1"}}, ["-100", "-1.5", "-1"]),
    ("pk = :p AND sk > :v", {":v": {"N": "10"}}, ["100", "100000000000000000000"]),
    ("pk = :p AND sk >= :v", {":v": {"N": "10"}}, ["10", "100", "100000000000000000000"]),
    ("pk = :p AND sk BETWEEN :a AND :b", {":a": {"N": "-0.001"}, ":b": {"N": "1"}}, ["-0.001", "0", "0.001", "1"]),
    (":p = pk AND :v < sk", {":v": {"N": "10"}}, ["100", "100000000000000000000"]),
])
def test_number_sort_keys_in_numeric_order(ddb, numbers, condition, values, expected):
    assert _sort_keys(q(ddb, numbers, condition, values)) == expected


def test_scan_index_forward_false(ddb, numbers):
    assert _sort_keys(q(ddb, numbers, "pk = :p", {}, ScanIndexForward=False)) == list(reversed(CANONICAL))


def test_pagination_with_limit(ddb, numbers):
    seen, start, pages = [], None, 0
    while True:
        kwargs = {"Limit": 5}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = q(ddb, numbers, "pk = :p", {}, ScanIndexForward=False, **kwargs)
        pages += 1
        seen += _sort_keys(page)
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == list(reversed(CANONICAL))
    # 12 items in pages of 5: DynamoDB hands back a key after a full last page too
    assert pages == 3


def test_limit_reached_exactly_still_gives_a_key(ddb, numbers):
    page = q(ddb, numbers, "pk = :p AND sk > :v", {":v": {"N": "10"}}, Limit=2)
    assert page["Count"] == 2 and "LastEvaluatedKey" in page
    after = q(ddb, numbers, "pk = :p AND sk > :v", {":v": {"N": "10"}}, ExclusiveStartKey=page["LastEvaluatedKey"])
    assert after["Count"] == 0 and "LastEvaluatedKey" not in after


def test_filter_select_count_and_projection(ddb, numbers):
    page = q(ddb, numbers, "pk = :p", {":x": {"S": "item-3"}}, FilterExpression="v > :x")
    assert page["ScannedCount"] == 12 and page["Count"] == len(page["Items"]) == 6
    counted = q(ddb, numbers, "pk = :p", {}, Select="COUNT")
    assert counted["Count"] == 12 and "Items" not in counted
    projected = q(ddb, numbers, "pk = :p AND sk = :v", {":v": {"N": "0"}}, ProjectionExpression="v")
    assert projected["Items"] == [{"v": {"S": "item-7"}}]


def test_key_condition_errors(ddb, numbers):
    def message(condition, values, **kwargs):
        return error_of(q, ddb, numbers, condition, values, **kwargs)[1]

    assert error_of(ddb.query, TableName=numbers, KeyConditionExpression="sk = :v",
                    ExpressionAttributeValues={":v": {"N": "1"}})[1] == "Query condition missed key schema element: pk"
    assert message("pk = :p", {":v": {"N": "1"}}) == \
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"
    assert message("pk = :p AND v = :v", {":v": {"S": "1"}}) == "Query key condition not supported"
    assert message("pk = :p OR sk = :v", {":v": {"N": "1"}}) == \
        "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR"
    assert message("pk = :p AND sk <> :v", {":v": {"N": "1"}}) == \
        "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: <>"
    assert message("pk = :p AND begins_with(sk, :v)", {":v": {"S": "1"}}) == \
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: " \
        "begins_with, operand type: N"
    assert message("pk = :p AND sk = :v", {":v": {"S": "1"}}) == \
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    assert message("pk = :p", {":v": {"N": "1"}}, FilterExpression="sk > :v") == \
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
    assert error_of(ddb.query, TableName=numbers)[1] == \
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."


def test_string_and_binary_sort_keys_order_by_bytes(ddb, make_table):
    name = make_table()
    words = ["b", "a", "ab", "B", "é", "z", "aa", "~", "Ω"]
    _fill(ddb, name, words, kind="S")
    assert _sort_keys(ddb.query(TableName=name, KeyConditionExpression="pk = :p",
                                ExpressionAttributeValues={":p": {"S": "p"}}), "S") == \
        sorted(words, key=lambda w: w.encode())
    begins = ddb.query(TableName=name, KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
                       ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"S": "a"}})
    assert _sort_keys(begins, "S") == ["a", "aa", "ab"]
    binary = make_table(range_key=("sk", "B"))
    blobs = [b"\xff", b"\x00", b"\x00\x01", b"\x80", b"\x7f"]
    _fill(ddb, binary, blobs, kind="B")
    got = ddb.query(TableName=binary, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    assert [i["sk"]["B"] for i in got["Items"]] == sorted(blobs)


def test_one_megabyte_pages(ddb, make_table):
    name = make_table()
    blob = "x" * (200 * 1024)
    for i in range(8):
        ddb.put_item(TableName=name, Item={"pk": {"S": "big"}, "sk": {"S": f"{i:02d}"}, "blob": {"S": blob}})
    first = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "big"}})
    # the item that takes the page past 1 MB is the last one read
    assert first["Count"] == 6 and "LastEvaluatedKey" in first
    rest = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "big"}},
                     ExclusiveStartKey=first["LastEvaluatedKey"])
    assert rest["Count"] == 2 and "LastEvaluatedKey" not in rest
    scanned = ddb.scan(TableName=name, Select="COUNT")
    assert scanned["Count"] == 6 and "LastEvaluatedKey" in scanned


def test_scan_pages_and_parallel_segments(ddb, make_table):
    name = make_table()
    requests = [{"PutRequest": {"Item": {"pk": {"S": f"p{i}"}, "sk": {"S": "s"}, "n": {"N": str(i)}}}} for i in range(60)]
    for first in range(0, 60, 25):
        ddb.batch_write_item(RequestItems={name: requests[first:first + 25]})
    seen: list[str] = []
    start: dict[str, Any] | None = None
    while True:
        page = ddb.scan(TableName=name, Limit=7, **({"ExclusiveStartKey": start} if start else {}))
        seen += [i["n"]["N"] for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(seen, key=int) == [str(i) for i in range(60)]
    segments = [{i["n"]["N"] for i in ddb.scan(TableName=name, Segment=s, TotalSegments=4)["Items"]} for s in range(4)]
    assert set().union(*segments) == {str(i) for i in range(60)}
    assert sum(len(s) for s in segments) == 60
    assert sum(1 for s in segments if s) >= 2
    filtered = ddb.scan(TableName=name, FilterExpression="n < :ten", ExpressionAttributeValues={":ten": {"N": "10"}})
    assert filtered["Count"] == 10 and filtered["ScannedCount"] == 60
    assert error_of(ddb.scan, TableName=name, Segment=4, TotalSegments=4)[1] == (
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less "
        "than TotalSegments: 4")
    assert error_of(ddb.scan, TableName=name, Segment=1)[1] == (
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is present")


def test_legacy_query_and_scan_parameters(ddb, numbers):
    page = ddb.query(TableName=numbers, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "0"}, {"N": "1"}]}},
        QueryFilter={"v": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "item-7"}]}},
        AttributesToGet=["sk"])
    assert page["Items"] == [{"sk": {"N": "0.001"}}, {"sk": {"N": "1"}}]
    scanned = ddb.scan(TableName=numbers, ScanFilter={
        "v": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "item-1"}]},
        "sk": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "50"}]}}, ConditionalOperator="OR")
    assert sorted(i["v"]["S"] for i in scanned["Items"]) == ["item-0", "item-1", "item-10", "item-11"]
