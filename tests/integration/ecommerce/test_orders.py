"""One order through the whole application: basket → checkout → SwnEventBus → CheckoutBasketRule →
OrderQueue → event source mapping → ordering function → order table; and what must not happen."""

from __future__ import annotations

import json
import uuid
from functools import partial

from tests.integration.ecommerce.shop import SAMPLE_ITEMS, eventually


def user() -> str:
    return f"swn-{uuid.uuid4().hex[:8]}"


def test_checkout_stores_one_order_with_the_right_total(shop):
    name = user()
    shop.fill_basket(name)
    status, answer = shop.call("GET", "basket", f"/basket/{name}")
    assert status == 200 and answer["body"]["items"] == SAMPLE_ITEMS

    checkout = shop.checkout(name)
    assert checkout["totalPrice"] == 2 * 950 + 870  # Σ price × quantity
    assert shop.call("GET", "basket", f"/basket/{name}")[0] == 404  # deleted once the event was published

    (order,) = eventually(lambda: shop.orders(name))
    assert order["userName"] == name and order["items"] == SAMPLE_ITEMS and order["totalPrice"] == 2770
    assert order["orderDate"] == checkout["checkoutDate"] and order["eventId"] == checkout["eventId"]
    assert order["email"] == "ezozkme@gmail.com"
    status, answer = shop.call("GET", "order", f"/order/{name}?orderDate={order['orderDate']}")
    assert (status, answer["body"]) == (200, order)
    assert shop.call("GET", "order", f"/order/{name}?orderDate=2000-01-01T00:00:00Z")[0] == 404
    assert order in shop.call("GET", "order", "/order")[1]["body"]
    eventually(lambda: shop.queue_depth("OrderQueueUrl") == 0)
    assert shop.queue_depth("OrderDeadLetterQueueUrl") == 0


def test_several_checkouts_of_one_user_are_several_orders(shop):
    name = user()
    for count in (1, 2, 3):
        shop.fill_basket(name, [{**SAMPLE_ITEMS[0], "quantity": count}])
        shop.checkout(name)
    orders = eventually(lambda: (found := shop.orders(name)) and len(found) == 3 and found)
    assert sorted(o["totalPrice"] for o in orders) == [950, 1900, 2850]
    assert [o["orderDate"] for o in orders] == sorted(o["orderDate"] for o in orders)  # the sort key


def test_checkout_refusals(shop):
    name = user()
    assert shop.call("POST", "basket", "/basket/checkout", {"userName": name}) == \
        (404, {"message": f"no basket for user {name}", "body": None})
    shop.fill_basket(name, [])
    assert shop.call("POST", "basket", "/basket/checkout", {"userName": name})[0] == 400
    assert shop.call("POST", "basket", "/basket/checkout", {"firstName": "x"})[1]["message"] == "missing field: userName"
    assert shop.call("POST", "basket", "/basket", {"userName": name, "items": [{"price": "9"}]})[0] == 400
    assert shop.call("DELETE", "basket", f"/basket/{name}")[0] == 200
    assert shop.call("DELETE", "basket", f"/basket/{name}")[0] == 404


def test_a_failed_publication_keeps_the_basket(shop):
    name = user()
    shop.fill_basket(name)
    previous = shop.set_env("basketFunction", EVENT_BUSNAME="NoSuchBus")
    try:
        status, answer = shop.call("POST", "basket", "/basket/checkout", {"userName": name})
    finally:
        shop.set_env("basketFunction", **previous)
    assert status == 500
    assert answer["message"] == ("the checkout was not published (ResourceNotFoundException: Event bus NoSuchBus "
                                 "does not exist.); the basket is kept")
    assert shop.call("GET", "basket", f"/basket/{name}")[0] == 200
    shop.checkout(name)  # the fault fixed, the same basket checks out
    assert len(eventually(lambda: shop.orders(name))) == 1


def test_a_duplicated_delivery_creates_one_order(shop):
    name = user()
    shop.fill_basket(name)
    checkout = shop.checkout(name)
    (order,) = eventually(lambda: shop.orders(name))
    event = {"version": "0", "id": checkout["eventId"], "detail-type": "CheckoutBasket",
             "source": "com.swn.basket.checkoutbasket", "account": shop.account, "time": order["orderDate"][:19] + "Z",
             "region": "us-east-1", "resources": [], "detail": {k: v for k, v in checkout.items() if k != "eventId"}}
    # SQS delivers at least once: the same event arrives twice more, in one batch...
    sqs = shop.client("sqs")
    sqs.send_message_batch(QueueUrl=shop.outputs["OrderQueueUrl"], Entries=[
        {"Id": "a", "MessageBody": json.dumps(event)}, {"Id": "b", "MessageBody": json.dumps(event)}])
    # ...and once directly, as the rule of the intermediate variant delivers it
    answer = shop.client("lambda").invoke(FunctionName="orderingFunction", Payload=json.dumps(event).encode())
    assert json.loads(answer["Payload"].read()) == {"stored": False}
    eventually(lambda: shop.queue_depth("OrderQueueUrl") == 0)  # both messages processed and deleted
    assert shop.orders(name) == [order]
    assert shop.queue_depth("OrderDeadLetterQueueUrl") == 0


def test_many_checkouts_flow_through_in_batches(shop):
    names = [user() for _ in range(25)]
    for name in names:
        shop.fill_basket(name)
    for name in names:
        shop.checkout(name)
    for name in names:
        assert len(eventually(partial(shop.orders, name))) == 1
