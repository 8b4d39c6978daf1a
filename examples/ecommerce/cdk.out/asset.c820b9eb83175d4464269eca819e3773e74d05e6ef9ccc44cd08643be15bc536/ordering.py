"""Ordering service: orders (table `order`, keys `userName` + `orderDate`). One function, three kinds
of event:

- an SQS batch from OrderQueue (event source mapping): each message body is a CheckoutBasket event;
  a record that fails is reported in `batchItemFailures`, so only it is retried (and after three
  receives it moves to the dead-letter queue);
- a CheckoutBasket event delivered by the rule directly (asynchronous invocation): a failure raises,
  so Lambda retries it;
- an API Gateway request of the "Order Service" REST API:

    GET /order                       every order
    GET /order/{userName}            that user's orders (?orderDate=X: that one order, 404 if missing)

Orders are idempotent: an order's key comes from its event (its checkout time), the event id is
stored with it, and the write is conditional, so a redelivered event stores nothing new.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from shared import (
    Event,
    NotFound,
    all_pages,
    condition_failed,
    from_json,
    http_handler,
    init_phase,
    log,
    path_param,
    query_param,
)

KEY = os.environ.get("PRIMARY_KEY", "userName")
SORT_KEY = os.environ.get("SORT_KEY", "orderDate")


class OrderConflict(Exception):
    """Another event's order already holds this order's key."""


@cache
def table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["DYNAMODB_TABLE_NAME"])


def handler(event: Event, context: Any = None) -> Any:
    if "Records" in event:
        log.info("%d message(s) from OrderQueue (event source mapping)", len(event["Records"]))
        return process_batch(event["Records"], table())
    if "detail-type" in event:
        log.info("event %s from EventBridge (asynchronous invocation)", event.get("id"))
        return {"stored": store_order(event, table())}
    return http(event, context)


# -- orders from checkout events ------------------------------------------------------------------------


def process_batch(records: list[dict[str, Any]], table: Any) -> dict[str, Any]:
    """Store each record's order; the ids of the records that failed (ReportBatchItemFailures)."""
    failures = []
    for record in records:
        try:
            store_order(from_json(record["body"]), table)
        except Exception as error:
            log.error("message %s failed: %r", record.get("messageId"), error)
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def order_from_event(event: Event) -> dict[str, Any]:
    """The order a CheckoutBasket event asks for: its detail, keyed by user and checkout time."""
    detail = event.get("detail")
    if not isinstance(detail, dict) or not detail.get(KEY):
        raise ValueError(f"event {event.get('id')} has no detail.{KEY}")
    order_date = detail.get("checkoutDate") or event.get("time")
    if not order_date or not event.get("id"):
        raise ValueError("a checkout event needs an id and a checkoutDate (or time)")
    return {**detail, SORT_KEY: order_date, "eventId": event["id"]}


def store_order(event: Event, table: Any) -> bool:
    """Put the event's order unless it is there already; False when this event was stored before."""
    order = order_from_event(event)
    try:
        table.put_item(Item=order, ConditionExpression=Attr(SORT_KEY).not_exists())
        log.info("stored order %s/%s of event %s", order[KEY], order[SORT_KEY], order["eventId"])
        return True
    except ClientError as error:
        if not condition_failed(error):
            raise
    existing = table.get_item(Key={KEY: order[KEY], SORT_KEY: order[SORT_KEY]}, ConsistentRead=True).get("Item")
    if existing is not None and existing.get("eventId") == order["eventId"]:
        log.info("event %s was delivered again: its order is stored already", order["eventId"])
        return False
    raise OrderConflict(f"order {order[KEY]}/{order[SORT_KEY]} belongs to another event")


# -- the Order Service REST API -------------------------------------------------------------------------


def list_orders(event: Event, table: Any) -> list[dict[str, Any]]:
    return all_pages(table.scan)


def get_orders(event: Event, table: Any) -> Any:
    user = path_param(event, "userName")
    order_date = query_param(event, SORT_KEY)
    if order_date is None:
        return all_pages(table.query, KeyConditionExpression=Key(KEY).eq(user))
    item = table.get_item(Key={KEY: user, SORT_KEY: order_date}).get("Item")
    if item is None:
        raise NotFound(f"no order of {user} at {order_date}")
    return item


ROUTES = {
    ("GET", "/order"): list_orders,
    ("GET", "/order/{userName}"): get_orders,
}

http = http_handler(ROUTES, table)
init_phase(table)
