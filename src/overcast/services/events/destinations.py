"""Deliveries to API destinations: an HTTP request per event, authorized by the destination's connection.

What AWS sends ([AWS](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html)):
the target's input as the body (`Content-Type: application/json; charset=utf-8`, no body for GET and
HEAD), `*` in the endpoint replaced by the target's `HttpParameters.PathParameterValues` in order,
the target's and the connection's header and query string parameters (the connection's win), the
connection's body parameters merged into a JSON object body, and the connection's authorization:
`Authorization: Basic ...`, the API key header, or `Authorization: Bearer <token>` with a token got
from the OAuth authorization endpoint with the client credentials (cached until it expires, or
until the endpoint answers 401 or 407; a Basic or API-key connection so answered is DEAUTHORIZED,
and so is an OAuth one whose token cannot be got). EventBridge retries 401, 407, 409, 429 and 5xx answers and
failures to connect, as for other targets; any other answer is final and goes to the dead-letter
queue. Deliveries beyond the destination's `InvocationRateLimitPerSecond` wait for the next second.
"""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.parse
from collections import deque
from typing import Any

from overcast import arns
from overcast.delivery import DeliveryError, http
from overcast.platform import Platform
from overcast.services.events.store import EventsStore

CONNECTIONS = "events_connections"
DESTINATIONS = "events_api_destinations"
#: AWS's timeout of an API destination request, in seconds
HTTP_TIMEOUT = 5.0
USER_AGENT = "Amazon/EventBridge/ApiDestinations"
RETRIED = {401, 407, 409, 429}
NO_BODY = {"GET", "HEAD"}

Answer = tuple[int, bytes]


class RateLimits:
    """Per API destination: when its recent invocations started, to keep within its rate."""

    def __init__(self, platform: Platform) -> None:
        self.clock = platform.clock
        self.recent: dict[str, deque[float]] = {}

    def delay(self, arn: str, rate: int) -> float:
        """AWS seconds to wait before one more invocation (0: go now); records the invocation."""
        now = self.clock.now()
        started = self.recent.setdefault(arn, deque())
        while started and started[0] <= now - 1.0:
            started.popleft()
        wait = 0.0 if len(started) < rate else started[0] + 1.0 - now
        started.append(now + wait)
        return wait


async def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any]) -> Answer:
    """Send one event to the API destination `target_arn`; the endpoint's answer `(status, body)`
    (a pipe's enrichment reads the body)."""
    arn = arns.parse(target_arn)
    store = platform.component(EventsStore)
    name = arn.resource.split("/")[1]
    destination = store.doc(DESTINATIONS, arn.account, arn.region, name)
    if destination is None or destination["ApiDestinationArn"] != target_arn:
        raise DeliveryError(f"API destination {name} does not exist.", code="ResourceNotFoundException",
                            retryable=False)
    connection_name = destination["ConnectionArn"].split(":connection/", 1)[-1].split("/", 1)[0]
    connection = store.doc(CONNECTIONS, arn.account, arn.region, connection_name)
    if connection is None or connection.get("ConnectionState") != "AUTHORIZED":
        # AWS: an API destination whose connection is not AUTHORIZED is INACTIVE; its events fail
        raise DeliveryError(f"Connection {connection_name} is not authorized.", code="NO_PERMISSIONS",
                            retryable=False)
    wait = platform.component(RateLimits).delay(target_arn, int(destination["InvocationRateLimitPerSecond"]))
    if wait > 0:
        await platform.clock.sleep(wait)
    url, method, headers, body = request_for(destination, connection, payload, options.get("HttpParameters") or {})
    headers.update(await _authorization(platform, arn.account, arn.region, connection))
    status, answer = await asyncio.to_thread(send, url, method, headers, body)
    if 200 <= status < 300:
        return status, answer
    if status in (401, 407):
        if connection["AuthorizationType"] == "OAUTH_CLIENT_CREDENTIALS":
            connection["_token"] = None  # AWS: an OAuth token is refreshed after a 401 or 407
        else:  # AWS: a Basic or API-key connection answered 401/407 is de-authorized
            deauthorize(connection, f"The endpoint {url} answered {status} to the connection's credentials",
                        platform.clock.now())
        store.put_doc(CONNECTIONS, arn.account, arn.region, connection_name, connection)
    raise _failure(status, url)


def _failure(status: int, url: str) -> DeliveryError:
    if status == 599:
        return DeliveryError(f"Unable to connect to {url}", code="TimeoutError", retryable=True)
    retryable = status in RETRIED or status >= 500
    code = "THROTTLING" if status == 429 else "SDK_CLIENT_ERROR" if status < 500 else "UNKNOWN"
    return DeliveryError(f"Received a {status} response from {url}", code=code, retryable=retryable)


def request_for(destination: dict[str, Any], connection: dict[str, Any], payload: bytes,
                target_http: dict[str, Any]) -> tuple[str, str, dict[str, str], bytes | None]:
    """The URL, method, headers (without authorization) and body of one invocation."""
    url = destination["InvocationEndpoint"]
    for value in target_http.get("PathParameterValues") or []:
        url = url.replace("*", urllib.parse.quote(str(value), safe=""), 1)
    invocation = (connection.get("_auth") or {}).get("InvocationHttpParameters") or {}
    query = {**(target_http.get("QueryStringParameters") or {}),
             **{p["Key"]: p.get("Value", "") for p in invocation.get("QueryStringParameters") or []}}
    if query:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               **(target_http.get("HeaderParameters") or {}),
               **{p["Key"]: str(p.get("Value", "")) for p in invocation.get("HeaderParameters") or []}}
    method = destination["HttpMethod"]
    body: bytes | None = None if method in NO_BODY else _body(payload, invocation.get("BodyParameters") or [])
    return url, method, headers, body


