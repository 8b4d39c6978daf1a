"""The invoke endpoint (AWS's `execute-api`) on overcast's one port, for REST and HTTP APIs alike:

- `http://localhost:4566/restapis/{apiId}/{stage}/_user_request_/{path}`
- `http://localhost:4566/_aws/execute-api/{apiId}/{stage}/{path}` (HTTP APIs: `{stage}/` only for a
  stage other than `$default`; this is the `ApiEndpoint` HTTP APIs hand out)
- `http://{apiId}.execute-api.localhost:4566/{stage}/{path}` (any host `{apiId}.execute-api.*`)
"""

from __future__ import annotations

from overcast.edge.messages import Request, Response
from overcast.invocation.http.responses import json_message
from overcast.platform import Platform

PATH_PREFIX = "/_aws/execute-api/"
USER_REQUEST = "/_user_request_"


def matches(req: Request) -> bool:
    path = req.raw_path
    if path.startswith("/restapis/"):
        return USER_REQUEST in path
    if path.startswith(PATH_PREFIX):
        return True
    return ".execute-api." in req.host


def _split(req: Request) -> tuple[str, str] | None:
    """(api id, the path after it) for any of the URL forms."""
    path = req.raw_path.split("?", 1)[0]
    if path.startswith("/restapis/"):
        head, _, tail = path.partition(USER_REQUEST)
        parts = head.split("/")   # ['', 'restapis', id, stage]
        if len(parts) != 4 or (tail and not tail.startswith("/")):
            return None
        return parts[2], f"/{parts[3]}{tail or '/'}"
    if path.startswith(PATH_PREFIX):
        api_id, _, rest = path[len(PATH_PREFIX):].partition("/")
        return api_id, f"/{rest}"
    return req.hostname.split(".", 1)[0], path or "/"


async def handle(platform: Platform, req: Request) -> Response:
    split = _split(req)
    if split is None or not split[0]:
        return json_message(404, "Not Found")
    api_id, rest = split
    from overcast.services.apigateway.models import RestApiStore

    found = platform.component(RestApiStore).find_api(api_id)
    if found is not None:
        from overcast.services.apigateway.dataplane import RestDataPlane

        account, region, _ = found
        stage, _, path = rest[1:].partition("/")
        if not stage:
            return json_message(403, "Missing Authentication Token")
        return await platform.component(RestDataPlane).serve(req, account, region, api_id, stage, f"/{path}")
    from overcast.services.apigatewayv2.dataplane import HttpApiDataPlane

    return await platform.component(HttpApiDataPlane).serve(req, api_id, rest)
