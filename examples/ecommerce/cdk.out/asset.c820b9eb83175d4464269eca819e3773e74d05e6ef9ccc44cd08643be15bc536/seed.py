"""The custom resource that stocks the product table with the sample catalog when the stack is
deployed. CloudFormation invokes it asynchronously with the request; it answers by PUTting the
result to the request's pre-signed ResponseURL.

Properties: TableName, Products (a JSON list of products, each with its id).
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3
from shared import from_json, log


def handler(event: dict[str, Any], context: Any) -> None:
    log.info("%s request from CloudFormation (asynchronous invocation)", event.get("RequestType"))
    status, reason = "SUCCESS", ""
    try:
        if event["RequestType"] in ("Create", "Update"):
            stock(event["ResourceProperties"])
    except Exception as error:  # reported to CloudFormation, which fails the resource with the reason
        log.exception("seeding failed")
        status, reason = "FAILED", f"{type(error).__name__}: {error}"
    answer(event, status, reason, context)


def stock(properties: dict[str, Any]) -> None:
    table = boto3.resource("dynamodb").Table(properties["TableName"])
    products = from_json(properties["Products"])
    with table.batch_writer() as batch:
        for product in products:
            batch.put_item(Item=product)
    log.info("stocked %d products in table %s", len(products), properties["TableName"])


def answer(event: dict[str, Any], status: str, reason: str, context: Any) -> None:
    body = {"Status": status, "Reason": reason or f"see the log stream {getattr(context, 'log_stream_name', '')}",
            "PhysicalResourceId": event.get("PhysicalResourceId") or f"{event['LogicalResourceId']}-seed",
            "StackId": event["StackId"], "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"], "Data": {}}
    data = json.dumps(body).encode()
    request = urllib.request.Request(event["ResponseURL"], data=data, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(data))})
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
