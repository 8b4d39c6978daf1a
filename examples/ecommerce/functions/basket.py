"""Basket service: shopping baskets (table `basket`, key `userName`) behind the "Basket Service" REST
API, and the checkout that publishes an order to the event bus.

    GET    /basket                   every basket
    POST   /basket                   store a whole basket {userName, items: [{productId, productName,
                                     price, quantity, color}]}; 201
    GET    /basket/{userName}        one basket, 404 if missing
    DELETE /basket/{userName}        delete, 404 if missing
    POST   /basket/checkout          {userName, firstName, lastName, email, address, cardInfo,
                                     paymentMethod}: publish a CheckoutBasket event, then delete the basket

A checkout reads two settings when it runs (so a change, or a rotated key, applies to the next
checkout): the currency from Parameter Store (CURRENCY_PARAMETER) and the payment gateway's
signing key from Secrets Manager (PAYMENT_SECRET_ARN), which signs the order for the gateway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import boto3
from shared import (
    BadRequest,
    Created,
    Event,
    HttpError,
    NotFound,
    all_pages,
    http_handler,
    init_phase,
    is_number,
    json_body,
    log,
    path_param,
    require,
    to_json,
)

KEY = os.environ.get("PRIMARY_KEY", "userName")


@dataclass(frozen=True)
class Resources:
    table: Any
    events: Any
    ssm: Any = None
    secrets: Any = None


@cache
def resources() -> Resources:
    return Resources(table=boto3.resource("dynamodb").Table(os.environ["DYNAMODB_TABLE_NAME"]),
                     events=boto3.client("events"), ssm=boto3.client("ssm"), secrets=boto3.client("secretsmanager"))


def list_baskets(event: Event, res: Resources) -> list[dict[str, Any]]:
    return all_pages(res.table.scan)


def get_basket(event: Event, res: Resources) -> Any:
    user = path_param(event, "userName")
    item = res.table.get_item(Key={KEY: user}).get("Item")
    if item is None:
        raise NotFound(f"no basket for user {user}")
    return item


def create_basket(event: Event, res: Resources) -> Created:
    basket = json_body(event)
    require(basket, KEY)
    check_items(basket.get("items"))
    res.table.put_item(Item=basket)
    return Created(basket)


def delete_basket(event: Event, res: Resources) -> Any:
    user = path_param(event, "userName")
    old = res.table.delete_item(Key={KEY: user}, ReturnValues="ALL_OLD").get("Attributes")
    if old is None:
        raise NotFound(f"no basket for user {user}")
    return old


def checkout(event: Event, res: Resources) -> dict[str, Any]:
    request = json_body(event)
    require(request, KEY)
    user = request[KEY]
    basket = res.table.get_item(Key={KEY: user}).get("Item")
    if basket is None:
        raise NotFound(f"no basket for user {user}")
    if not basket.get("items"):
        raise BadRequest(f"the basket of {user} is empty")
    payload = with_settings(res, checkout_payload(request, basket, now_iso()))
    event_id = publish(res.events, payload)
    log.info("checkout of %s published as event %s", user, event_id)
    # only once the event is on the bus: a failed publication keeps the basket for another try
    res.table.delete_item(Key={KEY: user})
    return {**payload, "eventId": event_id}


# -- the rules of a checkout -----------------------------------------------------------------------------


def check_items(items: Any) -> None:
    """A basket's items: a list of objects, each with a price (0 or more) and a quantity (1 or more)."""
    if not isinstance(items, list):
        raise BadRequest("items must be a list")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadRequest(f"items[{index}] must be an object")
        if not is_number(item.get("price")) or item["price"] < 0:
            raise BadRequest(f"items[{index}].price must be a number, 0 or more")
        quantity = item.get("quantity")
        if not is_number(quantity) or quantity < 1 or quantity != int(quantity):
            raise BadRequest(f"items[{index}].quantity must be a whole number, 1 or more")


def total_price(items: list[dict[str, Any]]) -> Decimal:
    """Σ price × quantity (the original summed prices and ignored quantities)."""
    return sum((Decimal(item["price"]) * Decimal(item["quantity"]) for item in items), Decimal(0))


def checkout_payload(request: dict[str, Any], basket: dict[str, Any], checkout_date: str) -> dict[str, Any]:
    """The order to publish: the checkout request, the basket's items, their total and the time."""
    return {**request, KEY: basket[KEY], "items": basket["items"], "totalPrice": total_price(basket["items"]),
            "checkoutDate": checkout_date}


def with_settings(res: Resources, payload: dict[str, Any]) -> dict[str, Any]:
    """The order with the shop's currency and the payment gateway's signature of it, when the
    function is configured with them."""
    if os.environ.get("CURRENCY_PARAMETER"):
        payload["currency"] = res.ssm.get_parameter(Name=os.environ["CURRENCY_PARAMETER"])["Parameter"]["Value"]
    if os.environ.get("PAYMENT_SECRET_ARN"):
        gateway = json.loads(res.secrets.get_secret_value(SecretId=os.environ["PAYMENT_SECRET_ARN"])["SecretString"])
        payload["merchantId"] = gateway["merchantId"]
        payload["paymentSignature"] = payment_signature(gateway["signingKey"], payload)
    return payload


def payment_signature(key: str, payload: dict[str, Any]) -> str:
    """HMAC-SHA256 of `userName|checkoutDate|totalPrice|currency` under the gateway's key."""
    text = f"{payload[KEY]}|{payload['checkoutDate']}|{payload['totalPrice']}|{payload.get('currency', '')}"
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def publish(events: Any, payload: dict[str, Any]) -> str:
    """PutEvents one CheckoutBasket entry; its event id. PutEvents answers 200 even when an entry
    failed: FailedEntryCount and the entry's ErrorCode say so."""
    result = events.put_events(Entries=[{
        "Source": os.environ["EVENT_SOURCE"], "DetailType": os.environ["EVENT_DETAILTYPE"],
        "EventBusName": os.environ["EVENT_BUSNAME"], "Detail": to_json(payload)}])
    entry = result["Entries"][0]
    if result.get("FailedEntryCount") or "EventId" not in entry:
        raise HttpError(500, f"the checkout was not published ({entry.get('ErrorCode')}: "
                             f"{entry.get('ErrorMessage')}); the basket is kept")
    return str(entry["EventId"])


ROUTES = {
    ("GET", "/basket"): list_baskets,
    ("POST", "/basket"): create_basket,
    ("GET", "/basket/{userName}"): get_basket,
    ("DELETE", "/basket/{userName}"): delete_basket,
    ("POST", "/basket/checkout"): checkout,
}

handler = http_handler(ROUTES, resources)
init_phase(resources)
