"""Table operations, their validation, tags, TTL settings, and the AWS CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.integration.dynamodb.helpers import error_of, unique

KEYS = [{"AttributeName": "id", "KeyType": "HASH"}]
ATTRS = [{"AttributeName": "id", "AttributeType": "S"}]


def test_create_describe_list_delete(ddb):
    name = unique("life")
    created = ddb.create_table(TableName=name, KeySchema=KEYS, AttributeDefinitions=ATTRS,
                               ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3},
                               Tags=[{"Key": "team", "Value": "a"}])["TableDescription"]
    assert created["TableStatus"] == "CREATING"
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert table["KeySchema"] == KEYS and table["ItemCount"] == 0
    ddb.put_item(TableName=name, Item={"id": {"S": "x"}, "v": {"S": "12345"}})
    assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 1
    assert name in ddb.list_tables(Limit=100)["TableNames"]
    assert ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"] == [{"Key": "team", "Value": "a"}]
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"
    code, message = error_of(ddb.describe_table, TableName=name)
    assert (code, message) == ("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found")


def test_list_tables_pagination(ddb):
    names = sorted(unique("page") for _ in range(3))
    for name in names:
        ddb.create_table(TableName=name, KeySchema=KEYS, AttributeDefinitions=ATTRS, BillingMode="PAY_PER_REQUEST")
    seen, start = [], None
    while True:
        page = ddb.list_tables(Limit=2, **({"ExclusiveStartTableName": start} if start else {}))
        seen += page["TableNames"]
        start = page.get("LastEvaluatedTableName")
        if not start:
            break
    assert [n for n in seen if n in names] == names
    for name in names:
        ddb.delete_table(TableName=name)


def test_create_table_errors(ddb, make_table):
    existing = make_table()
    code, message = error_of(ddb.create_table, TableName=existing, KeySchema=KEYS, AttributeDefinitions=ATTRS,
                             BillingMode="PAY_PER_REQUEST")
    assert (code, message) == ("ResourceInUseException", f"Table already exists: {existing}")
    assert error_of(ddb.create_table, TableName="ab", KeySchema=KEYS, AttributeDefinitions=ATTRS,
                    BillingMode="PAY_PER_REQUEST")[1] == (
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have "
        "length greater than or equal to 3")
    assert error_of(ddb.create_table, TableName=unique(), KeySchema=KEYS,
                    AttributeDefinitions=[*ATTRS, {"AttributeName": "x", "AttributeType": "S"}],
                    BillingMode="PAY_PER_REQUEST")[1] == (
        "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number "
        "of attributes defined in AttributeDefinitions")
    assert error_of(ddb.create_table, TableName=unique(), KeySchema=[{"AttributeName": "x", "KeyType": "HASH"}],
                    AttributeDefinitions=ATTRS, BillingMode="PAY_PER_REQUEST")[1] == (
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [x], AttributeDefinitions: [id]")
    assert error_of(ddb.create_table, TableName=unique(), KeySchema=[{"AttributeName": "id", "KeyType": "RANGE"}],
                    AttributeDefinitions=ATTRS, BillingMode="PAY_PER_REQUEST")[1] == \
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
    assert error_of(ddb.create_table, TableName=unique(), KeySchema=KEYS, AttributeDefinitions=ATTRS)[1] == (
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be "
        "specified when BillingMode is PROVISIONED")
    assert error_of(ddb.create_table, TableName=unique(), KeySchema=KEYS, AttributeDefinitions=ATTRS,
                    BillingMode="PAY_PER_REQUEST",
                    LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": KEYS,
                                            "Projection": {"ProjectionType": "ALL"}}])[1] == (
        "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required "
        "when specifying a LocalSecondaryIndex")


def test_update_table_billing_and_streams(ddb, make_table):
    name = make_table()
    table = ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                             ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2})["TableDescription"]
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    enabled = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True,
                                                                    "StreamViewType": "KEYS_ONLY"})["TableDescription"]
    assert enabled["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert enabled["LatestStreamArn"].startswith(f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}/stream/")
    assert error_of(ddb.update_table, TableName=name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})[1] == \
        f"Table already has an enabled stream: {enabled['LatestStreamArn']}"
    disabled = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})["TableDescription"]
    assert "StreamSpecification" not in disabled
    assert disabled["LatestStreamArn"] == enabled["LatestStreamArn"]


def test_deletion_protection(ddb, make_table):
    name = make_table(DeletionProtectionEnabled=True)
    code, message = error_of(ddb.delete_table, TableName=name)
    assert code == "ValidationException" and "protected against deletion" in message
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)


def test_time_to_live_settings(ddb, make_table):
    name = make_table()
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    spec = {"Enabled": True, "AttributeName": "expires"}
    assert ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=spec)["TimeToLiveSpecification"] == spec
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    assert error_of(ddb.update_time_to_live, TableName=name, TimeToLiveSpecification=spec)[1] == \
        "TimeToLive is already enabled"


def test_tags(ddb, make_table):
    arn = ddb.describe_table(TableName=make_table())["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    missing = arn.replace("table/", "table/no-such-")
    assert error_of(ddb.list_tags_of_resource, ResourceArn=missing)[0] == "ResourceNotFoundException"


def test_endpoints_and_limits(ddb):
    assert ddb.describe_endpoints()["Endpoints"][0]["CachePeriodInMinutes"] == 1440
    assert ddb.describe_limits()["TableMaxWriteCapacityUnits"] == 40000


def _cli(server, *args):
    out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.url, "dynamodb", *args,
                          "--output", "json"], env=server.aws_cli_env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else {}


def test_aws_cli(overcast_server, ddb):
    name = unique("cli")
    created = _cli(overcast_server, "create-table", "--table-name", name, "--attribute-definitions",
                   "AttributeName=id,AttributeType=S", "--key-schema", "AttributeName=id,KeyType=HASH",
                   "--billing-mode", "PAY_PER_REQUEST")
    assert created["TableDescription"]["TableName"] == name
    ddb.put_item(TableName=name, Item={"id": {"S": "1"}, "n": {"N": "5"}})
    _cli(overcast_server, "update-item", "--table-name", name, "--key", '{"id": {"S": "1"}}',
         "--update-expression", "ADD n :d", "--expression-attribute-values", '{":d": {"N": "2"}}')
    got = _cli(overcast_server, "get-item", "--table-name", name, "--key", '{"id": {"S": "1"}}')
    assert got["Item"] == {"id": {"S": "1"}, "n": {"N": "7"}}
    ddb.delete_table(TableName=name)


@pytest.mark.parametrize("op", ["describe_continuous_backups"])
def test_continuous_backups_answer(ddb, make_table, op):
    assert getattr(ddb, op)(TableName=make_table())["ContinuousBackupsDescription"]["ContinuousBackupsStatus"] == "ENABLED"
