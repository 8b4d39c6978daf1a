"""The workflow variant: checkout → SwnEventBus → CheckoutBasketRule → the state machine OrderWorkflow
(Validate → Reserve → Charge → AwaitPayment → Confirm), the payment provider's callback through the
Payment Service API (SendTaskSuccess/SendTaskFailure with the order's task token), and the
compensating branch (Refund, Release) when the charge or the payment fails."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.integration.ecommerce.shop import CHECKOUT, SAMPLE_ITEMS, Shop, deploy_shop, eventually


@pytest.fixture(scope="module")
def shop(shop_server) -> Shop:
    return deploy_shop(shop_server, "workflow")


def user() -> str:
    return f"swn-{uuid.uuid4().hex[:8]}"


def checkout(shop: Shop, name: str, **changes: Any) -> dict[str, Any]:
    shop.fill_basket(name)
    status, answer = shop.call("POST", "basket", "/basket/checkout", {"userName": name, **CHECKOUT, **changes})
    assert status == 200, answer
    return answer["body"]  # type: ignore[no-any-return]


def order_in(shop: Shop, name: str, *statuses: str) -> dict[str, Any]:
    """The user's one order once its status is one of `statuses`."""
    def found() -> dict[str, Any] | None:
        orders = shop.orders(name)
        return orders[0] if len(orders) == 1 and orders[0].get("status") in statuses else None

    return eventually(found, timeout=60)  # type: ignore[no-any-return]


def execution_of(shop: Shop, name: str) -> dict[str, Any]:
    """The description of the user's execution once it has ended."""
    sfn = shop.client("stepfunctions")
    machine = shop.outputs["OrderWorkflowArn"]

    def ended() -> dict[str, Any] | None:
        for summary in sfn.list_executions(stateMachineArn=machine)["executions"]:
            described = sfn.describe_execution(executionArn=summary["executionArn"])
            if json.loads(described["input"])["detail"]["userName"] == name and described["status"] != "RUNNING":
                return described  # type: ignore[no-any-return]
        return None

    return eventually(ended, timeout=60)  # type: ignore[no-any-return]


def states_entered(shop: Shop, execution: str) -> list[str]:
    events = shop.client("stepfunctions").get_execution_history(executionArn=execution)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def pay(shop: Shop, order: dict[str, Any], approved: bool, reason: str | None = None) -> tuple[int, dict[str, Any]]:
    body = {"userName": order["userName"], "orderDate": order["orderDate"], "approved": approved}
    return shop.call("POST", "payment", "/payment", body if reason is None else {**body, "reason": reason})


def test_an_order_waits_for_the_payment_callback_and_is_confirmed(shop):
    name = user()
    placed = checkout(shop, name)
    waiting = order_in(shop, name, "AWAITING_PAYMENT")
    assert waiting["orderDate"] == placed["checkoutDate"] and waiting["eventId"] == placed["eventId"]
    assert waiting["totalPrice"] == 2770 and waiting["items"] == SAMPLE_ITEMS
    assert waiting["chargeId"].startswith("ch-") and waiting["paymentToken"]

    assert pay(shop, waiting, True) == (200, {"message": 'Successfully finished operation: "POST"', "body": {
        "userName": name, "orderDate": waiting["orderDate"], "approved": True}})
    confirmed = order_in(shop, name, "CONFIRMED")
    assert "paymentToken" not in confirmed and "refunded" not in confirmed

    execution = execution_of(shop, name)
    assert execution["status"] == "SUCCEEDED"
    output = json.loads(execution["output"])
    assert output["status"] == "CONFIRMED" and output["userName"] == name
    assert states_entered(shop, execution["executionArn"]) == ["Validate", "Reserve", "Charge", "AwaitPayment",
                                                               "Confirm"]
    types = [e["type"] for e in shop.client("stepfunctions").get_execution_history(
        executionArn=execution["executionArn"])["events"]]
    # the callback task: scheduled, started, submitted (the function answered), then the token's success
    at = types.index("TaskScheduled")
    assert types[at:at + 5] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited"]
    # an answered token cannot be used twice
    assert pay(shop, confirmed, True)[0] == 404


def test_a_declined_charge_releases_the_reservation(shop):
    name = user()
    checkout(shop, name, cardInfo="0000111122")
    cancelled = order_in(shop, name, "CANCELLED")
    assert cancelled["failure"]["Error"] == "PaymentDeclined" and "declined" in cancelled["failure"]["Cause"]
    assert "chargeId" not in cancelled and "refunded" not in cancelled  # nothing was charged: nothing to refund

    execution = execution_of(shop, name)
    assert (execution["status"], execution["error"]) == ("FAILED", "OrderFailed")
    assert "declined" in execution["cause"]
    assert states_entered(shop, execution["executionArn"]) == ["Validate", "Reserve", "Charge", "Release",
                                                               "OrderFailed"]


def test_a_rejected_payment_refunds_the_charge_and_releases_the_order(shop):
    name = user()
    checkout(shop, name)
    waiting = order_in(shop, name, "AWAITING_PAYMENT")
    assert pay(shop, waiting, False, "insufficient funds")[0] == 200
    cancelled = order_in(shop, name, "CANCELLED")
    assert cancelled["refunded"] is True and cancelled["chargeId"] == waiting["chargeId"]
    assert cancelled["failure"] == {"Error": "PaymentRejected", "Cause": "insufficient funds"}
    assert "paymentToken" not in cancelled

    execution = execution_of(shop, name)
    assert (execution["status"], execution["error"], execution["cause"]) == (
        "FAILED", "OrderFailed", "insufficient funds")
    assert states_entered(shop, execution["executionArn"]) == ["Validate", "Reserve", "Charge", "AwaitPayment",
                                                               "Refund", "Release", "OrderFailed"]


def test_an_invalid_checkout_event_is_rejected_before_anything_is_reserved(shop):
    name = user()
    detail = {"userName": name, "items": SAMPLE_ITEMS, "totalPrice": 1, "checkoutDate": "2026-01-01T00:00:00Z"}
    events = shop.client("events")
    answer = events.put_events(Entries=[{"EventBusName": "SwnEventBus", "Source": "com.swn.basket.checkoutbasket",
                                         "DetailType": "CheckoutBasket", "Detail": json.dumps(detail)}])
    assert answer["FailedEntryCount"] == 0
    execution = execution_of(shop, name)
    assert (execution["status"], execution["error"]) == ("FAILED", "OrderRejected")
    assert "totalPrice 1 is not the sum of the items" in execution["cause"]
    assert states_entered(shop, execution["executionArn"]) == ["Validate", "OrderRejected"]
    assert shop.orders(name) == []


def test_a_payment_for_no_waiting_order_is_404(shop):
    assert pay(shop, {"userName": user(), "orderDate": "2026-01-01T00:00:00Z"}, True)[0] == 404
    assert shop.call("POST", "payment", "/payment", {"userName": "x", "orderDate": "y", "approved": "yes"})[0] == 400
