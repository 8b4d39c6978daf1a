"""Running a behaviour's edge functions for one event: the CloudFront Function (viewer events)
or the Lambda@Edge function version associated with the event type, and what each answered
turned into the request to go on with, or the response to send."""

from __future__ import annotations

from typing import Any

from overcast.edge.messages import Response
from overcast.platform import Platform
from overcast.services.cloudfront import lambda_edge as le
from overcast.services.cloudfront.api_base import items
from overcast.services.cloudfront.lambda_edge import EdgeRequest, EdgeValidationError
from overcast.services.cloudfront.pages import EdgeFailure, reason

#: Lambda@Edge functions run in us-east-1 (AWS replicates them from there).
_REGION = "us-east-1"


def _association(behaviour: dict[str, Any], event_type: str) -> dict[str, Any] | None:
    return next((a for a in items(behaviour.get("LambdaFunctionAssociations")) if a["EventType"] == event_type), None)


def _function_association(behaviour: dict[str, Any], event_type: str) -> dict[str, Any] | None:
    return next((a for a in items(behaviour.get("FunctionAssociations")) if a["EventType"] == event_type), None)


async def _invoke(platform: Platform, account: str, arn: str, payload: bytes) -> dict[str, Any]:
    from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure

    try:
        result = await platform.component(FrontDoorCalls).invoke(arn, payload, account=account, region=_REGION,
                                                                  timeout=None)
    except IntegrationFailure as failure:
        raise EdgeFailure("limit" if failure.kind == "throttled" else "execution", failure.detail) from None
    try:
        return le.parse_answer(result.payload)
    except EdgeValidationError as exc:
        raise EdgeFailure("validation", str(exc)) from None


async def run_request_event(platform: Platform, account: str, behaviour: dict[str, Any], event_type: str,
                            request: EdgeRequest, cf_config: dict[str, Any],
                            origin: tuple[dict[str, Any], str] | None) -> EdgeRequest | Response:
    """The request to go on with, or the response a function generated."""
    function = _function_association(behaviour, event_type)
    if function is not None:
        from overcast.services.cloudfront.cf_functions import run_viewer_request

        return await run_viewer_request(platform, account, function["FunctionARN"], request, cf_config)
    association = _association(behaviour, event_type)
    if association is None:
        return request
    record = le.request_record(request, bool(association.get("IncludeBody")))
    if origin is not None:
        record["origin"] = le.origin_record(*origin)
    answer = await _invoke(platform, account, association["LambdaFunctionARN"], le.event(cf_config, record))
    try:
        if "status" in answer:
            status, headers, body = le.generated_response(event_type, answer)
            return Response(status, headers, body)
        return le.applied_request(event_type, request, answer)
    except EdgeValidationError as exc:
        raise EdgeFailure("validation", str(exc)) from None


async def run_response_event(platform: Platform, account: str, behaviour: dict[str, Any], event_type: str,
                             request: EdgeRequest, response: Response, cf_config: dict[str, Any],
                             origin: tuple[dict[str, Any], str] | None) -> Response:
    """The response as the event's function left it."""
    function = _function_association(behaviour, event_type)
    if function is not None:
        from overcast.services.cloudfront.cf_functions import run_viewer_response

        return await run_viewer_response(platform, account, function["FunctionARN"], request, response, cf_config)
    association = _association(behaviour, event_type)
    if association is None:
        return response
    headers = [(k, v) for k, v in response.headers if k.lower() not in ("content-length", "transfer-encoding")]
    record = le.request_record(request, False)
    if origin is not None:
        record["origin"] = le.origin_record(*origin)
    payload = le.event(cf_config, record, le.response_record(response.status, headers, reason(response.status)))
    answer = await _invoke(platform, account, association["LambdaFunctionARN"], payload)
    body = response.body if isinstance(response.body, bytes) else b""
    try:
        status, new_headers, new_body = le.answered_response(event_type, answer, headers, body)
    except EdgeValidationError as exc:
        raise EdgeFailure("validation", str(exc)) from None
    if event_type == "viewer-response":
        status = response.status  # viewer-response functions cannot change the status (AWS)
    return Response(status, new_headers, new_body)
