"""PartiQL for DynamoDB with boto3: ExecuteStatement (SELECT, INSERT, UPDATE, DELETE with WHERE on
keys and filters, parameters, paging), BatchExecuteStatement and ExecuteTransaction, as AWS
documents them (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html)."""

from __future__ import annotations

import pytest

from tests.integration.dynamodb.helpers import error_of


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


@pytest.fixture
def table(make_table, ddb):
    name = make_table()
    for pk, sk, n in (("a", "1", 1), ("a", "2", 2), ("a", "3", 3), ("b", "1", 10)):
        ddb.put_item(TableName=name, Item={"pk": S(pk), "sk": S(sk), "n": N(n), "tag": S(f"t{n}")})
    return name


def run(ddb, statement, *parameters, **kwargs):
    if parameters:
        kwargs["Parameters"] = list(parameters)
    return ddb.execute_statement(Statement=statement, **kwargs)


def test_select_by_partition_key_and_filter(ddb, table):
    items = run(ddb, f'SELECT * FROM "{table}" WHERE pk = ? AND n >= ?', S("a"), N(2))["Items"]
    assert [i["sk"] for i in items] == [S("2"), S("3")]
    projected = run(ddb, f'SELECT sk, n FROM "{table}" WHERE pk = \'a\' AND sk = \'1\'')["Items"]
    assert projected == [{"sk": S("1"), "n": N(1)}]
    scanned = run(ddb, f'SELECT pk FROM "{table}" WHERE n > 2')["Items"]
    assert sorted(i["pk"]["S"] for i in scanned) == ["a", "b"]
    assert run(ddb, f'SELECT * FROM "{table}" WHERE tag IN [\'t1\', \'t10\'] AND begins_with(sk, \'1\')')[
        "Items"].__len__() == 2
    assert run(ddb, f'SELECT * FROM "{table}" WHERE pk = \'a\' AND missing_attr IS MISSING')["Items"].__len__() == 3


def test_select_pages_with_next_token(ddb, table):
    first = run(ddb, f'SELECT * FROM "{table}" WHERE pk = \'a\'', Limit=2)
    assert len(first["Items"]) == 2 and "NextToken" in first
    rest = run(ddb, f'SELECT * FROM "{table}" WHERE pk = \'a\'', Limit=2, NextToken=first["NextToken"])
    assert [i["sk"] for i in first["Items"] + rest["Items"]] == [S("1"), S("2"), S("3")]


def test_insert_update_delete(ddb, table):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'sk': '1', 'n': 5, 'tags': <<'x', 'y'>>, "
             "'doc': {'k': [1, 'two', true, null]}}")
    item = ddb.get_item(TableName=table, Key={"pk": S("c"), "sk": S("1")})["Item"]
    assert item["n"] == N(5) and sorted(item["tags"]["SS"]) == ["x", "y"]
    assert item["doc"] == {"M": {"k": {"L": [N(1), S("two"), {"BOOL": True}, {"NULL": True}]}}}
    assert error_of(run, ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'sk': '1'}}") == (
        "DuplicateItemException", "Duplicate primary key exists in table")
    run(ddb, f'UPDATE "{table}" SET n = n + ?, label = ? REMOVE tags WHERE pk = ? AND sk = ?',
        N(2), S("hi"), S("c"), S("1"))
    item = ddb.get_item(TableName=table, Key={"pk": S("c"), "sk": S("1")})["Item"]
    assert item["n"] == N(7) and item["label"] == S("hi") and "tags" not in item
    assert error_of(run, ddb, f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'zz' AND sk = '1'") == (
        "ConditionalCheckFailedException", "The conditional request failed")
    assert error_of(run, ddb, f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'c'") == (
        "ValidationException", "Where clause does not contain a mandatory equality on all key attributes")
    assert error_of(run, ddb, f"DELETE FROM \"{table}\" WHERE pk = 'c' AND sk = '1' AND n = 1")[0] == \
        "ConditionalCheckFailedException"
    run(ddb, f"DELETE FROM \"{table}\" WHERE pk = 'c' AND sk = '1'")
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": S("c"), "sk": S("1")})


def test_statement_errors(ddb, table):
    assert error_of(run, ddb, f'SELECT * FROM "{table}" WHERE pk = ?') == (
        "ValidationException", "Number of parameters in request and statement don't match.")
    assert error_of(run, ddb, "SELEKT * FROM x")[1].startswith("Statement wasn't well formed, can't be processed")
    assert error_of(run, ddb, f'SELECT * FROM "{table}" WHERE n = = 1')[1].startswith(
        "Statement wasn't well formed, can't be processed: Syntax error")
    assert error_of(run, ddb, 'SELECT * FROM "no-such-table"')[0] == "ResourceNotFoundException"


