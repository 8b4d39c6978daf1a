"""DynamoDB's wording and response shapes as AWS records them: the `1 validation error detected: `
envelope of item writes (and its absence on Query/Scan), model-constraint paths and enum orders,
key condition messages, ConsumedCapacity of single, batch and transactional calls, UPDATED_OLD,
and the shape of stream shard iterators."""

from __future__ import annotations

import re

import pytest

from tests.integration.dynamodb.helpers import error_of

ENVELOPE = "1 validation error detected: "
KEY = {"pk": {"S": "k"}, "sk": {"S": "k"}}


@pytest.fixture
def table(make_table, ddb):
    name = make_table()
    ddb.put_item(TableName=name, Item={**KEY, "a": {"N": "1"}, "doc": {"M": {"x": {"S": "y"}}}})
    return name


# -- the envelope of item writes ----------------------------------------------------------------

def test_item_writes_envelope_their_request_validation(ddb, table):
    assert error_of(ddb.put_item, TableName=table, Item=KEY, ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeNames={"#x": "x"}) == (
        "ValidationException",
        ENVELOPE + "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}")
    assert error_of(ddb.update_item, TableName=table, Key=KEY, UpdateExpression="SET doc = :v REMOVE doc.x",
                    ExpressionAttributeValues={":v": {"S": "v"}})[1] == (
        ENVELOPE + "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite "
        "one of these paths; path one: [doc], path two: [doc, x]")
    assert error_of(ddb.update_item, TableName=table, Key=KEY, UpdateExpression="")[1] == (
        ENVELOPE + "Invalid UpdateExpression: The expression can not be empty;")
    assert error_of(ddb.update_item, TableName=table, Key=KEY, UpdateExpression="SET s = :v",
                    ExpressionAttributeValues={":v": {"SS": []}})[1] == (
        ENVELOPE + "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
        "An string set  may not be empty for key :v")
    assert error_of(ddb.put_item, TableName=table, Item={**KEY, "s": {"NS": []}})[1] == (
        ENVELOPE + "One or more parameter values were invalid: An number set  may not be empty")
    assert error_of(ddb.delete_item, TableName=table, Key=KEY, ConditionExpression="((a = :v))",
                    ExpressionAttributeValues={":v": {"N": "1"}})[1] == (
        ENVELOPE + "Invalid ConditionExpression: The expression has redundant parentheses;")


def test_query_and_scan_stay_bare(ddb, table):
    assert error_of(ddb.query, TableName=table, KeyConditionExpression="pk = :v",
                    ExpressionAttributeValues={":v": {"S": "k"}}, ExpressionAttributeNames={"#x": "x"})[1] == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}")
    assert error_of(ddb.scan, TableName=table, FilterExpression="((a = :v))",
                    ExpressionAttributeValues={":v": {"N": "1"}})[1] == (
        "Invalid FilterExpression: The expression has redundant parentheses;")
    assert error_of(ddb.scan, TableName=table, FilterExpression="a BETWEEN :n AND :v",
                    ExpressionAttributeValues={":n": {"NULL": True}, ":v": {"N": "1"}})[1] == (
        "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: "
        "BETWEEN, operand type: NULL")


def test_single_parentheses_are_accepted(ddb, table):
    found = ddb.scan(TableName=table, FilterExpression="(a = :v) AND (attribute_exists(doc))",
                     ExpressionAttributeValues={":v": {"N": "1"}})
    assert found["Count"] == 1


def test_numbers_that_are_not_numbers(ddb, table):
    assert error_of(ddb.put_item, TableName=table, Item={**KEY, "n": {"N": "x1"}})[1] == (
        ENVELOPE + "The parameter cannot be converted to a numeric value: x1")
    assert error_of(ddb.put_item, TableName=table, Item={**KEY, "n": {"N": ""}})[1] == (
        ENVELOPE + "The parameter cannot be converted to a numeric value")


# -- model constraints: enum order and paths ----------------------------------------------------

@pytest.mark.parametrize("operation", ["query", "scan"])
def test_select_enum_in_aws_order(ddb, table, operation):
    kwargs = {"KeyConditionExpression": "pk = :v", "ExpressionAttributeValues": {":v": {"S": "k"}}} \
        if operation == "query" else {}
    assert error_of(getattr(ddb, operation), TableName=table, Select="count", **kwargs) == (
        "ValidationException",
        "1 validation error detected: Value 'count' at 'select' failed to satisfy constraint: Member must satisfy "
        "enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]")