def _body(payload: bytes, extra: list[dict[str, Any]]) -> bytes:
    if not extra:
        return payload
    try:
        document = json.loads(payload)
    except ValueError:
        return payload
    if not isinstance(document, dict):
        return payload
    document.update({p["Key"]: p.get("Value", "") for p in extra})
    return json.dumps(document, separators=(",", ":")).encode()


async def _authorization(platform: Platform, account: str, region: str, connection: dict[str, Any]) -> dict[str, str]:
    auth = connection.get("_auth") or {}
    kind = connection["AuthorizationType"]
    if kind == "BASIC":
        basic = auth["BasicAuthParameters"]
        return {"Authorization": _basic(basic.get("Username", ""), basic.get("Password", ""))}
    if kind == "API_KEY":
        key = auth["ApiKeyAuthParameters"]
        return {key["ApiKeyName"]: key.get("ApiKeyValue", "")}
    token = connection.get("_token") or {}
    if not token or (token.get("expires") is not None and token["expires"] <= platform.clock.now()):
        store = platform.component(EventsStore)
        try:
            token = await fetch_token(platform, auth["OAuthParameters"])
        except DeliveryError as failed:  # AWS: the connection becomes DEAUTHORIZED
            deauthorize(connection, str(failed), platform.clock.now())
            store.put_doc(CONNECTIONS, account, region, connection["Name"], connection)
            raise DeliveryError(str(failed), code="NO_PERMISSIONS", retryable=False) from None
        connection["_token"] = token
        store.put_doc(CONNECTIONS, account, region, connection["Name"], connection)
    return {"Authorization": f"Bearer {token['value']}"}


async def fetch_token(platform: Platform, oauth: dict[str, Any]) -> dict[str, Any]:
    """The client-credentials grant: the client id and secret as Basic authorization, the
    connection's OAuth HTTP parameters as headers, query string and form body."""
    client = oauth.get("ClientParameters") or {}
    params = oauth.get("OAuthHttpParameters") or {}
    url = oauth["AuthorizationEndpoint"]
    query = {p["Key"]: p.get("Value", "") for p in params.get("QueryStringParameters") or []}
    if query:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT,
               "Authorization": _basic(client.get("ClientID", ""), client.get("ClientSecret", "")),
               **{p["Key"]: str(p.get("Value", "")) for p in params.get("HeaderParameters") or []}}
    form = {p["Key"]: p.get("Value", "") for p in params.get("BodyParameters") or []}
    method = oauth.get("HttpMethod") or "POST"
    body = None if method in NO_BODY else urllib.parse.urlencode(form).encode()
    status, answer = await asyncio.to_thread(send, url, method, headers, body)
    try:
        document = json.loads(answer) if 200 <= status < 300 else {}
    except ValueError:
        document = {}
    if not isinstance(document, dict) or not document.get("access_token"):
        raise DeliveryError(f"The OAuth authorization endpoint answered {status} without an access_token",
                            code="NO_PERMISSIONS", retryable=True)
    expires = document.get("expires_in")
    return {"value": str(document["access_token"]),
            "expires": platform.clock.now() + float(expires) if isinstance(expires, int | float) else None}


def deauthorize(doc: dict[str, Any], reason: str, now: float) -> None:
    """AWS: a connection whose authorization fails is DEAUTHORIZED, with the failure as its reason."""
    doc.update(ConnectionState="DEAUTHORIZED", StateReason=reason, LastModifiedTime=now, _token=None, _due=None)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def send(url: str, method: str, headers: dict[str, str], body: bytes | None) -> Answer:
    """One HTTP request within AWS's timeout; its status and body (599 when it could not be made)."""
    return http.send(url, method, headers, body, HTTP_TIMEOUT)


async def deliver_api_gateway(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any]) -> None:
    """Send one event to an API Gateway REST API's stage, method and resource
    (`arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`), as AWS does for API
    Gateway targets: `*` in the path replaced by `HttpParameters.PathParameterValues`, the target's
    headers and query string, the event as a JSON body; answers are retried as for API destinations."""
    parts = arns.parse(target_arn).resource.split("/", 3)
    if len(parts) < 3:
        raise DeliveryError(f"{target_arn} is not an API Gateway stage ARN", code="ResourceNotFoundException",
                            retryable=False)
    api, stage, method = parts[0], parts[1], parts[2].upper()
    http = options.get("HttpParameters") or {}
    path = parts[3] if len(parts) > 3 else ""
    for value in http.get("PathParameterValues") or []:
        path = path.replace("*", urllib.parse.quote(str(value), safe=""), 1)
    url = f"{platform.config.endpoint}/restapis/{api}/{stage}/_user_request_/{path}"
    if http.get("QueryStringParameters"):
        url += "?" + urllib.parse.urlencode(http["QueryStringParameters"])
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               **(http.get("HeaderParameters") or {})}
    method = "POST" if method in ("*", "ANY") else method
    status, _ = await asyncio.to_thread(send, url, method, headers, None if method in NO_BODY else payload)
    if not 200 <= status < 300:
        raise _failure(status, url)