def test_batch_execute_statement(ddb, table):
    responses = ddb.batch_execute_statement(Statements=[
        {"Statement": f'SELECT * FROM "{table}" WHERE pk = ? AND sk = ?', "Parameters": [S("a"), S("1")]},
        {"Statement": f'SELECT * FROM "{table}" WHERE pk = ?', "Parameters": [S("a")]},
    ])["Responses"]
    assert responses[0]["TableName"] == table and responses[0]["Item"]["n"] == N(1)
    assert responses[1]["Error"] == {"Code": "ValidationError", "Message": "Where clause does not contain a "
                                                                           "mandatory equality on all key attributes"}
    writes = ddb.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'd', 'sk': '1'}}"},
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': '1'}}"},
    ])["Responses"]
    assert writes[0] == {"TableName": table}
    assert writes[1]["Error"]["Code"] == "DuplicateItem"


def test_execute_transaction(ddb, table):
    got = ddb.execute_transaction(TransactStatements=[
        {"Statement": f'SELECT n FROM "{table}" WHERE pk = ? AND sk = ?', "Parameters": [S("b"), S("1")]},
    ])["Responses"]
    assert got == [{"Item": {"n": N(10)}}]
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as info:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"UPDATE \"{table}\" SET n = 100 WHERE pk = 'a' AND sk = '1'"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': '1'}}"},
        ])
    assert [r["Code"] for r in info.value.response["CancellationReasons"]] == ["None", "DuplicateItem"]
    assert ddb.get_item(TableName=table, Key={"pk": S("a"), "sk": S("1")})["Item"]["n"] == N(1)  # nothing written
    ddb.execute_transaction(TransactStatements=[
        {"Statement": f"UPDATE \"{table}\" SET n = 100 WHERE pk = 'a' AND sk = '1'"},
        {"Statement": f"DELETE FROM \"{table}\" WHERE pk = 'b' AND sk = '1'"},
    ])
    assert ddb.get_item(TableName=table, Key={"pk": S("a"), "sk": S("1")})["Item"]["n"] == N(100)
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": S("b"), "sk": S("1")})


def test_update_set_add_and_set_delete(ddb, table):
    run(ddb, f"UPDATE \"{table}\" SET tags = set_add(tags, <<'x', 'y'>>) WHERE pk = 'a' AND sk = '1'")
    run(ddb, f"UPDATE \"{table}\" SET tags = set_delete(tags, <<'x'>>), n = n + 1 WHERE pk = 'a' AND sk = '1'")
    item = ddb.get_item(TableName=table, Key={"pk": S("a"), "sk": S("1")})["Item"]
    assert item["tags"] == {"SS": ["y"]} and item["n"] == N(2)


def test_transaction_exists_condition_check(ddb, table):
    ddb.execute_transaction(TransactStatements=[
        {"Statement": f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk = '1' AND n = 1)"},
        {"Statement": f"UPDATE \"{table}\" SET n = 50 WHERE pk = 'a' AND sk = '2'"},
    ])
    assert ddb.get_item(TableName=table, Key={"pk": S("a"), "sk": S("2")})["Item"]["n"] == N(50)
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as info:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"EXISTS(SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk = '1' AND n = 999)"},
            {"Statement": f"UPDATE \"{table}\" SET n = 60 WHERE pk = 'a' AND sk = '2'"},
        ])
    assert [r["Code"] for r in info.value.response["CancellationReasons"]] == ["ConditionalCheckFailed", "None"]
    assert ddb.get_item(TableName=table, Key={"pk": S("a"), "sk": S("2")})["Item"]["n"] == N(50)


def test_order_by_sort_key(ddb, table):
    ascending = run(ddb, f'SELECT sk FROM "{table}" WHERE pk = ? ORDER BY sk', S("a"))["Items"]
    assert [i["sk"] for i in ascending] == [S("1"), S("2"), S("3")]
    descending = run(ddb, f'SELECT sk FROM "{table}" WHERE pk = ? ORDER BY pk, sk DESC', S("a"))["Items"]
    assert [i["sk"] for i in descending] == [S("3"), S("2"), S("1")]
    first = run(ddb, f'SELECT sk FROM "{table}" WHERE pk = \'a\' ORDER BY sk DESC', Limit=2)
    rest = run(ddb, f'SELECT sk FROM "{table}" WHERE pk = \'a\' ORDER BY sk DESC', Limit=2,
               NextToken=first["NextToken"])
    assert [i["sk"] for i in first["Items"] + rest["Items"]] == [S("3"), S("2"), S("1")]
    filtered = run(ddb, f'SELECT sk FROM "{table}" WHERE pk = \'a\' AND n < 3 ORDER BY sk DESC')["Items"]
    assert [i["sk"] for i in filtered] == [S("2"), S("1")]