def test_return_values_enum_in_aws_order(ddb, table):
    assert error_of(ddb.put_item, TableName=table, Item=KEY, ReturnValues="hi")[1] == (
        "1 validation error detected: Value 'hi' at 'returnValues' failed to satisfy constraint: Member must "
        "satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]")


def test_key_schema_paths_and_length(ddb):
    definitions = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]
    assert error_of(ddb.create_table, TableName="bad-key-type", AttributeDefinitions=definitions,
                    BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                               {"AttributeName": "sk", "KeyType": "SORT"}]) == (
        "ValidationException",
        "1 validation error detected: Value 'SORT' at 'keySchema.2.member.keyType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [HASH, RANGE]")
    _code, message = error_of(ddb.create_table, TableName="three-keys", AttributeDefinitions=definitions,
                              BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                         {"AttributeName": "sk", "KeyType": "RANGE"},
                                         {"AttributeName": "x", "KeyType": "Woop"}])
    assert message.startswith("2 validation errors detected: Value '[")
    problems = message.split("; ")
    assert problems[0].endswith("' at 'keySchema' failed to satisfy constraint: Member must have length less than "
                                "or equal to 2")
    assert problems[1] == ("Value 'Woop' at 'keySchema.3.member.keyType' failed to satisfy constraint: Member must "
                           "satisfy enum value set: [HASH, RANGE]")


@pytest.mark.parametrize("member", ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"])
def test_empty_index_lists(ddb, member):
    assert error_of(ddb.create_table, TableName="empty-indexes", BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **{member: []}) == (
        "ValidationException", f"One or more parameter values were invalid: List of {member} is empty")


def test_gsi_sort_key_size(ddb, make_table):
    name = make_table(extra_attributes={"g": "S", "r": "S"}, GlobalSecondaryIndexes=[{
        "IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                          {"AttributeName": "r", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"}}])
    ddb.put_item(TableName=name, Item={**KEY, "g": {"S": "g"}, "r": {"S": "r" * 1024}})
    assert error_of(ddb.put_item, TableName=name, Item={**KEY, "g": {"S": "g"}, "r": {"S": "r" * 1025}})[1] == (
        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit "
        "of 1024 bytes")


# -- key conditions -----------------------------------------------------------------------------

