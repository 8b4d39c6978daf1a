"""The event bus SwnEventBus and its rule CheckoutBasketRule, whose one target is either OrderQueue
(the final architecture) or the ordering function itself (the course's intermediate step)."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

SOURCE = "com.swn.basket.checkoutbasket"
DETAIL_TYPE = "CheckoutBasket"


class SwnEventBus(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, publisher: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "SwnEventBus", event_bus_name="SwnEventBus")
        self.bus.grant_put_events_to(publisher)
        self.rule = events.Rule(
            self, "CheckoutBasketRule", event_bus=self.bus, rule_name="CheckoutBasketRule", enabled=True,
            description="When the basket microservice checks out a basket",
            event_pattern=events.EventPattern(source=[SOURCE], detail_type=[DETAIL_TYPE]))

    def target(self, target: events.IRuleTarget) -> None:
        self.rule.add_target(target)


def queue_target(queue) -> events.IRuleTarget:  # type: ignore[no-untyped-def]
    """The whole event becomes the message body (no input transformation)."""
    return targets.SqsQueue(queue)


def function_target(function: lambda_.IFunction) -> events.IRuleTarget:
    """EventBridge invokes the function asynchronously with the event."""
    return targets.LambdaFunction(function)
