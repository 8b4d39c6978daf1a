"""rest-json members renamed with `locationName` (API Gateway, API Gateway v2) round-trip through
botocore's own serializer and parser."""

from tests.unit.roundtrip import client_parse, client_request, server_parse


def test_apigateway_put_integration_renamed_member():
    params = {"restApiId": "a1", "resourceId": "r1", "httpMethod": "GET", "type": "AWS_PROXY",
              "integrationHttpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:lambda:path/x"}
    name, parsed = server_parse("apigateway", client_request("apigateway", "PutIntegration", params))
    assert name == "PutIntegration"
    assert parsed == params


def test_apigatewayv2_camel_case_members_both_ways():
    params = {"Name": "n", "ProtocolType": "HTTP", "Target": "arn:aws:lambda:us-east-1:000000000000:function:f",
              "CorsConfiguration": {"AllowOrigins": ["*"], "MaxAge": 5}}
    name, parsed = server_parse("apigatewayv2", client_request("apigatewayv2", "CreateApi", params))
    assert name == "CreateApi"
    assert parsed == params
    routes = {"Items": [{"RouteId": "r", "RouteKey": "GET /x", "AuthorizationType": "NONE"}], "NextToken": "1"}
    assert client_parse("apigatewayv2", "GetRoutes", routes) == routes
