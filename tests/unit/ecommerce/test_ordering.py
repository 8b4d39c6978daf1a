"""Ordering handler: orders from SQS batches and direct events, idempotent, with partial batch failures;
the Order Service API."""

from __future__ import annotations

import json
from decimal import Decimal

import ordering
import pytest

from tests.unit.ecommerce.helpers import answer, condition_failed, request, table


def checkout_event(event_id: str = "ev-1", user: str = "swn", **detail) -> dict:
    return {"version": "0", "id": event_id, "detail-type": "CheckoutBasket",
            "source": "com.swn.basket.checkoutbasket", "account": "000000000000", "time": "2024-05-01T12:00:00Z",
            "region": "us-east-1", "resources": [],
            "detail": {"userName": user, "totalPrice": 2770, "checkoutDate": "2024-05-01T12:00:00.123Z", **detail}}


def record(message_id: str, body: object) -> dict:
    return {"messageId": message_id, "receiptHandle": "rh", "eventSource": "aws:sqs",
            "body": body if isinstance(body, str) else json.dumps(body)}


def test_an_order_is_the_detail_keyed_by_checkout_time_with_its_event_id():
    order = ordering.order_from_event(checkout_event())
    assert order == {"userName": "swn", "totalPrice": 2770, "checkoutDate": "2024-05-01T12:00:00.123Z",
                     "orderDate": "2024-05-01T12:00:00.123Z", "eventId": "ev-1"}
    event = checkout_event()
    del event["detail"]["checkoutDate"]
    assert ordering.order_from_event(event)["orderDate"] == "2024-05-01T12:00:00Z"  # the event's time


def test_an_event_without_a_user_is_refused():
    with pytest.raises(ValueError, match=r"no detail\.userName"):
        ordering.order_from_event({"id": "x", "detail": {}})


def test_a_batch_reports_only_the_records_that_failed():
    stub = table()
    stub.put_item.side_effect = [None, RuntimeError("throttled"), None]
    result = ordering.process_batch([record("m1", checkout_event("e1")), record("m2", "not json"),
                                     record("m3", checkout_event("e3", user="ann")),
                                     record("m4", checkout_event("e4", user="bob"))], stub)
    assert result == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]}
    first = stub.put_item.call_args_list[0].kwargs
    assert first["Item"]["eventId"] == "e1" and "ConditionExpression" in first


def test_prices_are_written_as_decimals():
    stub = table()
    body = json.dumps(checkout_event(items=[{"price": 19.99, "quantity": 1}]))
    assert ordering.process_batch([record("m1", body)], stub) == {"batchItemFailures": []}
    assert stub.put_item.call_args.kwargs["Item"]["items"][0]["price"] == Decimal("19.99")


def test_a_redelivered_event_stores_nothing_new():
    event = checkout_event()
    existing = ordering.order_from_event(event)
    stub = table(put_item=condition_failed(), get_item={"Item": existing})
    assert ordering.store_order(event, stub) is False
    assert ordering.process_batch([record("m1", event)], stub) == {"batchItemFailures": []}


def test_another_events_order_under_the_same_key_is_a_conflict():
    existing = ordering.order_from_event(checkout_event("other"))
    stub = table(put_item=condition_failed(), get_item={"Item": existing})
    with pytest.raises(ordering.OrderConflict):
        ordering.store_order(checkout_event("ev-1"), stub)
    assert ordering.process_batch([record("m1", checkout_event("ev-1"))], stub) == \
        {"batchItemFailures": [{"itemIdentifier": "m1"}]}


def test_the_handler_takes_sqs_batches_direct_events_and_api_requests(monkeypatch):
    stub = table(query={"Items": [{"userName": "swn", "orderDate": "d"}]})
    monkeypatch.setattr(ordering, "table", lambda: stub)
    monkeypatch.setattr(ordering, "http", ordering.http_handler(ordering.ROUTES, lambda: stub))
    assert ordering.handler({"Records": [record("m1", checkout_event())]}) == {"batchItemFailures": []}
    assert ordering.handler(checkout_event("direct")) == {"stored": True}
    status, payload = answer(ordering.handler(request("GET", "/order/{userName}", path={"userName": "swn"})))
    assert (status, payload["body"]) == (200, [{"userName": "swn", "orderDate": "d"}])
    assert stub.put_item.call_count == 2


def test_a_direct_event_that_fails_raises_so_lambda_retries_it(monkeypatch):
    stub = table(put_item=RuntimeError("table missing"))
    monkeypatch.setattr(ordering, "table", lambda: stub)
    with pytest.raises(RuntimeError):
        ordering.handler(checkout_event())


def test_one_order_by_date_or_404():
    found = {"userName": "swn", "orderDate": "d1"}
    event = request("GET", "/order/{userName}", path={"userName": "swn"}, query={"orderDate": "d1"})
    status, payload = answer(ordering.http_handler(ordering.ROUTES, lambda: table(get_item={"Item": found}))(event))
    assert (status, payload["body"]) == (200, found)
    status, payload = answer(ordering.http_handler(ordering.ROUTES, lambda: table())(event))
    assert (status, payload["message"]) == (404, "no order of swn at d1")
