"""BatchGetItem, BatchWriteItem, TransactGetItems, TransactWriteItems."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.dynamodb.helpers import error_of


def key(pk, sk="s"):
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def test_batch_write_and_get(ddb, make_table):
    one, two = make_table(), make_table()
    ddb.put_item(TableName=one, Item={**key("gone"), "v": {"N": "0"}})
    out = ddb.batch_write_item(RequestItems={
        one: [{"PutRequest": {"Item": {**key(f"p{i}"), "v": {"N": str(i)}}}} for i in range(5)]
        + [{"DeleteRequest": {"Key": key("gone")}}],
        two: [{"PutRequest": {"Item": {**key("x"), "w": {"S": "y"}}}}],
    })
    assert out["UnprocessedItems"] == {}
    got = ddb.batch_get_item(RequestItems={
        one: {"Keys": [key("p1"), key("p3"), key("gone"), key("nope")], "ProjectionExpression": "v"},
        two: {"Keys": [key("x")], "ConsistentRead": True},
    })
    assert sorted(i["v"]["N"] for i in got["Responses"][one]) == ["1", "3"]
    assert got["Responses"][two] == [{**key("x"), "w": {"S": "y"}}]
    assert got["UnprocessedKeys"] == {}


def test_batch_errors(ddb, make_table):
    name, other = make_table(), make_table()
    assert error_of(ddb.batch_write_item, RequestItems={name: [
        {"PutRequest": {"Item": key("a")}}, {"DeleteRequest": {"Key": key("a")}}]})[1] == \
        "Provided list of item keys contains duplicates"
    assert error_of(ddb.batch_get_item, RequestItems={name: {"Keys": [key("a"), key("a")]}})[1] == \
        "Provided list of item keys contains duplicates"
    assert error_of(ddb.batch_get_item, RequestItems={name: {"Keys": [key(str(i)) for i in range(60)]},
                                                      other: {"Keys": [key(str(i)) for i in range(60)]}})[1] == \
        "Too many items requested for the BatchGetItem call"
    assert "Member must have length less than or equal to 100" in error_of(
        ddb.batch_get_item, RequestItems={name: {"Keys": [key(str(i)) for i in range(101)]}})[1]
    assert error_of(ddb.batch_write_item, RequestItems={"no-such-table": [{"PutRequest": {"Item": key("a")}}]})[0] == \
        "ResourceNotFoundException"


def test_transact_write_all_or_nothing(ddb, make_table):
    name = make_table()
    ddb.put_item(TableName=name, Item={**key("account-a"), "balance": {"N": "100"}})
    ddb.put_item(TableName=name, Item={**key("account-b"), "balance": {"N": "0"}})

    def transfer(amount):
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": name, "Key": key("account-a"), "UpdateExpression": "SET balance = balance - :a",
                        "ConditionExpression": "balance >= :a", "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
            {"Update": {"TableName": name, "Key": key("account-b"), "UpdateExpression": "SET balance = balance + :a",
                        "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
            {"Put": {"TableName": name, "Item": {**key(f"log-{amount}"), "amount": {"N": str(amount)}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ])

    transfer(60)
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as info:
        transfer(50)
    reasons = info.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ConditionalCheckFailed", "None", "None"]
    assert info.value.response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[ConditionalCheckFailed, None, None]")
    balances = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": name, "Key": key("account-a")}}, {"Get": {"TableName": name, "Key": key("account-b")}},
        {"Get": {"TableName": name, "Key": key("log-50")}}])["Responses"]
    assert [r.get("Item", {}).get("balance") for r in balances] == [{"N": "40"}, {"N": "60"}, None]
    assert balances[2] == {}


def test_transaction_condition_check_and_delete_with_old_item(ddb, make_table):
    name = make_table()
    ddb.put_item(TableName=name, Item={**key("lock"), "owner": {"S": "me"}})
    ddb.put_item(TableName=name, Item={**key("doomed")})
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as info:
        ddb.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": name, "Key": key("lock"), "ConditionExpression": "#o = :o",
                                "ExpressionAttributeNames": {"#o": "owner"},
                                "ExpressionAttributeValues": {":o": {"S": "you"}},
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Delete": {"TableName": name, "Key": key("doomed")}}])
    first = info.value.response["CancellationReasons"][0]
    assert first["Code"] == "ConditionalCheckFailed" and first["Item"]["owner"] == {"S": "me"}
    assert "Item" in ddb.get_item(TableName=name, Key=key("doomed"))
    ddb.transact_write_items(TransactItems=[
        {"ConditionCheck": {"TableName": name, "Key": key("lock"), "ConditionExpression": "attribute_exists(pk)"}},
        {"Delete": {"TableName": name, "Key": key("doomed")}}])
    assert "Item" not in ddb.get_item(TableName=name, Key=key("doomed"))


def test_transaction_refuses_two_actions_on_one_item(ddb, make_table):
    name = make_table()
    assert error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": name, "Item": key("a")}}, {"Delete": {"TableName": name, "Key": key("a")}}])[1] == \
        "Transaction request cannot include multiple operations on one item"


def test_client_request_token_is_idempotent(ddb, make_table):
    name = make_table()
    token = uuid.uuid4().hex
    items = [{"Update": {"TableName": name, "Key": key("counter"), "UpdateExpression": "ADD n :one",
                         "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert ddb.get_item(TableName=name, Key=key("counter"))["Item"]["n"] == {"N": "1"}
    other = [{"Put": {"TableName": name, "Item": key("other")}}]
    assert error_of(ddb.transact_write_items, TransactItems=other, ClientRequestToken=token)[0] == \
        "IdempotentParameterMismatchException"
