"""API Gateway events, canned DynamoDB answers and the sample basket, for the handler unit tests."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from unittest import mock

from botocore.exceptions import ClientError

BASKET = {"userName": "swn", "items": [
    {"quantity": Decimal(2), "color": "Red", "price": Decimal(950), "productId": "1", "productName": "IPhone X"},
    {"quantity": Decimal(1), "color": "Blue", "price": Decimal(870), "productId": "2", "productName": "Samsung 10"},
]}


def request(method: str, resource: str, *, path: dict[str, str] | None = None, query: dict[str, str] | None = None,
            body: Any = None) -> dict[str, Any]:
    """A REST API proxy event (only what the handlers read)."""
    raw = body if isinstance(body, str) or body is None else json.dumps(body)
    return {"httpMethod": method, "resource": resource, "path": resource, "pathParameters": path,
            "queryStringParameters": query, "body": raw, "isBase64Encoded": False}


def answer(response: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(status, decoded body) of a handler's API Gateway response."""
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


def condition_failed() -> ClientError:
    return ClientError({"Error": {"Code": "ConditionalCheckFailedException",
                                  "Message": "The conditional request failed"}}, "PutItem")


def table(**answers: Any) -> mock.Mock:
    """A stand-in table: each method returns the canned answer given for it (or {})."""
    stub = mock.Mock()
    for name in ("get_item", "put_item", "delete_item", "update_item", "scan", "query"):
        value = answers.get(name, {})
        if isinstance(value, Exception):
            getattr(stub, name).side_effect = value
        else:
            getattr(stub, name).return_value = value
    return stub
