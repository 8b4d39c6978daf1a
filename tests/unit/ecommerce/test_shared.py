"""The helpers every handler uses: responses, request bodies, routing, paging."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
import shared
from shared import BadRequest, Created, HttpError, NotFound

from tests.unit.ecommerce.helpers import answer, request


def test_numbers_survive_the_round_trip_exactly():
    assert shared.from_json('{"price": 19.99, "qty": 3}') == {"price": Decimal("19.99"), "qty": 3}
    assert shared.to_json({"a": Decimal("2"), "b": Decimal("2.50"), "s": {"y", "x"}}) == \
        '{"a": 2, "b": 2.5, "s": ["x", "y"]}'


@pytest.mark.parametrize(("body", "message"), [
    (None, "the request needs a JSON body"),
    ("{", "the request body is not valid JSON"),
    ("[1, 2]", "the request body must be a JSON object"),
])
def test_bad_bodies_are_400(body, message):
    with pytest.raises(BadRequest) as raised:
        shared.json_body(request("POST", "/x", body=body))
    assert raised.value.status == 400 and raised.value.message.startswith(message)


def test_a_base64_body_is_decoded():
    event = {**request("POST", "/x"), "body": base64.b64encode(b'{"a": 1.5}').decode(), "isBase64Encoded": True}
    assert shared.json_body(event) == {"a": Decimal("1.5")}


def test_require_names_every_missing_field():
    with pytest.raises(BadRequest, match="missing fields: name, price"):
        shared.require({"name": "", "other": 1}, "name", "price")
    shared.require({"name": "x"}, "name")


def test_is_number_refuses_booleans_and_strings():
    assert shared.is_number(3) and shared.is_number(Decimal("1.5"))
    assert not shared.is_number(True) and not shared.is_number("3") and not shared.is_number(None)


def routes_handler():
    def ok(event, res):
        return {"got": res}

    def make(event, res):
        return Created({"id": "new"})

    def missing(event, res):
        raise NotFound("no such thing")

    def conflict(event, res):
        raise HttpError(409, "busy")

    def broken(event, res):
        raise RuntimeError("boom")

    routes = {("GET", "/a"): ok, ("POST", "/a"): make, ("GET", "/a/{id}"): missing, ("PUT", "/a/{id}"): conflict,
              ("DELETE", "/a/{id}"): broken}
    return shared.http_handler(routes, lambda: "resources")


@pytest.mark.parametrize(("method", "resource", "status", "message", "body"), [
    ("GET", "/a", 200, 'Successfully finished operation: "GET"', {"got": "resources"}),
    ("POST", "/a", 201, 'Successfully finished operation: "POST"', {"id": "new"}),
    ("GET", "/a/{id}", 404, "no such thing", None),
    ("PUT", "/a/{id}", 409, "busy", None),
    ("DELETE", "/a/{id}", 500, 'Failed to perform operation "DELETE": boom', None),
    ("PATCH", "/a", 400, 'Unsupported route: "PATCH /a"', None),
])
def test_routes_answer_with_message_and_body(method, resource, status, message, body):
    code, payload = answer(routes_handler()(request(method, resource), None))
    assert (code, payload) == (status, {"message": message, "body": body})


def test_all_pages_follows_last_evaluated_key():
    pages = {None: {"Items": [1, 2], "LastEvaluatedKey": {"k": "2"}},
             "2": {"Items": [3], "LastEvaluatedKey": {"k": "3"}},
             "3": {"Items": []}}
    seen = []

    def scan(**kwargs):
        seen.append(kwargs)
        return pages[(kwargs.get("ExclusiveStartKey") or {}).get("k")]

    assert shared.all_pages(scan, Limit=2) == [1, 2, 3]
    assert seen == [{"Limit": 2}, {"Limit": 2, "ExclusiveStartKey": {"k": "2"}},
                    {"Limit": 2, "ExclusiveStartKey": {"k": "3"}}]


def test_responses_are_api_gateway_proxy_results():
    response = shared.respond(201, "made", {"price": Decimal("9.5")})
    assert response == {"statusCode": 201, "headers": {"Content-Type": "application/json"},
                        "body": json.dumps({"message": "made", "body": {"price": 9.5}})}


def test_clients_are_made_in_the_init_phase_only_inside_lambda(monkeypatch):
    made = []
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    shared.init_phase(lambda: made.append("outside"))
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "basketFunction")
    shared.init_phase(lambda: made.append("table"), lambda: made.append("events"))
    assert made == ["table", "events"]
