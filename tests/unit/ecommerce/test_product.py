"""Product handler: validation, status codes, the DynamoDB calls it makes."""

from __future__ import annotations

import uuid
from decimal import Decimal

import product
import pytest

from tests.unit.ecommerce.helpers import answer, condition_failed, request, table


def call(event, stub):
    return answer(product.http_handler(product.ROUTES, lambda: stub)(event, None))


def test_create_answers_201_with_a_new_id():
    stub = table()
    status, payload = call(request("POST", "/product", body={"name": "Pixel", "price": 599.5, "category": "Phone"}),
                           stub)
    assert status == 201
    created = payload["body"]
    assert uuid.UUID(created["id"]) and created["price"] == 599.5
    item = stub.put_item.call_args.kwargs["Item"]
    assert item["price"] == Decimal("599.5") and item["id"] == created["id"]  # Decimal, never float
    assert "ConditionExpression" in stub.put_item.call_args.kwargs


@pytest.mark.parametrize(("body", "message"), [
    ({"price": 5}, "missing field: name"),
    ({"name": "x"}, "missing field: price"),
    ({"name": "x", "price": "5"}, "price must be a number"),
    ({"name": "x", "price": -1}, "price must be a number"),
    ("not json", "the request body is not valid JSON"),
])
def test_create_refuses_bad_products(body, message):
    stub = table()
    status, payload = call(request("POST", "/product", body=body), stub)
    assert status == 400 and payload["message"].startswith(message)
    stub.put_item.assert_not_called()


def test_get_one_or_404():
    found = {"id": "p1", "name": "Pixel"}
    assert call(request("GET", "/product/{id}", path={"id": "p1"}), table(get_item={"Item": found})) == \
        (200, {"message": 'Successfully finished operation: "GET"', "body": found})
    status, payload = call(request("GET", "/product/{id}", path={"id": "nope"}), table())
    assert (status, payload["message"]) == (404, "product nope not found")


def test_list_by_category_scans_with_a_filter():
    stub = table(scan={"Items": [{"id": "p1"}]})
    status, payload = call(request("GET", "/product", query={"category": "Phone"}), stub)
    assert (status, payload["body"]) == (200, [{"id": "p1"}])
    assert "FilterExpression" in stub.scan.call_args.kwargs
    call(request("GET", "/product"), stub)
    assert stub.scan.call_args.kwargs == {}


def test_get_by_id_and_category_queries_the_id():
    stub = table(query={"Items": []})
    assert call(request("GET", "/product/{id}", path={"id": "p1"}, query={"category": "Phone"}), stub)[0] == 200
    kwargs = stub.query.call_args.kwargs
    assert "KeyConditionExpression" in kwargs and "FilterExpression" in kwargs


def test_update_sets_every_body_attribute_but_the_key():
    stub = table(update_item={"Attributes": {"id": "p1", "price": 10}})
    status, payload = call(request("PUT", "/product/{id}", path={"id": "p1"},
                                   body={"id": "other", "price": 10, "name": "New"}), stub)
    assert (status, payload["body"]) == (200, {"id": "p1", "price": 10})
    kwargs = stub.update_item.call_args.kwargs
    assert kwargs["Key"] == {"id": "p1"}
    assert kwargs["UpdateExpression"] == "SET #a0 = :v0, #a1 = :v1"
    assert kwargs["ExpressionAttributeNames"] == {"#a0": "price", "#a1": "name"}
    assert kwargs["ExpressionAttributeValues"] == {":v0": 10, ":v1": "New"}


def test_update_of_a_missing_product_is_404_and_an_empty_update_400():
    status, payload = call(request("PUT", "/product/{id}", path={"id": "gone"}, body={"price": 1}),
                           table(update_item=condition_failed()))
    assert (status, payload["message"]) == (404, "product gone not found")
    status, payload = call(request("PUT", "/product/{id}", path={"id": "p1"}, body={"id": "p1"}), table())
    assert (status, payload["message"]) == (400, "the body names no attribute to update")


def test_delete_answers_the_old_product_or_404():
    assert call(request("DELETE", "/product/{id}", path={"id": "p1"}),
                table(delete_item={"Attributes": {"id": "p1"}})) == \
        (200, {"message": 'Successfully finished operation: "DELETE"', "body": {"id": "p1"}})
    assert call(request("DELETE", "/product/{id}", path={"id": "p1"}), table())[0] == 404
