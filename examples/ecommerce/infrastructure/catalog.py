"""The sample catalog, put into the product table at deploy time by a custom resource backed by the
`seed` function: CloudFormation invokes that function asynchronously and waits for its answer."""

from __future__ import annotations

import json
import uuid

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infrastructure.microservices import RUNTIME, code

#: stable ids (uuid5 of the name), so the sample products keep their ids from one deployment to the next
NAMESPACE = uuid.UUID("6f1c7a52-3c1e-4bb4-9a55-2f1f0f9e7c11")
PHONES = [
    ("IPhone X", "Apple", 950), ("Samsung 10", "Samsung", 870), ("Huawei Plus", "Huawei", 650),
    ("Xiaomi Mi 9", "Xiaomi", 470), ("HTC U11+ Plus", "HTC", 380), ("LG G7 ThinQ", "LG", 240),
]


def products() -> list[dict[str, object]]:
    return [{"id": str(uuid.uuid5(NAMESPACE, name)), "name": name, "category": "Smart Phone", "brand": brand,
             "description": f"{name}, a smart phone by {brand}", "imageFile": f"product-{index}.png",
             "price": price} for index, (name, brand, price) in enumerate(PHONES, start=1)]


class SampleCatalog(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, product_table: dynamodb.Table) -> None:
        super().__init__(scope, construct_id)
        seeder = lambda_.Function(self, "seedFunction", function_name="seedFunction", runtime=RUNTIME,
                                  handler="seed.handler", code=code(), timeout=cdk.Duration.seconds(30))
        product_table.grant_write_data(seeder)
        cdk.CustomResource(self, "SampleProducts", service_token=seeder.function_arn, properties={
            "TableName": product_table.table_name, "Products": json.dumps(products())})
