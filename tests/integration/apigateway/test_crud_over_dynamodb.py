"""The design document's synchronous scenario: API Gateway → Lambda → DynamoDB serving a CRUD API,
called over plain HTTP."""

from __future__ import annotations

import uuid

from overcast.testing import wait_settled
from tests.integration.apigateway.helpers import rest_proxy_api

CRUD = """
import json, os, uuid
import boto3
TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])

def reply(status, body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}

def handler(event, context):
    method, params = event["httpMethod"], event["pathParameters"] or {}
    item_id = (params.get("proxy") or "").strip("/").removeprefix("items").strip("/")
    if method == "POST":
        item = {"id": str(uuid.uuid4()), **json.loads(event["body"] or "{}")}
        TABLE.put_item(Item=item)
        return reply(201, item)
    if method == "GET" and not item_id:
        return reply(200, TABLE.scan()["Items"])
    if method == "GET":
        found = TABLE.get_item(Key={"id": item_id}).get("Item")
        return reply(200, found) if found else reply(404, {"message": "not found"})
    if method == "PUT":
        TABLE.update_item(Key={"id": item_id}, UpdateExpression="SET #n = :n",
                          ExpressionAttributeNames={"#n": "name"},
                          ExpressionAttributeValues={":n": json.loads(event["body"])["name"]})
        return reply(200, TABLE.get_item(Key={"id": item_id})["Item"])
    if method == "DELETE":
        TABLE.delete_item(Key={"id": item_id})
        return reply(204, {})
    return reply(405, {"message": "method not allowed"})
"""


def test_crud_api_over_dynamodb(overcast_server, apigw, lam, http):
    ddb = overcast_server.client("dynamodb")
    table = f"items-{uuid.uuid4().hex[:8]}"
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    api_id, name = rest_proxy_api(apigw, lam, CRUD, stage="prod")
    lam.update_function_configuration(FunctionName=name, Timeout=30, Environment={"Variables": {"TABLE": table}})
    wait_settled(lam, name)  # the previous configuration serves until the update is Successful
    base = f"/restapis/{api_id}/prod/_user_request_/items"

    created = http.post(base, json={"name": "lamp"})
    assert created.status_code == 201, created.text
    item = created.json()
    assert http.get(f"{base}/{item['id']}").json() == item
    assert [i["name"] for i in http.get(base).json()] == ["lamp"]
    updated = http.put(f"{base}/{item['id']}", json={"name": "desk lamp"})
    assert updated.json()["name"] == "desk lamp"
    assert ddb.get_item(TableName=table, Key={"id": {"S": item["id"]}})["Item"]["name"] == {"S": "desk lamp"}
    assert http.delete(f"{base}/{item['id']}").status_code == 204
    assert http.get(f"{base}/{item['id']}").status_code == 404
