"""The order workflow's steps (the `workflow` variant): one function, called by the state machine
OrderWorkflow once per step, and serving the "Payment Service" REST API through which the payment
provider confirms a payment.

The state machine calls it with `{"step": ..., "order": ...}`:

    validate        the CheckoutBasket event's order, checked (items, total) → the order; InvalidOrder
    reserve         the order stored with status RESERVED (conditional: a redelivered event finds its
                    own order; another event's order under the same key is OrderConflict)
    charge          the card charged (a card number starting with 0000 is declined: PaymentDeclined)
    await_payment   the task token stored with the order (status AWAITING_PAYMENT): the state waits
                    until the payment provider answers through POST /payment
    confirm         status CONFIRMED
    refund          the charge given back (`refunded`)          } the compensating branch, then the
    release         status CANCELLED with the failure           } execution fails (OrderFailed)

    POST /payment {userName, orderDate, approved, reason?}   SendTaskSuccess (approved) or
                    SendTaskFailure (PaymentRejected) with the order's token; 404 for an order that
                    is not waiting for a payment
"""

from __future__ import annotations

import os
import uuid
from functools import cache
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from shared import (
    BadRequest,
    Event,
    NotFound,
    condition_failed,
    http_handler,
    init_phase,
    is_number,
    json_body,
    log,
    require,
    to_json,
)

KEY = os.environ.get("PRIMARY_KEY", "userName")
SORT_KEY = os.environ.get("SORT_KEY", "orderDate")
DECLINED_PREFIX = "0000"  # the payment stand-in declines these card numbers


class InvalidOrder(Exception):
    """The checkout event does not describe an order that can be fulfilled."""


class OrderConflict(Exception):
    """Another event's order already holds this order's key."""


class PaymentDeclined(Exception):
    """The card was refused."""


@cache
def table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["DYNAMODB_TABLE_NAME"])


@cache
def states() -> Any:
    return boto3.client("stepfunctions")


def handler(event: Event, context: Any = None) -> Any:
    step = event.get("step")
    if step is None:
        return http(event, context)
    log.info("order workflow step %s", step)
    return STEPS[step](event, table())


def key_of(order: dict[str, Any]) -> dict[str, Any]:
    return {KEY: order[KEY], SORT_KEY: order[SORT_KEY]}


def validate(event: Event, table: Any) -> dict[str, Any]:
    """The order of a CheckoutBasket event: its detail keyed by user and checkout time, with at
    least one item and a total that is Σ price × quantity."""
    checkout = event["order"]
    detail = checkout.get("detail")
    if not isinstance(detail, dict) or not detail.get(KEY):
        raise InvalidOrder(f"event {checkout.get('id')} has no detail.{KEY}")
    items = detail.get("items")
    if not isinstance(items, list) or not items:
        raise InvalidOrder("an order needs at least one item")
    if not all(is_number(i.get("price")) and is_number(i.get("quantity")) for i in items):
        raise InvalidOrder("every item needs a price and a quantity")
    if detail.get("totalPrice") != sum(i["price"] * i["quantity"] for i in items):
        raise InvalidOrder(f"totalPrice {detail.get('totalPrice')} is not the sum of the items")
    order_date = detail.get("checkoutDate") or checkout.get("time")
    return {**detail, SORT_KEY: order_date, "eventId": checkout.get("id"), "status": "VALIDATED"}


def reserve(event: Event, table: Any) -> dict[str, Any]:
    """Store the order as RESERVED unless this event stored it before."""
    order = {**event["order"], "status": "RESERVED"}
    try:
        table.put_item(Item=order, ConditionExpression=Attr(SORT_KEY).not_exists())
        return order
    except ClientError as error:
        if not condition_failed(error):
            raise
    existing = table.get_item(Key=key_of(order), ConsistentRead=True).get("Item")
    if existing is not None and existing.get("eventId") == order["eventId"]:
        return order
    raise OrderConflict(f"order {order[KEY]}/{order[SORT_KEY]} belongs to another event")


def charge(event: Event, table: Any) -> dict[str, Any]:
    order = event["order"]
    if str(order.get("cardInfo", "")).startswith(DECLINED_PREFIX):
        raise PaymentDeclined(f"card {order.get('cardInfo')} was declined")
    charge_id = f"ch-{uuid.uuid4().hex[:16]}"
    table.update_item(Key=key_of(order), UpdateExpression="SET #s = :s, chargeId = :c",
                      ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": "CHARGED", ":c": charge_id})
    return {"chargeId": charge_id, "amount": order["totalPrice"]}


def await_payment(event: Event, table: Any) -> None:
    """Keep the task token with the order: the payment provider's answer (POST /payment) ends the wait."""
    table.update_item(Key=key_of(event["order"]), UpdateExpression="SET #s = :s, paymentToken = :t",
                      ExpressionAttributeNames={"#s": "status"},
                      ExpressionAttributeValues={":s": "AWAITING_PAYMENT", ":t": event["taskToken"]})


def confirm(event: Event, table: Any) -> dict[str, Any]:
    table.update_item(Key=key_of(event["order"]), UpdateExpression="SET #s = :s REMOVE paymentToken",
                      ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": "CONFIRMED"})
    return {**event["order"], "status": "CONFIRMED"}


def refund(event: Event, table: Any) -> dict[str, Any]:
    table.update_item(Key=key_of(event["order"]), UpdateExpression="SET refunded = :r",
                      ExpressionAttributeValues={":r": True})
    return {"refunded": event["order"].get("charge", {}).get("chargeId")}


def release(event: Event, table: Any) -> dict[str, Any]:
    """Cancel the reservation, keeping why the order failed."""
    failure = event["order"].get("failure") or {}
    table.update_item(Key=key_of(event["order"]), UpdateExpression="SET #s = :s, failure = :f REMOVE paymentToken",
                      ExpressionAttributeNames={"#s": "status"},
                      ExpressionAttributeValues={":s": "CANCELLED", ":f": failure})
    return {"released": True}


STEPS = {"validate": validate, "reserve": reserve, "charge": charge, "await_payment": await_payment,
         "confirm": confirm, "refund": refund, "release": release}


# -- the Payment Service REST API: the payment provider's callback ---------------------------------------


def payment(event: Event, table: Any) -> dict[str, Any]:
    body = json_body(event)
    require(body, KEY, SORT_KEY)
    if not isinstance(body.get("approved"), bool):
        raise BadRequest("approved must be true or false")
    order = table.get_item(Key=key_of(body), ConsistentRead=True).get("Item")
    if order is None or not order.get("paymentToken"):
        raise NotFound(f"no order of {body[KEY]} at {body[SORT_KEY]} is waiting for a payment")
    token = order["paymentToken"]
    if body["approved"]:
        states().send_task_success(taskToken=token, output=to_json({"approved": True}))
    else:
        states().send_task_failure(taskToken=token, error="PaymentRejected",
                                   cause=str(body.get("reason") or "the payment provider rejected the payment"))
    return {KEY: body[KEY], SORT_KEY: body[SORT_KEY], "approved": body["approved"]}


ROUTES = {("POST", "/payment"): payment}

http = http_handler(ROUTES, table)
init_phase(table, states)
