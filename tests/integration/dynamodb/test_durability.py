"""Acknowledged writes survive a SIGKILL, with their index entries and stream records."""

from __future__ import annotations

from overcast.testing import OvercastServer


def test_writes_and_stream_records_survive_sigkill(tmp_path):
    with OvercastServer(tmp_path) as server:
        ddb = server.client("dynamodb")
        ddb.create_table(
            TableName="durable", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                  {"AttributeName": "group", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "by-group", "KeySchema": [{"AttributeName": "group", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        for i in range(150):
            ddb.put_item(TableName="durable", Item={"id": {"S": f"i{i}"}, "group": {"S": f"g{i % 3}"}, "n": {"N": str(i)}})
        for i in range(0, 150, 10):
            ddb.update_item(TableName="durable", Key={"id": {"S": f"i{i}"}}, UpdateExpression="ADD n :k",
                            ExpressionAttributeValues={":k": {"N": "1000"}})
        for i in range(1, 150, 15):
            ddb.delete_item(TableName="durable", Key={"id": {"S": f"i{i}"}})
        ddb.batch_write_item(RequestItems={"durable": [
            {"PutRequest": {"Item": {"id": {"S": f"b{i}"}, "group": {"S": "g9"}}}} for i in range(25)]})
        expected_records = 150 + 15 + 10 + 25

        server.restart(crash=True)

        ddb, streams = server.client("dynamodb"), server.client("dynamodbstreams")
        items = {}
        for page in ddb.get_paginator("scan").paginate(TableName="durable"):
            items.update({item["id"]["S"]: item for item in page["Items"]})
        assert len(items) == 150 - 10 + 25
        assert items["i10"]["n"] == {"N": "1010"} and "i16" not in items
        assert ddb.describe_table(TableName="durable")["Table"]["ItemCount"] == 165
        group = ddb.query(TableName="durable", IndexName="by-group", KeyConditionExpression="#g = :g",
                          ExpressionAttributeNames={"#g": "group"}, ExpressionAttributeValues={":g": {"S": "g9"}})
        assert group["Count"] == 25
        arn = ddb.describe_table(TableName="durable")["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = []
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            records += page["Records"]
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
        assert len(records) == expected_records
        names = [r["eventName"] for r in records]
        assert names.count("INSERT") == 175 and names.count("MODIFY") == 15 and names.count("REMOVE") == 10