def test_order_by_refusals(ddb, table):
    assert error_of(run, ddb, f'SELECT * FROM "{table}" ORDER BY sk') == (
        "ValidationException", "Must have WHERE clause in the statement when using ORDER BY clause.")
    assert error_of(run, ddb, f'SELECT * FROM "{table}" WHERE pk = \'a\' ORDER BY n DESC') == (
        "ValidationException", "Variable reference [n] in ORDER BY clause must be a part of the primary key")


def test_update_returning(ddb, table):
    def update(returning: str) -> list:
        return run(ddb, f'UPDATE "{table}" SET n = n + 1 SET extra = \'x\' WHERE pk = \'a\' AND sk = \'1\' '
                        f'RETURNING {returning}')["Items"]

    assert update("ALL OLD *") == [{"pk": S("a"), "sk": S("1"), "n": N(1), "tag": S("t1")}]
    assert update("MODIFIED OLD *") == [{"n": N(2), "extra": S("x")}]
    assert update("ALL NEW *") == [{"pk": S("a"), "sk": S("1"), "n": N(4), "tag": S("t1"), "extra": S("x")}]
    assert update("MODIFIED NEW *") == [{"n": N(5), "extra": S("x")}]
    plain = run(ddb, f'UPDATE "{table}" SET n = 0 WHERE pk = \'a\' AND sk = \'1\'')
    assert plain["Items"] == []


def test_delete_returning_and_batches(ddb, table):
    gone = run(ddb, f'DELETE FROM "{table}" WHERE pk = \'a\' AND sk = \'2\' RETURNING ALL OLD *')["Items"]
    assert gone == [{"pk": S("a"), "sk": S("2"), "n": N(2), "tag": S("t2")}]
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": S("a"), "sk": S("2")})
    code, _ = error_of(run, ddb, f'DELETE FROM "{table}" WHERE pk = \'a\' AND sk = \'3\' RETURNING ALL NEW *')
    assert code == "ValidationException"
    out = ddb.batch_execute_statement(Statements=[
        {"Statement": f'UPDATE "{table}" SET n = 7 WHERE pk = \'b\' AND sk = \'1\' RETURNING MODIFIED OLD *'},
        {"Statement": f'DELETE FROM "{table}" WHERE pk = \'a\' AND sk = \'3\' RETURNING ALL OLD *'}])["Responses"]
    assert out[0]["Item"] == {"n": N(10)}
    assert out[1]["Item"]["sk"] == S("3")
    # transactions answer nothing for writes
    assert ddb.execute_transaction(TransactStatements=[
        {"Statement": f'UPDATE "{table}" SET n = 8 WHERE pk = \'b\' AND sk = \'1\' RETURNING ALL NEW *'}
    ]).get("Responses", []) == []
    assert ddb.get_item(TableName=table, Key={"pk": S("b"), "sk": S("1")})["Item"]["n"] == N(8)


def test_select_from_an_index_ordered_by_its_sort_key(ddb, make_table):
    name = make_table(extra_attributes={"g": "S", "r": "N"}, GlobalSecondaryIndexes=[{
        "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                           {"AttributeName": "r", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"}}])
    for sk, r in (("1", 30), ("2", 10), ("3", 20)):
        ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": S(sk), "g": S("x"), "r": N(r)})
    rows = run(ddb, f'SELECT r FROM "{name}"."by-g" WHERE g = \'x\' ORDER BY r DESC')["Items"]
    assert [i["r"] for i in rows] == [N(30), N(20), N(10)]
    rows = run(ddb, f'SELECT r FROM "{name}"."by-g" WHERE g = \'x\' ORDER BY r ASC')["Items"]
    assert [i["r"] for i in rows] == [N(10), N(20), N(30)]
    # the table's own sort key is not the index's key
    assert error_of(run, ddb, f'SELECT * FROM "{name}"."by-g" WHERE g = \'x\' ORDER BY sk') == (
        "ValidationException", "Variable reference [sk] in ORDER BY clause must be a part of the primary key")
