"""API Gateway's control plane in IAM's terms, for calls made in process (no HTTP request): the
operation's HTTP method on its request URI filled with the call's members, V2's `/v2` dropped."""

from __future__ import annotations

import botocore.session

from overcast.context import RequestContext
from overcast.services.iam.apigateway_paths import control_plane

CTX = RequestContext(account="123456789012", region="eu-west-1", service="apigateway", operation="")
SESSION = botocore.session.get_session()


def _pairs(service: str, operation: str, params: dict) -> list[tuple[str, str]]:
    op = SESSION.get_service_model(service).operation_model(operation)
    return control_plane(CTX, op, params)


def test_rest_api_operations_map_to_their_method_and_path():
    assert _pairs("apigateway", "CreateRestApi", {"name": "x"}) == [
        ("apigateway:POST", "arn:aws:apigateway:eu-west-1::/restapis")]
    assert _pairs("apigateway", "GetResources", {"restApiId": "a1", "limit": 500}) == [
        ("apigateway:GET", "arn:aws:apigateway:eu-west-1::/restapis/a1/resources")]
    assert _pairs("apigateway", "PutMethod", {"restApiId": "a1", "resourceId": "r2", "httpMethod": "GET",
                                               "authorizationType": "NONE"}) == [
        ("apigateway:PUT", "arn:aws:apigateway:eu-west-1::/restapis/a1/resources/r2/methods/GET")]
    assert _pairs("apigateway", "DeleteRestApi", {"restApiId": "a1"}) == [
        ("apigateway:DELETE", "arn:aws:apigateway:eu-west-1::/restapis/a1")]
    assert _pairs("apigateway", "UpdateStage", {"restApiId": "a1", "stageName": "prod"}) == [
        ("apigateway:PATCH", "arn:aws:apigateway:eu-west-1::/restapis/a1/stages/prod")]


def test_http_api_paths_drop_the_v2_prefix():
    assert _pairs("apigatewayv2", "CreateApi", {"Name": "h", "ProtocolType": "HTTP"}) == [
        ("apigateway:POST", "arn:aws:apigateway:eu-west-1::/apis")]
    assert _pairs("apigatewayv2", "GetRoutes", {"ApiId": "h1"}) == [
        ("apigateway:GET", "arn:aws:apigateway:eu-west-1::/apis/h1/routes")]
