"""The three functions. They share one code folder (`functions/`), so the helper module
`shared.py` is packaged with each of them; each has its own handler module."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

FUNCTIONS = Path(__file__).resolve().parent.parent / "functions"
RUNTIME = lambda_.Runtime.PYTHON_3_12


def code() -> lambda_.Code:
    return lambda_.Code.from_asset(str(FUNCTIONS), exclude=["__pycache__", "*.pyc"])


class SwnMicroservices(Construct):
    """product, basket and ordering functions (timeout 3 s and 128 MB: CDK's defaults)."""

    def __init__(self, scope: Construct, construct_id: str, *, product_table: dynamodb.Table,
                 basket_table: dynamodb.Table, order_table: dynamodb.Table, event_bus_name: str) -> None:
        super().__init__(scope, construct_id)
        self.product_function = self._function("productFunction", "product.handler", product_table, {
            "PRIMARY_KEY": "id"})
        self.basket_function = self._function("basketFunction", "basket.handler", basket_table, {
            "PRIMARY_KEY": "userName",
            "EVENT_SOURCE": "com.swn.basket.checkoutbasket",
            "EVENT_DETAILTYPE": "CheckoutBasket",
            "EVENT_BUSNAME": event_bus_name,
        })
        self.ordering_function = self._function("orderingFunction", "ordering.handler", order_table, {
            "PRIMARY_KEY": "userName", "SORT_KEY": "orderDate"})

    def _function(self, name: str, handler: str, table: dynamodb.Table, env: dict[str, str]) -> lambda_.Function:
        function = lambda_.Function(
            self, name, function_name=name, runtime=RUNTIME, handler=handler, code=code(),
            environment={"DYNAMODB_TABLE_NAME": table.table_name, **env})
        table.grant_read_write_data(function)
        return function
