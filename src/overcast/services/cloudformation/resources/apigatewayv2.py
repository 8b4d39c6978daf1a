"""AWS::ApiGatewayV2::* (HTTP APIs): Api (quick create, or from an OpenAPI Body), Route,
Integration, Stage, Authorizer, Deployment."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider, openapi_http
from overcast.services.cloudformation.resources.base import as_json, pick, tags_map

_API = ("Name", "ProtocolType", "Target", "RouteKey", "CredentialsArn", "CorsConfiguration", "Description",
        "DisableExecuteApiEndpoint", "RouteSelectionExpression", "ApiKeySelectionExpression", "Version",
        "DisableSchemaValidation")


class ApiProvider(Provider):
    """Ref is the API id; GetAtt ApiEndpoint, ApiId."""

    types = ("AWS::ApiGatewayV2::Api",)
    replace = frozenset({"ProtocolType"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        if props.get("Body") is not None:
            if openapi_http.can_import(d):
                result = await d.call("apigatewayv2", "ImportApi", {"Body": as_json(props["Body"]),
                                                                    "FailOnWarnings": props.get("FailOnWarnings")})
            else:
                result = await openapi_http.build(d, _document(props["Body"]), props.get("Name"))
        else:
            result = await d.call("apigatewayv2", "CreateApi", {
                **pick(props, *_API), "Name": props.get("Name") or d.generated_name(128),
                "Tags": tags_map(props.get("Tags")) or None})
        return self._outcome(result)

    @staticmethod
    def _outcome(result: dict[str, Any]) -> Outcome:
        return Outcome(result["ApiId"], {"ApiId": result["ApiId"], "ApiEndpoint": result.get("ApiEndpoint", "")})

    async def update(self, d: Deployment) -> Outcome:
        api_id = d.physical_id
        if d.properties.get("Body") is not None:
            if openapi_http.can_import(d):
                result = await d.call("apigatewayv2", "ReimportApi", {"ApiId": api_id,
                                                                      "Body": as_json(d.properties["Body"])})
            else:
                result = await self._rebuild(d, api_id)
        else:
            params = {k: v for k, v in pick(d.properties, *_API).items() if k not in ("ProtocolType",)}
            result = await d.call("apigatewayv2", "UpdateApi", {"ApiId": api_id, **params})
        return self._outcome(result)

    async def _rebuild(self, d: Deployment, api_id: str | None) -> dict[str, Any]:
        """A new body without ReimportApi: drop the routes and integrations, add the new ones."""
        for kind, key in (("Route", "RouteId"), ("Integration", "IntegrationId")):
            listed = await d.call("apigatewayv2", f"Get{kind}s", {"ApiId": api_id})
            for item in listed.get("Items") or []:
                await d.call_quietly("apigatewayv2", f"Delete{kind}", {"ApiId": api_id, key: item[key]})
        await openapi_http.add_routes(d, str(api_id), _document(d.properties["Body"]))
        return await d.call("apigatewayv2", "GetApi", {"ApiId": api_id})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("apigatewayv2", "DeleteApi", {"ApiId": d.physical_id})


def _document(body: Any) -> dict[str, Any]:
    import json

    return json.loads(body) if isinstance(body, str) else dict(body)


class _Child(Provider):
    """A resource living inside an API: created, updated and deleted with the API's id."""

    create_op = update_op = delete_op = id_key = id_param = ""
    fields: tuple[str, ...] = ()

    async def create(self, d: Deployment) -> Outcome:
        result = await d.call("apigatewayv2", self.create_op, {"ApiId": d.properties.get("ApiId"),
                                                               **self._params(d)})
        return Outcome(str(result[self.id_key]), {self.id_key: result[self.id_key]})

    def _params(self, d: Deployment) -> dict[str, Any]:
        return pick(d.properties, *self.fields)

    async def update(self, d: Deployment) -> Outcome:
        await d.call("apigatewayv2", self.update_op, {"ApiId": d.properties.get("ApiId"),
                                                      self.id_param: d.physical_id, **self._params(d)})
        return Outcome(d.physical_id or "", {self.id_key: d.physical_id})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("apigatewayv2", self.delete_op, {"ApiId": d.properties.get("ApiId"),
                                                                  self.id_param: d.physical_id})


