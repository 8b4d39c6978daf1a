"""Condition, update and projection expressions: every function and operator, and DynamoDB's errors."""

from __future__ import annotations

import pytest

from tests.integration.dynamodb.helpers import error_of

KEY = {"pk": {"S": "k"}, "sk": {"S": "k"}}
ENVELOPE = "1 validation error detected: "
ITEM = {
    **KEY,
    "name": {"S": "overcast"},
    "count": {"N": "10"},
    "price": {"N": "2.5"},
    "data": {"B": b"\x01\x02\x03"},
    "tags": {"SS": ["red", "blue"]},
    "nums": {"NS": ["1", "2"]},
    "lst": {"L": [{"S": "a"}, {"N": "1"}, {"M": {"x": {"S": "y"}}}]},
    "doc": {"M": {"nest": {"M": {"deep": {"N": "5"}}}, "flag": {"BOOL": True}}},
    "nothing": {"NULL": True},
}


@pytest.fixture
def table(ddb, make_table):
    name = make_table()
    ddb.put_item(TableName=name, Item=ITEM)
    return name


def holds(ddb, table, expression, values=None, names=None):
    """True when the condition holds for ITEM (via a ConditionCheck-like DeleteItem dry run)."""
    kwargs = {"TableName": table, "Key": KEY, "ConditionExpression": expression}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    if names:
        kwargs["ExpressionAttributeNames"] = names
    try:
        ddb.transact_write_items(TransactItems=[{"ConditionCheck": kwargs}])
    except ddb.exceptions.TransactionCanceledException:
        return False
    return True


@pytest.mark.parametrize(("expression", "values", "expected"), [
    ("#n = :v", {":v": {"S": "overcast"}}, True),
    ("#n <> :v", {":v": {"S": "overcast"}}, False),
    ("#c > :v", {":v": {"N": "9.99"}}, True),
    ("#c >= :v", {":v": {"N": "10"}}, True),
    ("#c < :v", {":v": {"N": "10"}}, False),
    ("#c <= :v", {":v": {"N": "10.0"}}, True),
    ("#c = :v", {":v": {"S": "10"}}, False),
    ("absent <> :v", {":v": {"S": "x"}}, True),
    ("absent < :v", {":v": {"S": "x"}}, False),
    ("#c BETWEEN :a AND :b", {":a": {"N": "1"}, ":b": {"N": "10"}}, True),
    ("price BETWEEN :a AND :b", {":a": {"N": "3"}, ":b": {"N": "10"}}, False),
    ("#n IN (:a, :b)", {":a": {"S": "x"}, ":b": {"S": "overcast"}}, True),
    ("#c IN (:a)", {":a": {"N": "11"}}, False),
    ("attribute_exists(doc.nest.deep)", None, True),
    ("attribute_exists(doc.nest.nope)", None, False),
    ("attribute_not_exists(lst[5])", None, True),
    ("attribute_exists(lst[2].x)", None, True),
    ("attribute_type(tags, :t)", {":t": {"S": "SS"}}, True),
    ("attribute_type(nothing, :t)", {":t": {"S": "NULL"}}, True),
    ("attribute_type(#c, :t)", {":t": {"S": "S"}}, False),
    ("begins_with(#n, :p)", {":p": {"S": "over"}}, True),
    ("begins_with(#n, :p)", {":p": {"S": "cast"}}, False),
    ("begins_with(#d, :p)", {":p": {"B": b"\x01\x02"}}, True),
    ("contains(#n, :s)", {":s": {"S": "erca"}}, True),
    ("contains(tags, :s)", {":s": {"S": "red"}}, True),
    ("contains(tags, :s)", {":s": {"S": "green"}}, False),
    ("contains(nums, :s)", {":s": {"N": "2.0"}}, True),
    ("contains(lst, :s)", {":s": {"S": "a"}}, True),
    ("size(#n) = :n", {":n": {"N": "8"}}, True),
    ("size(tags) = :n", {":n": {"N": "2"}}, True),
    ("size(lst) > :n", {":n": {"N": "2"}}, True),
    ("size(doc) = :n", {":n": {"N": "2"}}, True),
    ("size(#d) = :n", {":n": {"N": "3"}}, True),
    ("NOT #n = :v", {":v": {"S": "overcast"}}, False),
    ("#n = :v AND #c = :c", {":v": {"S": "overcast"}, ":c": {"N": "1"}}, False),
    ("#n = :v OR #c = :c", {":v": {"S": "overcast"}, ":c": {"N": "1"}}, True),
    ("NOT (#n = :v OR #c = :c) AND price = :p", {":v": {"S": "x"}, ":c": {"N": "1"}, ":p": {"N": "2.5"}}, True),
    ("doc.flag = :t", {":t": {"BOOL": True}}, True),
    ("lst[2] = :m", {":m": {"M": {"x": {"S": "y"}}}}, True),
    ("tags = :s", {":s": {"SS": ["blue", "red"]}}, True),
])
def test_condition(ddb, table, expression, values, expected):
    names = {k: v for k, v in {"#n": "name", "#c": "count", "#d": "data"}.items() if k in expression}
    assert holds(ddb, table, expression, values, names or None) is expected


