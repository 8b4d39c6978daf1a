"""The three tables, on-demand, removed with the stack."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class SwnDatabase(Construct):
    """product (id), basket (userName), order (userName + orderDate)."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.product_table = self._table("product", "id")
        self.basket_table = self._table("basket", "userName")
        self.order_table = self._table("order", "userName", sort_key="orderDate")

    def _table(self, name: str, partition_key: str, sort_key: str | None = None) -> dynamodb.Table:
        return dynamodb.Table(
            self, name, table_name=name, partition_key=_string(partition_key),
            sort_key=_string(sort_key) if sort_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST, removal_policy=cdk.RemovalPolicy.DESTROY)