class RouteProvider(_Child):
    types = ("AWS::ApiGatewayV2::Route",)
    replace = frozenset({"ApiId"})
    create_op, update_op, delete_op, id_key, id_param = "CreateRoute", "UpdateRoute", "DeleteRoute", "RouteId", "RouteId"
    fields = ("RouteKey", "Target", "AuthorizationType", "AuthorizerId", "AuthorizationScopes", "ApiKeyRequired",
              "OperationName", "RequestModels", "RequestParameters", "RouteResponseSelectionExpression",
              "ModelSelectionExpression")


class IntegrationProvider(_Child):
    types = ("AWS::ApiGatewayV2::Integration",)
    replace = frozenset({"ApiId"})
    create_op, update_op, delete_op = "CreateIntegration", "UpdateIntegration", "DeleteIntegration"
    id_key = id_param = "IntegrationId"
    fields = ("IntegrationType", "IntegrationUri", "IntegrationMethod", "PayloadFormatVersion", "TimeoutInMillis",
              "ConnectionType", "ConnectionId", "CredentialsArn", "Description", "RequestParameters",
              "RequestTemplates", "ResponseParameters", "TemplateSelectionExpression", "PassthroughBehavior",
              "IntegrationSubtype", "ContentHandlingStrategy")


class AuthorizerProvider(_Child):
    types = ("AWS::ApiGatewayV2::Authorizer",)
    replace = frozenset({"ApiId"})
    create_op, update_op, delete_op = "CreateAuthorizer", "UpdateAuthorizer", "DeleteAuthorizer"
    id_key = id_param = "AuthorizerId"
    fields = ("AuthorizerType", "Name", "IdentitySource", "AuthorizerUri", "JwtConfiguration",
              "AuthorizerPayloadFormatVersion", "EnableSimpleResponses", "AuthorizerResultTtlInSeconds",
              "AuthorizerCredentialsArn", "IdentityValidationExpression")


class DeploymentProvider(_Child):
    types = ("AWS::ApiGatewayV2::Deployment",)
    replace = frozenset({"ApiId"})
    create_op, update_op, delete_op = "CreateDeployment", "UpdateDeployment", "DeleteDeployment"
    id_key = id_param = "DeploymentId"
    fields = ("Description", "StageName")


class StageProvider(Provider):
    """Ref is the stage name."""

    types = ("AWS::ApiGatewayV2::Stage",)
    replace = frozenset({"ApiId", "StageName"})
    _fields = ("DeploymentId", "Description", "AutoDeploy", "StageVariables", "DefaultRouteSettings",
               "RouteSettings", "AccessLogSettings", "ClientCertificateId")

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        await d.call("apigatewayv2", "CreateStage", {"ApiId": props.get("ApiId"), "StageName": props.get("StageName"),
                                                     "Tags": tags_map(props.get("Tags")) or None,
                                                     **pick(props, *self._fields)})
        return Outcome(str(props.get("StageName")))

    async def update(self, d: Deployment) -> Outcome:
        await d.call("apigatewayv2", "UpdateStage", {"ApiId": d.properties.get("ApiId"), "StageName": d.physical_id,
                                                     **pick(d.properties, *self._fields)})
        return Outcome(d.physical_id or "")

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("apigatewayv2", "DeleteStage", {"ApiId": d.properties.get("ApiId"),
                                                                 "StageName": d.physical_id})


PROVIDERS = [ApiProvider(), RouteProvider(), IntegrationProvider(), AuthorizerProvider(), DeploymentProvider(),
             StageProvider()]