def _update(ddb, table, expression, values=None, names=None, key=KEY):
    kwargs = {"TableName": table, "Key": key, "UpdateExpression": expression, "ReturnValues": "ALL_NEW"}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    if names:
        kwargs["ExpressionAttributeNames"] = names
    return ddb.update_item(**kwargs)["Attributes"]


def test_set_arithmetic_functions_and_nested_paths(ddb, table):
    item = _update(ddb, table, "SET #c = #c - :one, price = price + :half, lst[1] = :new, doc.nest.deep = :z, "
                               "fresh = if_not_exists(fresh, :zero) + :one, #n = if_not_exists(#n, :z), "
                               "joined = list_append(:front, lst)",
                   {":one": {"N": "1"}, ":half": {"N": "0.5"}, ":new": {"S": "b"}, ":z": {"N": "0"},
                    ":zero": {"N": "0"}, ":front": {"L": [{"S": "first"}]}},
                   {"#c": "count", "#n": "name"})
    assert item["count"] == {"N": "9"}
    assert item["price"] == {"N": "3"}
    assert item["fresh"] == {"N": "1"}
    assert item["name"] == {"S": "overcast"}
    assert item["doc"]["M"]["nest"]["M"]["deep"] == {"N": "0"}
    assert item["lst"]["L"][:2] == [{"S": "a"}, {"S": "b"}]
    assert item["joined"]["L"][:3] == [{"S": "first"}, {"S": "a"}, {"N": "1"}]


def test_set_list_index_past_the_end_appends(ddb, table):
    item = _update(ddb, table, "SET lst[10] = :v", {":v": {"S": "end"}})
    assert item["lst"]["L"][-1] == {"S": "end"} and len(item["lst"]["L"]) == 4


def test_remove_paths_and_list_elements(ddb, table):
    item = _update(ddb, table, "REMOVE lst[0], lst[2], doc.nest, absent")
    assert item["lst"]["L"] == [{"N": "1"}]
    assert item["doc"]["M"] == {"flag": {"BOOL": True}}


def test_add_and_delete(ddb, table):
    item = _update(ddb, table, "ADD #c :five, tags :more, newset :ns, newnum :five DELETE nums :one",
                   {":five": {"N": "5"}, ":more": {"SS": ["green", "red"]}, ":ns": {"NS": ["7"]},
                    ":one": {"NS": ["1"]}}, {"#c": "count"})
    assert item["count"] == {"N": "15"}
    assert sorted(item["tags"]["SS"]) == ["blue", "green", "red"]
    assert item["newset"] == {"NS": ["7"]} and item["newnum"] == {"N": "5"}
    assert item["nums"] == {"NS": ["2"]}
    item = _update(ddb, table, "DELETE nums :two", {":two": {"NS": ["2"]}})
    assert "nums" not in item


