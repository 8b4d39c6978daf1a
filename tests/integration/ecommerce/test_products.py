"""The Product Service REST API on the deployed stack: the sample catalog, CRUD, status codes."""

from __future__ import annotations

import uuid


def test_the_sample_catalog_is_stocked_at_deploy_time(shop):
    # the custom resource's function ran (invoked asynchronously by CloudFormation) during the deployment
    status, answer = shop.call("GET", "product", "/product")
    assert status == 200
    names = {p["name"] for p in answer["body"]}
    assert {"IPhone X", "Samsung 10", "Huawei Plus", "Xiaomi Mi 9", "HTC U11+ Plus", "LG G7 ThinQ"} <= names
    iphone = next(p for p in answer["body"] if p["name"] == "IPhone X")
    assert iphone["price"] == 950 and iphone["category"] == "Smart Phone"


def test_create_read_update_delete(shop):
    status, answer = shop.call("POST", "product", "/product",
                               {"name": "Pixel 8", "price": 599.99, "category": "Google Phone"})
    assert status == 201 and answer["message"] == 'Successfully finished operation: "POST"'
    product_id = answer["body"]["id"]
    assert uuid.UUID(product_id)

    status, answer = shop.call("GET", "product", f"/product/{product_id}")
    assert (status, answer["body"]) == (200, {"id": product_id, "name": "Pixel 8", "price": 599.99,
                                               "category": "Google Phone"})
    status, answer = shop.call("PUT", "product", f"/product/{product_id}", {"price": 549, "color": "Obsidian"})
    assert status == 200 and answer["body"]["price"] == 549 and answer["body"]["color"] == "Obsidian"
    assert shop.call("GET", "product", f"/product/{product_id}")[1]["body"]["name"] == "Pixel 8"

    status, answer = shop.call("DELETE", "product", f"/product/{product_id}")
    assert (status, answer["body"]["id"]) == (200, product_id)
    assert shop.call("GET", "product", f"/product/{product_id}")[0] == 404
    assert shop.call("DELETE", "product", f"/product/{product_id}")[0] == 404
    assert shop.call("PUT", "product", f"/product/{product_id}", {"price": 1})[0] == 404


def test_category_queries_with_and_without_an_id(shop):
    category = f"cat-{uuid.uuid4().hex[:8]}"
    ids = [shop.call("POST", "product", "/product", {"name": f"p{i}", "price": i, "category": category})[1]["body"]["id"]
           for i in range(3)]
    status, answer = shop.call("GET", "product", f"/product?category={category}")
    assert status == 200 and sorted(p["id"] for p in answer["body"]) == sorted(ids)
    assert shop.call("GET", "product", f"/product/{ids[0]}?category={category}")[1]["body"][0]["id"] == ids[0]
    assert shop.call("GET", "product", f"/product/{ids[0]}?category=other")[1]["body"] == []


def test_listing_pages_through_more_than_one_mb(shop):
    # a Scan returns at most 1 MB: 30 products of 40 KB need several pages
    category = f"big-{uuid.uuid4().hex[:8]}"
    for i in range(30):
        assert shop.call("POST", "product", "/product", {"name": f"big{i}", "price": 1, "category": category,
                                                          "description": "x" * 40_000})[0] == 201
    assert shop.client("dynamodb").scan(TableName="product").get("LastEvaluatedKey")  # one page is not all
    status, answer = shop.call("GET", "product", f"/product?category={category}")
    assert status == 200 and len(answer["body"]) == 30


def test_bad_requests_are_400_with_a_message(shop):
    assert shop.call("POST", "product", "/product", "{not json") == \
        (400, {"message": "the request body is not valid JSON: Expecting property name enclosed in double quotes: "
                          "line 1 column 2 (char 1)", "body": None})
    assert shop.call("POST", "product", "/product", {"price": 3})[1]["message"] == "missing field: name"
    assert shop.call("POST", "product", "/product", ["x"])[0] == 400
