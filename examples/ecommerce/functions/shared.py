"""What the product, basket and ordering functions share: API Gateway requests and responses with the
`{"message": ..., "body": ...}` contract, JSON with DynamoDB's exact numbers, and reads that page.

Packaged with every function (the three functions share one code folder).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import traceback
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

#: the application's own log lines at INFO (the runtime's root logger stays at WARNING, so botocore's
#: INFO chatter stays out of the log)
log = logging.getLogger("ecommerce")
log.setLevel(logging.INFO)

Event = dict[str, Any]
Route = Callable[[Event, Any], Any]


class HttpError(Exception):
    """An answer other than success: its status and message go to the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class NotFound(HttpError):
    def __init__(self, message: str) -> None:
        super().__init__(404, message)


class BadRequest(HttpError):
    def __init__(self, message: str) -> None:
        super().__init__(400, message)


class Created:
    """A route's result that made something new: answered with 201."""

    def __init__(self, body: Any) -> None:
        self.body = body


# -- JSON ------------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):  # DynamoDB numbers come back as Decimal
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):  # DynamoDB string and number sets
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(value: Any) -> str:
    return json.dumps(value, default=_encode)


def from_json(text: str | bytes) -> Any:
    """Parse JSON keeping fractions exact: DynamoDB takes Decimal, never float."""
    return json.loads(text, parse_float=Decimal)


# -- API Gateway (REST API, Lambda proxy integration) ------------------------------------------------


def respond(status: int, message: str, body: Any = None) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": to_json({"message": message, "body": body})}


def json_body(event: Event) -> dict[str, Any]:
    """The request's JSON object, or 400."""
    raw = event.get("body")
    if not raw:
        raise BadRequest("the request needs a JSON body")
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw)
    try:
        body = from_json(raw)
    except ValueError as error:
        raise BadRequest(f"the request body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    return body


def require(body: dict[str, Any], *names: str) -> None:
    """400 naming the fields that are missing or empty."""
    missing = [name for name in names if body.get(name) in (None, "")]
    if missing:
        raise BadRequest(f"missing field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")


def is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def path_param(event: Event, name: str) -> str:
    return str((event.get("pathParameters") or {})[name])


def query_param(event: Event, name: str) -> str | None:
    return (event.get("queryStringParameters") or {}).get(name) or None


def http_handler(routes: dict[tuple[str, str], Route], resources: Callable[[], Any]) -> Callable[[Event, Any], Any]:
    """A Lambda handler serving `routes`, keyed by (HTTP method, API Gateway resource path).

    Each route takes the event and `resources()` (the table, clients...) and returns the response
    body, wrapped in `Created` for a 201; it raises `HttpError` for anything else.
    """

    def handle(event: Event, context: Any = None) -> dict[str, Any]:
        method = event.get("httpMethod", "")
        route = routes.get((method, event.get("resource", "")))
        try:
            if route is None:
                raise BadRequest(f'Unsupported route: "{method} {event.get("resource")}"')
            result = route(event, resources())
        except HttpError as error:
            return respond(error.status, error.message)
        except Exception as error:  # the answer must stay a JSON document, never API Gateway's 502
            log.error("%s %s failed: %s", method, event.get("path"), traceback.format_exc())
            return respond(500, f'Failed to perform operation "{method}": {error}')
        message = f'Successfully finished operation: "{method}"'
        if isinstance(result, Created):
            return respond(201, message, result.body)
        return respond(200, message, result)

    return handle


def init_phase(*factories: Callable[[], Any]) -> None:
    """Make the AWS clients when Lambda loads the module (its init phase, which has a 10-second
    budget of its own) rather than in the first invocation, which counts against the function's
    timeout (3 s here): building a boto3 client costs 100-200 ms of CPU."""
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        for factory in factories:
            factory()


# -- DynamoDB ----------------------------------------------------------------------------------------


def all_pages(call: Callable[..., dict[str, Any]], **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a Scan or Query, following LastEvaluatedKey (one call reads at most 1 MB)."""
    return list(_pages(call, kwargs))


def _pages(call: Callable[..., dict[str, Any]], kwargs: dict[str, Any]) -> Iterator[dict[str, Any]]:
    while True:
        page = call(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs = {**kwargs, "ExclusiveStartKey": page["LastEvaluatedKey"]}


def condition_failed(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
