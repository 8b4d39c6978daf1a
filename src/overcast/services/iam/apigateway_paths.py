"""API Gateway's control plane in IAM's terms: the action is `apigateway:<HTTP method>` and the
resource `arn:aws:apigateway:<region>::<resource path>`, as AWS's
[Service Authorization Reference](https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagement.html)
gives them (`apigateway:POST` on `/restapis` creates a REST API, `apigateway:PUT` on
`/restapis/<id>/resources/<id>/methods/GET` puts a method). HTTP and WebSocket APIs (API Gateway V2)
use the same paths without their wire prefix `/v2` (`/apis/<id>/routes`).

A call made over HTTP is checked on its request's method and path; a call made in process (a
stack's resource, a state machine's AWS SDK task) has no HTTP request, so its method and path are
built from the operation's HTTP binding in the botocore model, filled with the call's members."""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel

from overcast.context import RequestContext


def control_plane(ctx: RequestContext, op: OperationModel, params: dict[str, Any]) -> list[tuple[str, str]]:
    """The (action, resource ARN) pair an API Gateway control-plane operation needs allowed."""
    if ctx.request is not None:
        method, path = ctx.request.method, ctx.request.path
    else:
        method, path = str(op.http.get("method", "GET")), model_path(op, params)
    if path.startswith("/v2/"):  # API Gateway V2's wire prefix is not part of its resource paths
        path = path[3:]
    return [(f"apigateway:{method.upper()}", f"arn:aws:apigateway:{ctx.region}::{path}")]


def model_path(op: OperationModel, params: dict[str, Any]) -> str:
    """The operation's request URI (`/restapis/{restapi_id}/resources`) with each `{label}` (or
    greedy `{label+}`) replaced by the member bound to it; the query part dropped."""
    uri = str(op.http.get("requestUri", "/")).split("?", 1)[0]
    shape = op.input_shape
    if shape is None:
        return uri
    for member, member_shape in shape.members.items():
        serialization = member_shape.serialization
        if serialization.get("location") != "uri" or params.get(member) is None:
            continue
        label = serialization.get("name", member)
        value = str(params[member])
        uri = uri.replace("{" + label + "+}", value).replace("{" + label + "}", value)
    return uri
