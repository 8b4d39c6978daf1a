"""The soak's application load: the e-commerce example (examples/ecommerce, provisioned as
bench/common_ecommerce.py does) with orders placed through its REST API, a Kinesis stream read by
an event source mapping, and a DynamoDB table whose stream is read by another.

An acknowledged checkout (200 from POST /basket/checkout: the order event is on the bus) must end as
the example promises: the order stored in table `order` under the user and the checkout date, and
the basket gone. A record PutRecord acknowledged must reach the mapping's function at least once
([Kinesis event source mappings](https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html):
a batch is retried until it succeeds or its records expire, so nothing is skipped). So must an
acknowledged PutItem on the streamed table: each item-level change appears exactly once in the
table's stream ([DynamoDB Streams](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html)),
and the mapping delivers its records at least once
([DynamoDB event source mappings](https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html))."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from bench.common_ecommerce import catalog, code_zip, provision

ITEMS = [{"quantity": 2, "color": "Red", "price": 950, "productId": "1", "productName": "IPhone X"},
         {"quantity": 1, "color": "Blue", "price": 870, "productId": "2", "productName": "Samsung 10"}]
RECORDER = """import base64, os
def handler(event, context):
    lines = [base64.b64decode(r['kinesis']['data']).decode() + '\\n' for r in event['Records']]
    with open(os.environ['RECORD_FILE'], 'a') as out:
        out.write(''.join(lines))
"""
ITEM_RECORDER = """import os
def handler(event, context):
    lines = [r['dynamodb']['NewImage']['id']['S'] + '\\n' for r in event['Records']]
    with open(os.environ['RECORD_FILE'], 'a') as out:
        out.write(''.join(lines))
"""
ROLE = "arn:aws:iam::000000000000:role/soak"


class Shop:
    """The e-commerce example under load: place orders, then see which reached their final state."""

    def __init__(self, server: Any) -> None:
        self.server = server
        account = server.client("sts").get_caller_identity()["Account"]
        apis = provision(lambda service: server.client(service, retries=0), account, code_zip(), catalog())
        self.api = apis["basketFunction"]

    def order(self, ddb: Any, user: str) -> tuple[str, str]:
        """Fill the user's basket and check it out; (user, checkoutDate) once acknowledged."""
        ddb.put_item(TableName="basket", Item={"userName": {"S": user}, "items": {"L": [
            {"M": {k: {"N": str(v)} if isinstance(v, int) else {"S": v} for k, v in item.items()}} for item in ITEMS]}})
        body = json.dumps({"userName": user, "firstName": "soak", "email": "soak@example.com"}).encode()
        url = f"{self.server.url}/_aws/execute-api/{self.api}/prod/basket/checkout"
        request = urllib.request.Request(url, data=body, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:   # an HTTPError is not acknowledged
            answer = json.loads(response.read())
        answer = answer.get("body", answer)
        return user, answer["checkoutDate"]

    @staticmethod
    def final_states(ddb: Any) -> tuple[set[tuple[str, str]], set[str]]:
        """Stored orders (user, orderDate) and users whose basket is still there."""
        orders: set[tuple[str, str]] = set()
        for page in ddb.get_paginator("scan").paginate(TableName="order", ProjectionExpression="userName, orderDate"):
            orders.update((i["userName"]["S"], i["orderDate"]["S"]) for i in page["Items"])
        baskets: set[str] = set()
        for page in ddb.get_paginator("scan").paginate(TableName="basket", ProjectionExpression="userName"):
            baskets.update(i["userName"]["S"] for i in page["Items"])
        return orders, baskets

    @staticmethod
    def dead_letters(sqs: Any) -> int:
        url = sqs.get_queue_url(QueueName="OrderDeadLetterQueue")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


class Recorded:
    """A source whose mapping's function appends what it received to `record_file`, one token a line."""

    record_file: Path

    def seen(self) -> set[str]:
        return set(self._lines())

    def duplicates(self) -> int:
        """Records the function received more than once (allowed: a batch cut by a kill is retried)."""
        lines = self._lines()
        return len(lines) - len(set(lines))

    def _lines(self) -> list[str]:
        try:
            return self.record_file.read_text(errors="replace").split()
        except OSError:
            return []


class Stream(Recorded):
    """A Kinesis stream whose mapping's function appends each record's data to a file."""

    def __init__(self, server: Any, record_file: Path) -> None:
        self.kinesis = server.client("kinesis", retries=0)
        self.record_file = record_file
        self.kinesis.create_stream(StreamName="soak-stream", ShardCount=1)
        self.kinesis.get_waiter("stream_exists").wait(StreamName="soak-stream",
                                                      WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        arn = self.kinesis.describe_stream_summary(StreamName="soak-stream")["StreamDescriptionSummary"]["StreamARN"]
        lam = server.client("lambda", retries=0)
        lam.create_function(FunctionName="soak-stream-reader", Runtime="python3.12", Role=ROLE,
                            Handler="index.handler", Code={"ZipFile": zip_source(RECORDER)}, Timeout=30,
                            Environment={"Variables": {"RECORD_FILE": str(record_file)}})
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="soak-stream-reader", BatchSize=100,
                                        StartingPosition="TRIM_HORIZON")

    def put(self, token: str) -> None:
        self.kinesis.put_record(StreamName="soak-stream", Data=token.encode(), PartitionKey=token)


class TableStream(Recorded):
    """A DynamoDB table with a stream (NEW_IMAGE) whose mapping's function appends each new
    item's id to a file."""

    TABLE = "soak-streamed"

    def __init__(self, server: Any, record_file: Path) -> None:
        self.ddb = server.client("dynamodb", retries=0)
        self.record_file = record_file
        table = self.ddb.create_table(
            TableName=self.TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        lam = server.client("lambda", retries=0)
        lam.create_function(FunctionName="soak-table-reader", Runtime="python3.12", Role=ROLE,
                            Handler="index.handler", Code={"ZipFile": zip_source(ITEM_RECORDER)}, Timeout=30,
                            Environment={"Variables": {"RECORD_FILE": str(record_file)}})
        lam.create_event_source_mapping(EventSourceArn=table["TableDescription"]["LatestStreamArn"],
                                        FunctionName="soak-table-reader", BatchSize=100,
                                        StartingPosition="TRIM_HORIZON")

    def put(self, token: str) -> None:
        self.ddb.put_item(TableName=self.TABLE, Item={"id": {"S": token}})


def zip_source(source: str) -> bytes:
    """A function package holding `source` as index.py."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()