@pytest.mark.parametrize(("expression", "message"), [
    ("sk = :v", "Query condition missed key schema element: pk"),
    ("pk = sk", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    ("pk = :v AND begins_with(sk, pk)",
     "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    ("pk = :v AND sk BETWEEN pk AND :v",
     "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
])
def test_key_condition_messages(ddb, table, expression, message):
    values = {":v": {"S": "k"}} if ":v" in expression else None
    kwargs = {"ExpressionAttributeValues": values} if values else {}
    assert error_of(ddb.query, TableName=table, KeyConditionExpression=expression, **kwargs) == (
        "ValidationException", message)


def test_query_key_cannot_be_empty(ddb, table):
    assert error_of(ddb.query, TableName=table, KeyConditionExpression="pk = :v",
                    ExpressionAttributeValues={":v": {"S": ""}})[1] == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
        "empty string value. Key: pk")


def test_batch_write_key_mismatch(ddb, table):
    for request in ({"PutRequest": {"Item": {"pk": {"S": "a"}}}},
                    {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
                    {"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}):
        assert error_of(ddb.batch_write_item, RequestItems={table: [request]}) == (
            "ValidationException", "The provided key element does not match the schema")


# -- responses ----------------------------------------------------------------------------------

def test_consumed_capacity_total(ddb, table):
    got = ddb.get_item(TableName=table, Key=KEY, ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert got == {"TableName": table, "CapacityUnits": 0.5, "ReadCapacityUnits": 0.5}
    put = ddb.put_item(TableName=table, Item=KEY, ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert put == {"TableName": table, "CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}
    query = ddb.query(TableName=table, KeyConditionExpression="pk = :v", ExpressionAttributeValues={":v": KEY["pk"]},
                      ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert query == {"TableName": table, "CapacityUnits": 0.5, "ReadCapacityUnits": 0.5}


def test_batches_and_transactions_report_consumed_capacity(ddb, table):
    got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": KEY}}],
                                 ReturnConsumedCapacity="TOTAL")
    assert got["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}]
    assert len(got["Responses"]) == 1
    written = ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": KEY}}],
                                       ReturnConsumedCapacity="TOTAL")
    assert written["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}]
    batch = ddb.batch_get_item(RequestItems={table: {"Keys": [KEY]}}, ReturnConsumedCapacity="TOTAL")
    assert batch["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 0.5, "ReadCapacityUnits": 0.5}]
    batch_write = ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": KEY}}]},
                                       ReturnConsumedCapacity="TOTAL")
    assert batch_write["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}]
    assert "ConsumedCapacity" not in ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": KEY}}])


def test_updated_old_with_nothing_there_omits_attributes(ddb, table):
    fresh = ddb.update_item(TableName=table, Key=KEY, UpdateExpression="SET fresh = :v",
                            ExpressionAttributeValues={":v": {"S": "new"}}, ReturnValues="UPDATED_OLD")
    assert "Attributes" not in fresh
    again = ddb.update_item(TableName=table, Key=KEY, UpdateExpression="SET fresh = :v",
                            ExpressionAttributeValues={":v": {"S": "newer"}}, ReturnValues="UPDATED_OLD")
    assert again["Attributes"] == {"fresh": {"S": "new"}}


def test_stream_shard_iterator_shape(ddb, streams, make_table):
    name = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    assert re.fullmatch(re.escape(arn) + r"\|\d\|[A-Za-z0-9+/=_-]+", iterator["ShardIterator"])
    ddb.put_item(TableName=name, Item=KEY)
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])
    assert len(records["Records"]) == 1
    assert records["NextShardIterator"].startswith(arn + "|")


def test_sse_description(ddb, make_table, overcast_server):
    plain = make_table()
    assert "SSEDescription" not in ddb.describe_table(TableName=plain)["Table"]
    managed = make_table(SSESpecification={"Enabled": True, "SSEType": "KMS"})
    sse = ddb.describe_table(TableName=managed)["Table"]["SSEDescription"]
    assert sse["Status"] == "ENABLED" and sse["SSEType"] == "KMS"
    assert re.fullmatch(r"arn:aws:kms:us-east-1:\d{12}:key/[0-9a-f-]{36}", sse["KMSMasterKeyArn"])
    key = overcast_server.client("kms").create_key()["KeyMetadata"]
    own = make_table(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["KeyId"]})
    assert ddb.describe_table(TableName=own)["Table"]["SSEDescription"]["KMSMasterKeyArn"] == key["Arn"]


def test_warm_throughput(ddb, make_table):
    on_demand = make_table()
    assert ddb.describe_table(TableName=on_demand)["Table"]["WarmThroughput"] == {
        "ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    name = f"warm-{re.sub('[^a-z0-9]', '', str(id(ddb)))}"
    created = ddb.create_table(TableName=name, BillingMode="PROVISIONED",
                               ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])["TableDescription"]
    try:
        assert created["WarmThroughput"] == {"ReadUnitsPerSecond": 5, "WriteUnitsPerSecond": 5, "Status": "UPDATING"}
    finally:
        ddb.delete_table(TableName=name)


def test_consumed_capacity_indexes_of_an_index_query(ddb, make_table):
    name = make_table(extra_attributes={"g": "S"}, GlobalSecondaryIndexes=[{
        "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}])
    ddb.put_item(TableName=name, Item={**KEY, "g": {"S": "x"}})
    used = ddb.query(TableName=name, IndexName="by-g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "x"}}, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert used == {"TableName": name, "CapacityUnits": 0.5, "ReadCapacityUnits": 0.5,
                    "Table": {"CapacityUnits": 0.0, "ReadCapacityUnits": 0.0},
                    "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 0.5, "ReadCapacityUnits": 0.5}}}


def test_map_and_list_member_paths(overcast_server, table):
    raw = overcast_server.client("dynamodb", validate=False)
    assert error_of(raw.batch_write_item, RequestItems={table: [{"PutRequest": {}}]}) == (
        "ValidationException",
        f"1 validation error detected: Value null at 'requestItems.{table}.member.1.member.putRequest.item' failed "
        "to satisfy constraint: Member must not be null")
    assert error_of(raw.batch_get_item, RequestItems={table: {}})[1] == (
        f"1 validation error detected: Value null at 'requestItems.{table}.member.keys' failed to satisfy "
        "constraint: Member must not be null")
