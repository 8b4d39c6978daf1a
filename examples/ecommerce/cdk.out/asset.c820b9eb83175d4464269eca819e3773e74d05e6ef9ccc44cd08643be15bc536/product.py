"""Product service: the product catalog (table `product`, key `id`) behind the "Product Service"
REST API.

    GET    /product                  every product (?category=X: those whose category contains X)
    POST   /product                  create (name and price required); 201 with the product and its new id
    GET    /product/{id}             one product, 404 if missing (?category=X: [] unless it matches)
    PUT    /product/{id}             set the body's attributes; 404 if missing
    DELETE /product/{id}             delete; 404 if missing
"""

from __future__ import annotations

import os
import uuid
from functools import cache
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from shared import (
    BadRequest,
    Created,
    Event,
    NotFound,
    all_pages,
    condition_failed,
    http_handler,
    init_phase,
    is_number,
    json_body,
    path_param,
    query_param,
    require,
)

KEY = os.environ.get("PRIMARY_KEY", "id")


@cache
def table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["DYNAMODB_TABLE_NAME"])


def list_products(event: Event, table: Any) -> list[dict[str, Any]]:
    category = query_param(event, "category")
    if category:
        return all_pages(table.scan, FilterExpression=Attr("category").contains(category))
    return all_pages(table.scan)


def get_product(event: Event, table: Any) -> Any:
    product_id = path_param(event, "id")
    category = query_param(event, "category")
    if category:  # the original's query: this id, if its category matches
        return all_pages(table.query, KeyConditionExpression=Key(KEY).eq(product_id),
                         FilterExpression=Attr("category").contains(category))
    item = table.get_item(Key={KEY: product_id}).get("Item")
    if item is None:
        raise NotFound(f"product {product_id} not found")
    return item


def create_product(event: Event, table: Any) -> Created:
    body = json_body(event)
    require(body, "name", "price")
    if not is_number(body["price"]) or body["price"] < 0:
        raise BadRequest("price must be a number, 0 or more")
    product = {**body, KEY: str(uuid.uuid4())}
    table.put_item(Item=product, ConditionExpression=Attr(KEY).not_exists())
    return Created(product)


def update_product(event: Event, table: Any) -> Any:
    product_id = path_param(event, "id")
    changes = {name: value for name, value in json_body(event).items() if name != KEY}
    if not changes:
        raise BadRequest("the body names no attribute to update")
    names = {f"#a{i}": name for i, name in enumerate(changes)}
    values = {f":v{i}": value for i, value in enumerate(changes.values())}
    try:
        result = table.update_item(
            Key={KEY: product_id}, UpdateExpression="SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(changes))),
            ConditionExpression=Attr(KEY).exists(), ExpressionAttributeNames=names,
            ExpressionAttributeValues=values, ReturnValues="ALL_NEW")
    except ClientError as error:
        if condition_failed(error):
            raise NotFound(f"product {product_id} not found") from None
        raise
    return result["Attributes"]


def delete_product(event: Event, table: Any) -> Any:
    product_id = path_param(event, "id")
    old = table.delete_item(Key={KEY: product_id}, ReturnValues="ALL_OLD").get("Attributes")
    if old is None:
        raise NotFound(f"product {product_id} not found")
    return old


ROUTES = {
    ("GET", "/product"): list_products,
    ("POST", "/product"): create_product,
    ("GET", "/product/{id}"): get_product,
    ("PUT", "/product/{id}"): update_product,
    ("DELETE", "/product/{id}"): delete_product,
}

handler = http_handler(ROUTES, table)
init_phase(table)
