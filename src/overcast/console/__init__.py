"""The web console, served by overcast itself at `/_overcast/console/`.

Static HTML, CSS and JavaScript modules (in `static/`, no build step) and one read-only internal
JSON API under `/_overcast/console/api/`:

- `GET  api/overview`: counts by service and the latest failed invocations;
- `GET  api/functions`: ListFunctions with each function's execution environments (warm, busy);
- `GET  api/functions/<name>/invocations`: its latest invocations, read from its log group;
- `GET  api/function-urls`: every function URL (ListFunctions, then each one's ListFunctionUrlConfigs);
- `GET  api/queues`: every queue with GetQueueAttributes(All);
- `GET  api/sample-events[/<source>/<kind>]`: the sample events of `overcast events`;
- `GET|POST api/call/<service>/<Operation>`: any operation that only reads (List*, Describe*, Get*,
  Scan, Query, Filter*, Test*), its input as the JSON body.

Every view reads through the services' own operations; the page sends whatever changes state
(Invoke, StartMessageMoveTask...) to the AWS endpoint as any SDK would. A `region` query parameter
picks the region and an `account` one the account (default: the configured ones).
"""

from __future__ import annotations

import json
import mimetypes
from importlib import resources
from typing import Any
from urllib.parse import unquote

from overcast import sample_events
from overcast.console import views
from overcast.console.calls import CallError, call, context, dumps
from overcast.edge.messages import Request, Response, json_response
from overcast.edge.serving import BodyTooLarge, Receive, Send, read_body, request_from_scope, send_response
from overcast.gateway import Gateway

PREFIX = "/_overcast/console"
#: The console's requests are small JSON documents.
MAX_BODY = 1024 * 1024


class Console:
    """An ASGI app for the paths under PREFIX."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    @staticmethod
    def claims(path: str) -> bool:
        return path == PREFIX or path.startswith(PREFIX + "/")

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        req = request_from_scope(scope)
        try:
            req.body = await read_body(receive, MAX_BODY)
        except ConnectionError:
            return
        except BodyTooLarge:  # the console never sends that much
            await send_response(send, _error(CallError(413, "RequestEntityTooLarge", "request body too large")))
            return
        await send_response(send, await self.handle(req), head=req.method == "HEAD")

    async def handle(self, req: Request) -> Response:
        """Answer one console request."""
        path = unquote(req.raw_path.split("?", 1)[0])[len(PREFIX):]
        if path == "":
            return Response(308, [("Location", PREFIX + "/")])
        if path.startswith("/api/"):
            try:
                return json_response(200, dumps(await self._api(req, path[len("/api/"):])))
            except CallError as error:
                return _error(error)
        if req.method not in ("GET", "HEAD"):
            return _error(CallError(405, "MethodNotAllowed", f"{req.method} is not allowed here"))
        return _static("index.html" if path == "/" else path.lstrip("/"))

    async def _api(self, req: Request, route: str) -> Any:
        account = req.query_get("account") or None
        if account is not None and not (len(account) == 12 and account.isdigit()):
            raise CallError(400, "ValidationException", "account must be twelve digits")
        ctx = context(self.gateway, f"{req.scheme}://{req.host}", req.query_get("region") or None, account)
        parts = route.strip("/").split("/")
        if parts[0] == "call" and len(parts) == 3 and req.method in ("GET", "POST"):
            return await call(self.gateway, ctx, parts[1], parts[2], _params(req))
        if req.method != "GET":
            raise CallError(405, "MethodNotAllowed", f"{req.method} is not allowed on api/{route}")
        if parts == ["overview"]:
            return await views.overview(self.gateway, ctx)
        if parts == ["functions"]:
            return {"Functions": await views.functions(self.gateway, ctx)}
        if parts == ["function-urls"]:
            return {"FunctionUrls": await views.function_urls(self.gateway, ctx)}
        if len(parts) == 3 and parts[0] == "functions" and parts[2] == "invocations":
            limit = int(req.query_get("limit") or 50)
            return {"Invocations": await views.invocations(self.gateway, ctx, parts[1], limit=min(limit, 500))}
        if parts[0] == "sample-events":
            return _sample_event(parts[1:])
        if parts == ["queues"]:
            return {"Queues": await views.queues(self.gateway, ctx)}
        raise CallError(404, "NotFound", f"the console's API has no route {route!r}")


def _sample_event(parts: list[str]) -> Any:
    """The sources and kinds of `overcast events`, or one kind's event with its defaults."""
    if not parts:
        return {"Sources": {name: {"description": spec.get("description", ""), "kinds": list(spec["kinds"])}
                            for name, spec in sample_events.sources().items()}}
    try:
        return {"Event": sample_events.render(parts[0], parts[1] if len(parts) > 1 else None)}
    except sample_events.UnknownEvent as error:
        raise CallError(404, "NotFound", str(error.args[0])) from None


def _params(req: Request) -> dict[str, Any]:
    if not req.body:
        return {}
    try:
        params = json.loads(req.body)
    except ValueError:
        raise CallError(400, "SerializationException", "the request body is not JSON") from None
    if not isinstance(params, dict):
        raise CallError(400, "SerializationException", "the request body must be a JSON object")
    return params


def _error(error: CallError) -> Response:
    return json_response(error.status, dumps(error.body()), [("x-amzn-ErrorType", error.code)])


def _static(name: str) -> Response:
    """A file of the package's `static/` folder; nothing outside it."""
    folder = resources.files(__package__) / "static"
    if not name or ".." in name.split("/") or name.startswith("/"):
        return _error(CallError(404, "NotFound", "no such file"))
    entry = folder.joinpath(*name.split("/"))
    if not entry.is_file():
        return _error(CallError(404, "NotFound", f"the console has no file {name}"))
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind.endswith("javascript"):
        kind += "; charset=utf-8"
    return Response(200, [("Content-Type", kind), ("Cache-Control", "no-cache")], entry.read_bytes())
