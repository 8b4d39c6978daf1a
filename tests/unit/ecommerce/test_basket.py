"""Basket handler: baskets, totals, and a checkout that keeps the basket unless the event was published."""

from __future__ import annotations

import json
from decimal import Decimal
from unittest import mock

import basket
import pytest

from tests.unit.ecommerce.helpers import BASKET, answer, request, table

CHECKOUT = {"userName": "swn", "firstName": "swn", "lastName": "swn", "email": "ezozkme@gmail.com",
            "address": "istanbul", "cardInfo": "5554443322", "paymentMethod": 1}


@pytest.fixture(autouse=True)
def environment(monkeypatch):
    monkeypatch.setenv("EVENT_SOURCE", "com.swn.basket.checkoutbasket")
    monkeypatch.setenv("EVENT_DETAILTYPE", "CheckoutBasket")
    monkeypatch.setenv("EVENT_BUSNAME", "SwnEventBus")


def events(failed: bool = False) -> mock.Mock:
    stub = mock.Mock()
    entry = {"ErrorCode": "ResourceNotFoundException", "ErrorMessage": "Event bus SwnEventBus does not exist."} \
        if failed else {"EventId": "ev-1"}
    stub.put_events.return_value = {"FailedEntryCount": int(failed), "Entries": [entry]}
    return stub


def call(event, stub_table, stub_events=None):
    resources = basket.Resources(table=stub_table, events=stub_events or events())
    return answer(basket.http_handler(basket.ROUTES, lambda: resources)(event, None))


def test_total_is_price_times_quantity():
    assert basket.total_price(BASKET["items"]) == Decimal(2770)  # the original ignored quantities: 1820
    assert basket.total_price([{"price": Decimal("19.99"), "quantity": 3}]) == Decimal("59.97")
    assert basket.total_price([]) == 0


def test_checkout_publishes_then_deletes_the_basket():
    stub_table, stub_events = table(get_item={"Item": BASKET}), events()
    status, payload = call(request("POST", "/basket/checkout", body=CHECKOUT), stub_table, stub_events)
    assert status == 200
    assert payload["body"]["eventId"] == "ev-1" and payload["body"]["totalPrice"] == 2770
    (entry,) = stub_events.put_events.call_args.kwargs["Entries"]
    assert (entry["Source"], entry["DetailType"], entry["EventBusName"]) == \
        ("com.swn.basket.checkoutbasket", "CheckoutBasket", "SwnEventBus")
    detail = json.loads(entry["Detail"])
    assert detail["items"] == json.loads(json.dumps(BASKET["items"], default=int))
    assert detail["totalPrice"] == 2770 and detail["email"] == "ezozkme@gmail.com"
    assert detail["checkoutDate"].endswith("Z") and "T" in detail["checkoutDate"]
    stub_table.delete_item.assert_called_once_with(Key={"userName": "swn"})


def test_a_failed_publication_keeps_the_basket():
    stub_table = table(get_item={"Item": BASKET})
    status, payload = call(request("POST", "/basket/checkout", body=CHECKOUT), stub_table, events(failed=True))
    assert status == 500
    assert payload["message"] == ("the checkout was not published (ResourceNotFoundException: Event bus "
                                  "SwnEventBus does not exist.); the basket is kept")
    stub_table.delete_item.assert_not_called()


@pytest.mark.parametrize(("stored", "body", "status", "message"), [
    (None, CHECKOUT, 404, "no basket for user swn"),
    ({"userName": "swn", "items": []}, CHECKOUT, 400, "the basket of swn is empty"),
    (BASKET, {"firstName": "x"}, 400, "missing field: userName"),
])
def test_checkout_refusals_publish_nothing(stored, body, status, message):
    stub_table, stub_events = table(get_item={"Item": stored} if stored else {}), events()
    assert call(request("POST", "/basket/checkout", body=body), stub_table, stub_events) == \
        (status, {"message": message, "body": None})
    stub_events.put_events.assert_not_called()
    stub_table.delete_item.assert_not_called()


def test_create_stores_the_whole_basket_with_201():
    stub = table()
    body = {"userName": "swn", "items": [{"quantity": 2, "price": 9.5, "productId": "1"}]}
    status, payload = call(request("POST", "/basket", body=body), stub)
    assert (status, payload["body"]) == (201, body)
    assert stub.put_item.call_args.kwargs["Item"]["items"][0]["price"] == Decimal("9.5")


@pytest.mark.parametrize(("body", "message"), [
    ({"items": []}, "missing field: userName"),
    ({"userName": "swn"}, "items must be a list"),
    ({"userName": "swn", "items": ["x"]}, "items[0] must be an object"),
    ({"userName": "swn", "items": [{"quantity": 1}]}, "items[0].price must be a number, 0 or more"),
    ({"userName": "swn", "items": [{"price": 1, "quantity": 0}]}, "items[0].quantity must be a whole number"),
    ({"userName": "swn", "items": [{"price": 1, "quantity": 1.5}]}, "items[0].quantity must be a whole number"),
])
def test_create_refuses_bad_baskets(body, message):
    stub = table()
    status, payload = call(request("POST", "/basket", body=body), stub)
    assert status == 400 and payload["message"].startswith(message)
    stub.put_item.assert_not_called()


def test_get_and_delete_answer_404_for_a_missing_basket():
    assert call(request("GET", "/basket/{userName}", path={"userName": "x"}), table())[0] == 404
    assert call(request("DELETE", "/basket/{userName}", path={"userName": "x"}), table())[0] == 404
    assert call(request("GET", "/basket/{userName}", path={"userName": "swn"}), table(get_item={"Item": BASKET})) \
        == (200, {"message": 'Successfully finished operation: "GET"', "body": json.loads(basket.to_json(BASKET))})


def test_list_pages_through_every_basket():
    stub = table()
    stub.scan.side_effect = [{"Items": [{"userName": "a"}], "LastEvaluatedKey": {"userName": "a"}},
                             {"Items": [{"userName": "b"}]}]
    assert call(request("GET", "/basket"), stub)[1]["body"] == [{"userName": "a"}, {"userName": "b"}]
