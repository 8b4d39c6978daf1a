"""`/_overcast/lambda-debug/`: the debug switch of functions over HTTP (what `overcast debug` calls;
docs/debugging.md). Not an AWS API, so it answers plain JSON, with Lambda's error codes.

    GET    /_overcast/lambda-debug[?region=]            the functions being debugged
    PUT    /_overcast/lambda-debug/<function>[?region=]  {"Port": 5678, "Wait": false}: turn it on
    DELETE /_overcast/lambda-debug/<function>[?region=]  turn it off

`<function>` is a name or an ARN (whose account and region it then is in).
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from overcast.edge.messages import Request, Response
from overcast.errors import ServiceError
from overcast.execution import runtimes
from overcast.platform import Platform
from overcast.services.lambda_.debug import DebugSwitch, DebugSwitches, check_port
from overcast.services.lambda_.errors import InvalidParameterValue
from overcast.services.lambda_.models import FunctionStore
from overcast.services.lambda_.names import FunctionRef, parse_function

PREFIX = "/_overcast/lambda-debug"


def _answer(status: int, body: Any) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(body).encode())


def _view(platform: Platform, ref: FunctionRef, switch: DebugSwitch | None) -> dict[str, Any]:
    config = platform.component(FunctionStore).latest(ref)
    family = runtimes.family(config.get("Runtime")) or "python"
    view: dict[str, Any] = {"FunctionName": ref.name, "FunctionArn": ref.arn, "Runtime": config.get("Runtime"),
                            "Debugging": switch is not None}
    if switch is not None:
        view.update(Port=switch.port_for(family), Wait=switch.wait)
    return view


async def serve(platform: Platform, req: Request) -> Response:
    """Answer one request under PREFIX."""
    path, _, query = req.raw_path.partition("?")
    params = dict(urllib.parse.parse_qsl(query))
    region = params.get("region") or platform.config.default_region
    account = platform.config.default_account
    function = urllib.parse.unquote(path[len(PREFIX):].strip("/"))
    switches = platform.component(DebugSwitches)
    try:
        if not function:
            if req.method != "GET":
                return _answer(405, {"message": f"{req.method} needs a function: {PREFIX}/<function>"})
            listed = [_view(platform, FunctionRef(account, region, name, None), switch)
                      for name, switch in switches.listing(account, region)]
            return _answer(200, {"Functions": listed})
        ref = parse_function(function, account, region)
        ref = FunctionRef(ref.account, ref.region, ref.name, None)
        platform.component(FunctionStore).latest(ref)  # the function must exist
        if req.method == "GET":
            return _answer(200, _view(platform, ref, switches.get(ref.account, ref.region, ref.name)))
        if req.method in ("PUT", "POST"):
            switch = _switch(req.body)
            switches.set(ref, switch)
            return _answer(200, _view(platform, ref, switch))
        if req.method == "DELETE":
            switches.set(ref, None)
            return _answer(200, _view(platform, ref, None))
        return _answer(405, {"message": f"{req.method} is not one of GET, PUT, DELETE"})
    except ServiceError as exc:
        return _answer(exc.status, {"Type": "User", "__type": exc.code, "message": exc.message})


def _switch(body: bytes) -> DebugSwitch:
    try:
        doc = json.loads(body or b"{}")
    except ValueError:
        raise InvalidParameterValue("The body must be a JSON object such as {\"Port\": 5678, \"Wait\": false}.") \
            from None
    if not isinstance(doc, dict):
        raise InvalidParameterValue("The body must be a JSON object such as {\"Port\": 5678, \"Wait\": false}.")
    return DebugSwitch(check_port(doc.get("Port")), bool(doc.get("Wait", False)))