@pytest.mark.parametrize(("expression", "values", "message"), [
    ("SET #c = #c + :s", {":s": {"S": "x"}},
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, "
     "operand type: S"),
    ("SET name2 = #n + :one", {":one": {"N": "1"}}, "An operand in the update expression has an incorrect data type"),
    ("SET a.b.c = :one", {":one": {"N": "1"}}, "The document path provided in the update expression is invalid for update"),
    ("SET x = nope", None, "The provided expression refers to an attribute that does not exist in the item"),
    ("ADD #n :one", {":one": {"N": "1"}}, "An operand in the update expression has an incorrect data type"),
    ("ADD tags :s", {":s": {"S": "x"}},
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: "
     "STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("SET a = :one, a = :one", {":one": {"N": "1"}},
     "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these "
     "paths; path one: [a], path two: [a]"),
    ("SET doc.flag = :one REMOVE doc", {":one": {"N": "1"}},
     "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these "
     "paths; path one: [doc, flag], path two: [doc]"),
    ("SET a = :one SET b = :one", {":one": {"N": "1"}},
     'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'),
    ("SET a = ", None, 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "= "'),
    ("SET status = :one", {":one": {"N": "1"}},
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    ("SET a = :missing", None,
     "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
     "attribute value: :missing"),
    ("SET a = size(b)", None,
     "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"),
])
def test_update_errors(ddb, table, expression, values, message):
    names = {"#c": "count", "#n": "name"}
    kwargs = {"TableName": table, "Key": KEY, "UpdateExpression": expression}
    used = {k: v for k, v in names.items() if k in expression}
    if used:
        kwargs["ExpressionAttributeNames"] = used
    if values:
        kwargs["ExpressionAttributeValues"] = values
    code, got = error_of(ddb.update_item, **kwargs)
    # UpdateItem words its request-validation errors inside AWS's envelope (Query and Scan do not);
    # the errors of applying the update to the stored item stay bare
    expected = ENVELOPE + message if message.startswith("Invalid UpdateExpression") else message
    assert (code, got) == ("ValidationException", expected)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"ConditionExpression": "a = :a", "ExpressionAttributeValues": {":a": {"N": "1"}, ":b": {"N": "2"}}},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}"),
    ({"ConditionExpression": "a = :a", "ExpressionAttributeValues": {":a": {"N": "1"}},
      "ExpressionAttributeNames": {"#x": "x"}},
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}"),
    ({"ConditionExpression": "#x = :a", "ExpressionAttributeValues": {":a": {"N": "1"}}},
     "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
     "attribute name: #x"),
    ({"ConditionExpression": "size(a)"},
     "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"),
    ({"ConditionExpression": "attribute_type(a, :t)", "ExpressionAttributeValues": {":t": {"S": "X"}}},
     "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: "
     "{ B, NULL, SS, BOOL, L, BS, N, NS, S, M }"),
    ({"ConditionExpression": "a = = :a", "ExpressionAttributeValues": {":a": {"N": "1"}}},
     'Invalid ConditionExpression: Syntax error; token: "=", near: "= = :a"'),
    ({"ConditionExpression": "begins_with(a, :n)", "ExpressionAttributeValues": {":n": {"N": "1"}}},
     "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: "
     "begins_with, operand type: N"),
    ({"ConditionExpression": ""}, "Invalid ConditionExpression: The expression can not be empty;"),
    ({"ExpressionAttributeValues": {":a": {"N": "1"}}},
     "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"),
    ({"ConditionExpression": "a = :a", "ExpressionAttributeValues": {}},
     "ExpressionAttributeValues must not be empty"),
])
def test_condition_errors(ddb, table, kwargs, message):
    code, got = error_of(ddb.put_item, TableName=table, Item=KEY, **kwargs)
    assert (code, got) == ("ValidationException", ENVELOPE + message)


def test_projection_expression(ddb, table):
    item = ddb.get_item(TableName=table, Key=KEY, ProjectionExpression="#n, lst[2].x, lst[0], doc.nest.deep, nope",
                        ExpressionAttributeNames={"#n": "name"})["Item"]
    assert item == {"name": {"S": "overcast"}, "lst": {"L": [{"S": "a"}, {"M": {"x": {"S": "y"}}}]},
                    "doc": {"M": {"nest": {"M": {"deep": {"N": "5"}}}}}}
    _code, message = error_of(ddb.get_item, TableName=table, Key=KEY, ProjectionExpression="doc, doc.flag")
    assert message == ("Invalid ProjectionExpression: Two document paths overlap with each other; must remove or "
                       "rewrite one of these paths; path one: [doc], path two: [doc, flag]")
