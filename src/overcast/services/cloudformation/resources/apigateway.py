"""AWS::ApiGateway::* (REST APIs): RestApi (also from an OpenAPI Body or BodyS3Location), Resource,
Method (with its Integration and responses), Deployment, Stage, Authorizer, ApiKey, UsagePlan,
UsagePlanKey, Account. API Gateway's members are lowerCamelCase; CloudFormation's are PascalCase."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.errors import ResourceFailure
from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import as_json, tags_map
from overcast.services.s3.inbox import read_object


def camel(value: Any, depth: int = 1) -> Any:
    """PascalCase keys to lowerCamelCase, `depth` levels down (map keys below stay as they are)."""
    if depth <= 0:
        return value
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel(v, depth - 1) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v, depth) for v in value]
    return value


def _pick(props: dict[str, Any], *names: str, depth: int = 1) -> dict[str, Any]:
    return {n[:1].lower() + n[1:]: camel(props[n], depth) for n in names if props.get(n) is not None}


def _patch(path: str, value: Any) -> dict[str, str]:
    return {"op": "replace", "path": path, "value": str(value)}


class RestApiProvider(Provider):
    """Ref is the API id; GetAtt RestApiId, RootResourceId."""

    types = ("AWS::ApiGateway::RestApi",)

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        body = await self._body(d)
        if body is not None:
            params = {"body": body, "failOnWarnings": props.get("FailOnWarnings"),
                      "parameters": props.get("Parameters")}
            api = await d.call("apigateway", "ImportRestApi", params)
            if props.get("Name") and api.get("name") != props["Name"]:
                await d.call("apigateway", "UpdateRestApi", {"restApiId": api["id"],
                                                             "patchOperations": [_patch("/name", props["Name"])]})
        else:
            params = {"name": props.get("Name") or d.generated_name(128), "tags": tags_map(props.get("Tags")) or None,
                      **_pick(props, "Description", "BinaryMediaTypes", "MinimumCompressionSize", "CloneFrom",
                              "DisableExecuteApiEndpoint", "Version"),
                      **_pick(props, "EndpointConfiguration", depth=2)}
            if props.get("ApiKeySourceType"):
                params["apiKeySource"] = props["ApiKeySourceType"]
            if props.get("Policy"):
                params["policy"] = as_json(props["Policy"])
            api = await d.call("apigateway", "CreateRestApi", params)
        return await self._outcome(d, api["id"])

    async def _body(self, d: Deployment) -> bytes | None:
        props = d.properties
        if props.get("Body") is not None:
            return as_json(props["Body"]).encode()
        location = props.get("BodyS3Location")
        if not location:
            return None
        try:
            return read_object(d.platform, location["Bucket"], location["Key"], location.get("Version"))
        except Exception as exc:
            raise ResourceFailure(f"Unable to read BodyS3Location s3://{location.get('Bucket')}/"
                                  f"{location.get('Key')}: {getattr(exc, 'message', exc)}") from None

    async def _outcome(self, d: Deployment, api_id: str) -> Outcome:
        resources = await d.call("apigateway", "GetResources", {"restApiId": api_id, "limit": 500})
        root = next((r["id"] for r in resources.get("items") or [] if r.get("path") == "/"), "")
        return Outcome(api_id, {"RestApiId": api_id, "RootResourceId": root})

    async def update(self, d: Deployment) -> Outcome:
        api_id = d.physical_id or ""
        body = await self._body(d)
        if body is not None:
            await d.call("apigateway", "PutRestApi", {"restApiId": api_id, "mode": "overwrite", "body": body,
                                                      "failOnWarnings": d.properties.get("FailOnWarnings")})
        patches = []
        for prop, path in (("Name", "/name"), ("Description", "/description")):
            if d.properties.get(prop) != d.old_properties.get(prop) and d.properties.get(prop) is not None:
                patches.append(_patch(path, d.properties[prop]))
        if patches:
            await d.call("apigateway", "UpdateRestApi", {"restApiId": api_id, "patchOperations": patches})
        return await self._outcome(d, api_id)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("apigateway", "DeleteRestApi", {"restApiId": d.physical_id})


class ResourceProvider(Provider):
    """Ref is the resource id."""

    types = ("AWS::ApiGateway::Resource",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        result = await d.call("apigateway", "CreateResource", {
            "restApiId": props.get("RestApiId"), "parentId": props.get("ParentId"), "pathPart": props.get("PathPart")})
        return Outcome(result["id"], {"ResourceId": result["id"]})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("apigateway", "DeleteResource", {"restApiId": d.properties.get("RestApiId"),
                                                                  "resourceId": d.physical_id})


class MethodProvider(Provider):
    """A method with its integration and responses. An update puts the method afresh."""

    types = ("AWS::ApiGateway::Method",)
    replace = frozenset({"RestApiId", "ResourceId", "HttpMethod"})

    def _key(self, props: dict[str, Any]) -> dict[str, Any]:
        return {"restApiId": props.get("RestApiId"), "resourceId": props.get("ResourceId"),
                "httpMethod": props.get("HttpMethod")}

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        key = self._key(props)
        await d.call("apigateway", "PutMethod", {
            **key, "authorizationType": props.get("AuthorizationType") or "NONE",
            **_pick(props, "AuthorizerId", "ApiKeyRequired", "OperationName", "RequestParameters", "RequestModels",
                    "RequestValidatorId", "AuthorizationScopes")})
        for response in props.get("MethodResponses") or []:
            await d.call("apigateway", "PutMethodResponse", {**key, **_pick(
                response, "StatusCode", "ResponseParameters", "ResponseModels")})
        integration = props.get("Integration")
        if integration:
            await self._integration(d, key, integration)
        physical = f"{key['restApiId']}|{key['resourceId']}|{key['httpMethod']}"
        return Outcome(physical)

    async def _integration(self, d: Deployment, key: dict[str, Any], integration: dict[str, Any]) -> None:
        await d.call("apigateway", "PutIntegration", {**key, **_pick(
            integration, "Type", "IntegrationHttpMethod", "Uri", "ConnectionType", "ConnectionId", "Credentials",
            "RequestParameters", "RequestTemplates", "PassthroughBehavior", "CacheNamespace", "CacheKeyParameters",
            "ContentHandling", "TimeoutInMillis")})
        for response in integration.get("IntegrationResponses") or []:
            await d.call("apigateway", "PutIntegrationResponse", {**key, **_pick(
                response, "StatusCode", "SelectionPattern", "ResponseParameters", "ResponseTemplates",
                "ContentHandling")})

    async def update(self, d: Deployment) -> Outcome:
        await d.call_quietly("apigateway", "DeleteMethod", self._key(d.old_properties))
        return await self.create(d)

    async def delete(self, d: Deployment) -> None:
        await d.call_quietly("apigateway", "DeleteMethod", self._key(d.properties))


class DeploymentProvider(Provider):
    """Ref is the deployment id. A StageName property makes the stage too."""

    types = ("AWS::ApiGateway::Deployment",)
    replace = frozenset({"RestApiId", "StageName", "StageDescription", "DeploymentCanarySettings"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        params = {"restApiId": props.get("RestApiId"), **_pick(props, "StageName", "Description")}
        stage = props.get("StageDescription") or {}
        if stage.get("Description"):
            params["stageDescription"] = stage["Description"]
        if stage.get("Variables"):
            params["variables"] = stage["Variables"]
        result = await d.call("apigateway", "CreateDeployment", params)
        return Outcome(result["id"], {"DeploymentId": result["id"]})

    async def update(self, d: Deployment) -> Outcome:
        if d.properties.get("Description") != d.old_properties.get("Description"):
            await d.call("apigateway", "UpdateDeployment", {
                "restApiId": d.properties.get("RestApiId"), "deploymentId": d.physical_id,
                "patchOperations": [_patch("/description", d.properties.get("Description") or "")]})
        return Outcome(d.physical_id or "", {"DeploymentId": d.physical_id})

    async def delete(self, d: Deployment) -> None:
        api = d.properties.get("RestApiId")
        if d.properties.get("StageName"):
            stages = await self._stages(d, api)
            if any(s.get("stageName") == d.properties["StageName"] and s.get("deploymentId") == d.physical_id
                   for s in stages):
                await d.call_quietly("apigateway", "DeleteStage", {"restApiId": api,
                                                                   "stageName": d.properties["StageName"]})
        if d.physical_id:
            await d.call_quietly("apigateway", "DeleteDeployment", {"restApiId": api, "deploymentId": d.physical_id})

    async def _stages(self, d: Deployment, api: Any) -> list[dict[str, Any]]:
        try:
            return list((await d.call("apigateway", "GetStages", {"restApiId": api})).get("item") or [])
        except ResourceFailure:
            return []


class StageProvider(Provider):
    """Ref is the stage name."""

    types = ("AWS::ApiGateway::Stage",)
    replace = frozenset({"RestApiId", "StageName"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        await d.call("apigateway", "CreateStage", {
            "restApiId": props.get("RestApiId"), "stageName": props.get("StageName") or d.generated_name(128),
            "deploymentId": props.get("DeploymentId"), "tags": tags_map(props.get("Tags")) or None,
            **_pick(props, "Description", "Variables", "TracingEnabled", "CacheClusterEnabled")})
        return Outcome(str(props.get("StageName") or d.reserved_name))

    async def update(self, d: Deployment) -> Outcome:
        patches = []
        new, old = d.properties, d.old_properties
        if new.get("DeploymentId") != old.get("DeploymentId"):
            patches.append(_patch("/deploymentId", new.get("DeploymentId")))
        if new.get("Description") != old.get("Description"):
            patches.append(_patch("/description", new.get("Description") or ""))
        for name, value in (new.get("Variables") or {}).items():
            if (old.get("Variables") or {}).get(name) != value:
                patches.append(_patch(f"/variables/{name}", value))
        for name in (old.get("Variables") or {}).keys() - (new.get("Variables") or {}).keys():
            patches.append({"op": "remove", "path": f"/variables/{name}"})
        if patches:
            await d.call("apigateway", "UpdateStage", {"restApiId": new.get("RestApiId"), "stageName": d.physical_id,
                                                       "patchOperations": patches})
        return Outcome(d.physical_id or "")

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("apigateway", "DeleteStage", {"restApiId": d.properties.get("RestApiId"),
                                                               "stageName": d.physical_id})


class AuthorizerProvider(Provider):
    """Ref is the authorizer id."""

    types = ("AWS::ApiGateway::Authorizer",)
    replace = frozenset({"RestApiId"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        result = await d.call("apigateway", "CreateAuthorizer", {
            "restApiId": props.get("RestApiId"), "name": props.get("Name") or d.generated_name(128),
            **_pick(props, "Type", "ProviderARNs", "AuthType", "AuthorizerUri", "AuthorizerCredentials",
                    "IdentitySource", "IdentityValidationExpression", "AuthorizerResultTtlInSeconds")})
        return Outcome(result["id"], {"AuthorizerId": result["id"]})

    async def update(self, d: Deployment) -> Outcome:
        patches = []
        for prop, path in (("Name", "/name"), ("AuthorizerUri", "/authorizerUri"), ("IdentitySource", "/identitySource"),
                           ("AuthorizerResultTtlInSeconds", "/authorizerResultTtlInSeconds"), ("Type", "/type"),
                           ("IdentityValidationExpression", "/identityValidationExpression")):
            if d.properties.get(prop) != d.old_properties.get(prop) and d.properties.get(prop) is not None:
                patches.append(_patch(path, d.properties[prop]))
        if patches:
            await d.call("apigateway", "UpdateAuthorizer", {"restApiId": d.properties.get("RestApiId"),
                                                            "authorizerId": d.physical_id, "patchOperations": patches})
        return Outcome(d.physical_id or "", {"AuthorizerId": d.physical_id})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("apigateway", "DeleteAuthorizer", {"restApiId": d.properties.get("RestApiId"),
                                                                    "authorizerId": d.physical_id})


class ApiKeyProvider(Provider):
    """Ref is the key id; GetAtt APIKeyId."""

    types = ("AWS::ApiGateway::ApiKey",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        result = await d.call("apigateway", "CreateApiKey", {
            "name": props.get("Name") or d.generated_name(128), "tags": tags_map(props.get("Tags")) or None,
            **_pick(props, "Description", "Enabled", "GenerateDistinctId", "Value", "CustomerId"),
            **_pick(props, "StageKeys", depth=2)})
        return Outcome(result["id"], {"APIKeyId": result["id"]})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("apigateway", "DeleteApiKey", {"apiKey": d.physical_id})


class UsagePlanProvider(Provider):
    """Ref is the usage plan id."""

    types = ("AWS::ApiGateway::UsagePlan",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        stages = [{"apiId": s.get("ApiId"), "stage": s.get("Stage"), **({"throttle": camel(s["Throttle"], 2)}
                                                                         if s.get("Throttle") else {})}
                  for s in props.get("ApiStages") or []]
        result = await d.call("apigateway", "CreateUsagePlan", {
            "name": props.get("UsagePlanName") or d.generated_name(128), "apiStages": stages or None,
            "tags": tags_map(props.get("Tags")) or None, **_pick(props, "Description"),
            **_pick(props, "Quota", "Throttle", depth=2)})
        return Outcome(result["id"], {"Id": result["id"]})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("apigateway", "DeleteUsagePlan", {"usagePlanId": d.physical_id})


class UsagePlanKeyProvider(Provider):
    types = ("AWS::ApiGateway::UsagePlanKey",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        result = await d.call("apigateway", "CreateUsagePlanKey", {
            "usagePlanId": props.get("UsagePlanId"), "keyId": props.get("KeyId"), "keyType": props.get("KeyType")})
        return Outcome(result.get("id") or str(props.get("KeyId")))

    async def delete(self, d: Deployment) -> None:
        await d.call_quietly("apigateway", "DeleteUsagePlanKey", {"usagePlanId": d.properties.get("UsagePlanId"),
                                                                  "keyId": d.properties.get("KeyId")})


class AccountProvider(Provider):
    """AWS::ApiGateway::Account (the CloudWatch role for API Gateway logs): kept, no effect."""

    types = ("AWS::ApiGateway::Account",)

    async def create(self, d: Deployment) -> Outcome:
        return Outcome(d.physical_id or d.generated_name(128))

    async def update(self, d: Deployment) -> Outcome:
        return Outcome(d.physical_id or d.generated_name(128))

    async def delete(self, d: Deployment) -> None:
        return None


PROVIDERS = [RestApiProvider(), ResourceProvider(), MethodProvider(), DeploymentProvider(), StageProvider(),
             AuthorizerProvider(), ApiKeyProvider(), UsagePlanProvider(), UsagePlanKeyProvider(), AccountProvider()]


