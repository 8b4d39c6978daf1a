"""PutItem, GetItem, UpdateItem, DeleteItem: types, keys, conditions, return values, limits."""

from __future__ import annotations

import pytest

from tests.integration.dynamodb.helpers import error_of


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def test_put_get_round_trips_every_type(ddb, make_table):
    name = make_table()
    item = {
        "pk": S("p"), "sk": S("s"), "s": S(""), "n": N("-12.5"), "b": {"B": b"\x00\xff"}, "bool": {"BOOL": False},
        "null": {"NULL": True}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"x", b"y"]},
        "l": {"L": [S("x"), N(1), {"L": []}, {"M": {}}]}, "m": {"M": {"nested": {"M": {"deep": S("v")}}}},
    }
    ddb.put_item(TableName=name, Item=item)
    got = ddb.get_item(TableName=name, Key={"pk": S("p"), "sk": S("s")})["Item"]
    assert got == item


def test_numbers_are_canonical_and_38_digits(ddb, make_table):
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": S("n"), "sk": S("n"), "a": N("01.50"), "b": N("1e2"), "c": N("-0"),
                                       "d": N("12345678901234567890123456789012345678")})
    got = ddb.get_item(TableName=name, Key={"pk": S("n"), "sk": S("n")})["Item"]
    assert (got["a"], got["b"], got["c"]) == (N("1.5"), N("100"), N("0"))
    assert got["d"] == N("12345678901234567890123456789012345678")
    assert error_of(ddb.put_item, TableName=name, Item={"pk": S("n"), "sk": S("x"), "a": N("1" * 39)}) == (
        "ValidationException", "1 validation error detected: Attempting to store more than 38 significant digits in a "
                               "Number")
    assert error_of(ddb.put_item, TableName=name, Item={"pk": S("n"), "sk": S("x"), "a": N("1e126")}) == (
        "ValidationException",
        "1 validation error detected: Number overflow. Attempting to store a number with magnitude larger than "
        "supported range")
    assert error_of(ddb.put_item, TableName=name, Item={"pk": S("n"), "sk": S("x"), "a": N("abc")})[1] == \
        "1 validation error detected: The parameter cannot be converted to a numeric value: abc"


def test_key_validation_messages(ddb, make_table):
    name = make_table(range_key=("sk", "N"))
    assert error_of(ddb.get_item, TableName=name, Key={"pk": S("a")}) == (
        "ValidationException", "The provided key element does not match the schema")
    assert error_of(ddb.get_item, TableName=name, Key={"pk": S("a"), "sk": S("1")})[1] == \
        "The provided key element does not match the schema"
    assert error_of(ddb.put_item, TableName=name, Item={"pk": S("a")})[1] == \
        "One or more parameter values were invalid: Missing the key sk in the item"
    assert error_of(ddb.put_item, TableName=name, Item={"pk": S("a"), "sk": S("x")})[1] == \
        "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S"
    assert error_of(ddb.put_item, TableName=name, Item={"pk": S(""), "sk": N(1)})[1] == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
        "empty string value. Key: pk")
    _code, message = error_of(ddb.put_item, TableName=name, Item={"pk": S("a"), "sk": N(1), "s": {"SS": []}})
    assert message == ("1 validation error detected: One or more parameter values were invalid: An string set  "
                       "may not be empty")
    _code, message = error_of(ddb.put_item, TableName=name, Item={"pk": S("a"), "sk": N(1), "s": {"SS": ["a", "a"]}})
    assert "contains duplicates" in message


def test_missing_table_is_resource_not_found(ddb):
    code, message = error_of(ddb.get_item, TableName="no-such-table", Key={"pk": S("a")})
    assert (code, message) == ("ResourceNotFoundException", "Requested resource not found")


def test_item_size_limit(ddb, make_table):
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": S("a"), "sk": S("b"), "v": S("x" * (400 * 1024 - 100))})
    assert error_of(ddb.put_item, TableName=name, Item={"pk": S("a"), "sk": S("c"), "v": S("x" * 400 * 1024)}) == (
        "ValidationException", "Item size has exceeded the maximum allowed size")
    _code, message = error_of(ddb.update_item, TableName=name, Key={"pk": S("a"), "sk": S("b")},
                             UpdateExpression="SET w = :w", ExpressionAttributeValues={":w": S("y" * 1000)})
    assert message == "Item size to update has exceeded the maximum allowed size"


