"""Global tables across regions of one overcast: UpdateTable's ReplicaUpdates (version 2019.11.21)
and CreateGlobalTable & co (version 2017.11.29); writes in one region appear in the others."""

from __future__ import annotations

import pytest

from tests.integration.dynamodb.helpers import error_of, unique

KEY = {"pk": {"S": "a"}}


@pytest.fixture
def west(overcast_server):
    return overcast_server.client("dynamodb", region_name="us-west-2")


def _create(client, name, stream=None):
    kwargs = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": stream}} if stream else {}
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **kwargs)


def test_replica_updates(ddb, west):
    name = unique("global")
    _create(ddb, name)
    ddb.put_item(TableName=name, Item={**KEY, "v": {"N": "1"}})
    updated = ddb.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    described = updated["TableDescription"]
    assert described["GlobalTableVersion"] == "2019.11.21"
    assert described["Replicas"] == [{"RegionName": "us-west-2", "ReplicaStatus": "ACTIVE"}]
    assert described["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    replica = west.describe_table(TableName=name)["Table"]
    assert replica["Replicas"] == [{"RegionName": "us-east-1", "ReplicaStatus": "ACTIVE"}]
    assert west.get_item(TableName=name, Key=KEY)["Item"]["v"] == {"N": "1"}  # existing items copied
    west.put_item(TableName=name, Item={**KEY, "v": {"N": "2"}})
    assert ddb.get_item(TableName=name, Key=KEY)["Item"]["v"] == {"N": "2"}  # and writes replicate both ways
    ddb.delete_item(TableName=name, Key=KEY)
    assert "Item" not in west.get_item(TableName=name, Key=KEY)
    assert error_of(ddb.update_table, TableName=name, ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])[0] \
        == "ReplicaAlreadyExistsException"
    ddb.update_table(TableName=name, ReplicaUpdates=[{"Delete": {"RegionName": "us-west-2"}}])
    assert error_of(west.describe_table, TableName=name)[0] == "ResourceNotFoundException"
    assert "Replicas" not in ddb.describe_table(TableName=name)["Table"]
    ddb.delete_table(TableName=name)


def test_version_2017_global_tables(ddb, west):
    name = unique("gt2017")
    _create(ddb, name, "NEW_AND_OLD_IMAGES")
    _create(west, name, "NEW_AND_OLD_IMAGES")
    created = ddb.create_global_table(GlobalTableName=name, ReplicationGroup=[{"RegionName": "us-east-1"},
                                                                             {"RegionName": "us-west-2"}])
    description = created["GlobalTableDescription"]
    assert description["GlobalTableStatus"] == "CREATING" and description["GlobalTableName"] == name
    assert description["GlobalTableArn"].endswith(f":global-table/{name}")
    assert ddb.describe_global_table(GlobalTableName=name)["GlobalTableDescription"]["GlobalTableStatus"] == "ACTIVE"
    assert error_of(ddb.create_global_table, GlobalTableName=name, ReplicationGroup=[{"RegionName": "us-east-1"}]) \
        == ("GlobalTableAlreadyExistsException", "Global table with this name already exists")
    listed = ddb.list_global_tables()["GlobalTables"]
    assert {"GlobalTableName": name, "ReplicationGroup": [{"RegionName": "us-east-1"}, {"RegionName": "us-west-2"}]} \
        in listed
    ddb.put_item(TableName=name, Item=KEY)
    assert west.get_item(TableName=name, Key=KEY)["Item"] == KEY
    assert error_of(ddb.describe_global_table, GlobalTableName="nope") == (
        "GlobalTableNotFoundException", "Global table not found")
    ddb.update_global_table(GlobalTableName=name, ReplicaUpdates=[{"Delete": {"RegionName": "us-west-2"}}])
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}})
    assert "Item" not in west.get_item(TableName=name, Key={"pk": {"S": "after"}})
    no_stream = unique("nostream")
    _create(ddb, no_stream)
    assert error_of(ddb.create_global_table, GlobalTableName=no_stream,
                    ReplicationGroup=[{"RegionName": "us-east-1"}])[0] == "ValidationException"
    for client, table in ((ddb, name), (west, name), (ddb, no_stream)):
        client.delete_table(TableName=table)


def test_deleting_a_replica_table_leaves_the_global_table(ddb, west):
    name = unique("leave")
    _create(ddb, name)
    ddb.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    west.delete_table(TableName=name)
    described = ddb.describe_table(TableName=name)["Table"]
    assert "Replicas" not in described and "GlobalTableVersion" not in described
    ddb.put_item(TableName=name, Item=KEY)  # no replica left to write to
    ddb.delete_table(TableName=name)