def test_put_condition_and_return_values(ddb, make_table):
    name = make_table()
    key = {"pk": S("a"), "sk": S("b")}
    assert "Attributes" not in ddb.put_item(TableName=name, Item={**key, "v": N(1)}, ReturnValues="ALL_OLD")
    old = ddb.put_item(TableName=name, Item={**key, "v": N(2)}, ReturnValues="ALL_OLD")["Attributes"]
    assert old == {**key, "v": N(1)}
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as info:
        ddb.put_item(TableName=name, Item={**key, "v": N(3)}, ConditionExpression="attribute_not_exists(pk)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert info.value.response["Item"] == {**key, "v": N(2)}
    assert info.value.response["Error"]["Message"] == "The conditional request failed"
    assert error_of(ddb.put_item, TableName=name, Item=key, ReturnValues="ALL_NEW") == (
        "ValidationException", "ReturnValues can only be ALL_OLD or NONE")


def test_delete_with_condition_and_old_values(ddb, make_table):
    name = make_table()
    key = {"pk": S("a"), "sk": S("b")}
    ddb.put_item(TableName=name, Item={**key, "v": N(1)})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(TableName=name, Key=key, ConditionExpression="v = :v", ExpressionAttributeValues={":v": N(2)})
    old = ddb.delete_item(TableName=name, Key=key, ConditionExpression="v = :v",
                          ExpressionAttributeValues={":v": N(1)}, ReturnValues="ALL_OLD")["Attributes"]
    assert old["v"] == N(1)
    assert "Item" not in ddb.get_item(TableName=name, Key=key)
    assert "Attributes" not in ddb.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD")


def test_update_item_return_values(ddb, make_table):
    name = make_table()
    key = {"pk": S("a"), "sk": S("b")}
    new = ddb.update_item(TableName=name, Key=key, UpdateExpression="SET a = :one, m = :m",
                          ExpressionAttributeValues={":one": N(1), ":m": {"M": {"x": N(1), "y": N(2)}}},
                          ReturnValues="ALL_NEW")["Attributes"]
    assert new == {**key, "a": N(1), "m": {"M": {"x": N(1), "y": N(2)}}}
    updated = ddb.update_item(TableName=name, Key=key, UpdateExpression="SET a = a + :one, m.x = :z",
                              ExpressionAttributeValues={":one": N(1), ":z": N(0)}, ReturnValues="UPDATED_NEW")
    assert updated["Attributes"] == {"a": N(2), "m": {"M": {"x": N(0)}}}
    old = ddb.update_item(TableName=name, Key=key, UpdateExpression="REMOVE a", ReturnValues="UPDATED_OLD")
    assert old["Attributes"] == {"a": N(2)}
    all_old = ddb.update_item(TableName=name, Key=key, UpdateExpression="SET b = :one",
                              ExpressionAttributeValues={":one": N(1)}, ReturnValues="ALL_OLD")["Attributes"]
    assert "b" not in all_old and all_old["m"]["M"]["x"] == N(0)


def test_update_creates_missing_item_and_refuses_key_updates(ddb, make_table):
    name = make_table()
    key = {"pk": S("new"), "sk": S("item")}
    ddb.update_item(TableName=name, Key=key)
    assert ddb.get_item(TableName=name, Key=key)["Item"] == key
    assert error_of(ddb.update_item, TableName=name, Key=key, UpdateExpression="SET pk = :v",
                    ExpressionAttributeValues={":v": S("x")})[1] == \
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"


def test_update_condition_failure_returns_old_item(ddb, make_table):
    name = make_table()
    key = {"pk": S("a"), "sk": S("b")}
    ddb.put_item(TableName=name, Item={**key, "version": N(3)})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as info:
        ddb.update_item(TableName=name, Key=key, UpdateExpression="SET version = version + :one",
                        ConditionExpression="version = :expected",
                        ExpressionAttributeValues={":one": N(1), ":expected": N(2)},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert info.value.response["Item"]["version"] == N(3)


def test_consumed_capacity_when_asked(ddb, make_table):
    name = make_table()
    out = ddb.put_item(TableName=name, Item={"pk": S("a"), "sk": S("b")}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["TableName"] == name
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_table_arn_is_accepted_as_table_name(ddb, make_table):
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.put_item(TableName=arn, Item={"pk": S("a"), "sk": S("b")})
    assert ddb.get_item(TableName=name, Key={"pk": S("a"), "sk": S("b")})["Item"]["pk"] == S("a")


def test_legacy_expected_and_attribute_updates(ddb, make_table):
    name = make_table()
    key = {"pk": S("a"), "sk": S("b")}
    ddb.put_item(TableName=name, Item=key, Expected={"pk": {"Exists": False}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=name, Item=key, Expected={"pk": {"Exists": False}})
    ddb.update_item(TableName=name, Key=key, AttributeUpdates={
        "n": {"Action": "ADD", "Value": N(5)}, "s": {"Action": "PUT", "Value": S("x")},
        "tags": {"Action": "ADD", "Value": {"SS": ["a", "b"]}}, "l": {"Action": "ADD", "Value": {"L": [N(1)]}}})
    ddb.update_item(TableName=name, Key=key, AttributeUpdates={
        "tags": {"Action": "DELETE", "Value": {"SS": ["a"]}}, "s": {"Action": "DELETE"}},
        Expected={"n": {"ComparisonOperator": "GT", "AttributeValueList": [N(4)]}})
    item = ddb.get_item(TableName=name, Key=key, AttributesToGet=["n", "tags", "l", "s"])["Item"]
    assert item == {"n": N(5), "tags": {"SS": ["b"]}, "l": {"L": [N(1)]}}
    _code, message = error_of(ddb.put_item, TableName=name, Item=key, Expected={"pk": {"Exists": False}},
                             ConditionExpression="attribute_not_exists(pk)")
    assert message == ("1 validation error detected: Can not use both expression and non-expression parameters in "
                       "the same request: Non-expression parameters: {Expected} Expression parameters: "
                       "{ConditionExpression}")
