"""Methods, method responses, integrations and integration responses (kept inside their resource's
document, as GetResource returns them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from overcast.context import RequestContext
from overcast.services.apigateway.api_base import ApiBase, check_method
from overcast.services.apigateway.errors import BadRequest, Conflict, NotFound

INTEGRATION_TYPES = ("HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY")
DEFAULT_TIMEOUT_MS = 29_000


class MethodOperations(ApiBase):
    def _edit(self, ctx: RequestContext, api_id: str, resource_id: str,
              change: Callable[[dict[str, Any]], Any]) -> Any:
        """Apply `change` to a resource document and store it; returns what `change` returns."""
        doc = self.store.resource(ctx.account, ctx.region, api_id, resource_id)
        result = change(doc)
        self.store.put_child(ctx.account, ctx.region, api_id, "resource", resource_id, doc)
        return result

    @staticmethod
    def _method(resource: dict[str, Any], http_method: str) -> dict[str, Any]:
        method = (resource.get("resourceMethods") or {}).get(http_method.upper())
        if method is None:
            raise NotFound("Invalid Method identifier specified")
        return method

    @staticmethod
    def _integration(resource: dict[str, Any], http_method: str) -> dict[str, Any]:
        integration = MethodOperations._method(resource, http_method).get("methodIntegration")
        if integration is None:
            raise NotFound("Invalid Integration identifier specified")
        return integration

    # -- methods -------------------------------------------------------------------------------

    def put_method(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str,
                   authorization_type: str, authorizer_id: str | None = None, api_key_required: bool = False,
                   operation_name: str | None = None, request_parameters: dict[str, bool] | None = None,
                   request_models: dict[str, str] | None = None, request_validator_id: str | None = None,
                   authorization_scopes: list[str] | None = None) -> dict[str, Any]:
        verb = check_method(http_method)
        auth = authorization_type.upper()
        if auth not in ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"):
            raise BadRequest(f"Invalid authorization type specified: {authorization_type}")
        if auth in ("CUSTOM", "COGNITO_USER_POOLS"):
            if not authorizer_id:
                raise BadRequest("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
                                 "COGNITO_USER_POOLS requires a valid authorizer.")
            self.store.child(ctx.account, ctx.region, rest_api_id, "authorizer", authorizer_id,
                             "Invalid authorizer ID specified")
        method: dict[str, Any] = {"httpMethod": verb, "authorizationType": auth, "apiKeyRequired": api_key_required}
        for key, value in (("authorizerId", authorizer_id), ("operationName", operation_name),
                           ("requestParameters", request_parameters), ("requestModels", request_models),
                           ("requestValidatorId", request_validator_id),
                           ("authorizationScopes", authorization_scopes)):
            if value is not None:
                method[key] = value

        def change(resource: dict[str, Any]) -> None:
            methods = resource.setdefault("resourceMethods", {})
            if verb in methods:
                raise Conflict("Method already exists for this resource")
            methods[verb] = method

        self._edit(ctx, rest_api_id, resource_id, change)
        return method

    def get_method(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str) -> dict[str, Any]:
        return self._method(self.store.resource(ctx.account, ctx.region, rest_api_id, resource_id), http_method)

    def update_method(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str,
                      patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return self._edit(ctx, rest_api_id, resource_id, lambda r: self._patch(
            self._method(r, http_method), patch_operations, "Method"))  # type: ignore[no-any-return]

    def delete_method(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str) -> dict[str, Any]:
        def change(resource: dict[str, Any]) -> None:
            self._method(resource, http_method)
            del resource["resourceMethods"][http_method.upper()]
            if not resource["resourceMethods"]:
                del resource["resourceMethods"]

        self._edit(ctx, rest_api_id, resource_id, change)
        return {}

    # -- method responses ----------------------------------------------------------------------

    def put_method_response(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str,
                            status_code: str, response_parameters: dict[str, bool] | None = None,
                            response_models: dict[str, str] | None = None) -> dict[str, Any]:
        response: dict[str, Any] = {"statusCode": status_code}
        if response_parameters:
            response["responseParameters"] = response_parameters
        if response_models:
            response["responseModels"] = response_models

        def change(resource: dict[str, Any]) -> None:
            self._method(resource, http_method).setdefault("methodResponses", {})[status_code] = response

        self._edit(ctx, rest_api_id, resource_id, change)
        return response

    def _method_response(self, resource: dict[str, Any], http_method: str, status_code: str) -> dict[str, Any]:
        found = (self._method(resource, http_method).get("methodResponses") or {}).get(status_code)
        if found is None:
            raise NotFound("Invalid Response status code specified")
        return found  # type: ignore[no-any-return]

    def get_method_response(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str,
                            status_code: str) -> dict[str, Any]:
        resource = self.store.resource(ctx.account, ctx.region, rest_api_id, resource_id)
        return self._method_response(resource, http_method, status_code)

    def update_method_response(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str,
                               status_code: str, patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return self._edit(ctx, rest_api_id, resource_id, lambda r: self._patch(  # type: ignore[no-any-return]
            self._method_response(r, http_method, status_code), patch_operations, "MethodResponse"))

    def delete_method_response(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str,
                               status_code: str) -> dict[str, Any]:
        def change(resource: dict[str, Any]) -> None:
            self._method_response(resource, http_method, status_code)
            del self._method(resource, http_method)["methodResponses"][status_code]

        self._edit(ctx, rest_api_id, resource_id, change)
        return {}

    # -- integrations --------------------------------------------------------------------------

    def put_integration(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str,
                        type: str, integration_http_method: str | None = None, uri: str | None = None,
                        request_parameters: dict[str, str] | None = None,
                        request_templates: dict[str, str] | None = None, passthrough_behavior: str | None = None,
                        cache_namespace: str | None = None, cache_key_parameters: list[str] | None = None,
                        content_handling: str | None = None, timeout_in_millis: int | None = None,
                        **extra: Any) -> dict[str, Any]:
        kind = type.upper()
        if kind not in INTEGRATION_TYPES:
            raise BadRequest(f"Invalid integration type specified: {type}")
        if kind != "MOCK":
            if not integration_http_method:
                raise BadRequest("Enumeration value for HttpMethod must be non-empty")
            if not uri:
                raise BadRequest("Invalid integration URI specified")
            if kind in ("AWS", "AWS_PROXY") and not uri.startswith("arn:aws"):
                raise BadRequest("AWS ARN for integration must contain path or action")
            if kind in ("HTTP", "HTTP_PROXY") and not uri.startswith(("http://", "https://")):
                raise BadRequest("Invalid HTTP endpoint specified for URI")
        timeout = timeout_in_millis if timeout_in_millis is not None else DEFAULT_TIMEOUT_MS
        if not 50 <= timeout <= 29_000:
            raise BadRequest("Timeout should be between 50 ms and 29000 ms")
        integration: dict[str, Any] = {"type": kind}
        if integration_http_method:
            integration["httpMethod"] = check_method(integration_http_method)
        if uri:
            integration["uri"] = uri
        for key, value in (("requestParameters", request_parameters), ("requestTemplates", request_templates),
                           ("contentHandling", content_handling), ("connectionType", extra.get("connection_type")),
                           ("credentials", extra.get("credentials"))):
            if value is not None:
                integration[key] = value
        integration["passthroughBehavior"] = passthrough_behavior or "WHEN_NO_MATCH"
        integration["timeoutInMillis"] = timeout
        integration["cacheNamespace"] = cache_namespace or resource_id
        integration["cacheKeyParameters"] = cache_key_parameters or []

        def change(resource: dict[str, Any]) -> None:
            self._method(resource, http_method)["methodIntegration"] = integration

        self._edit(ctx, rest_api_id, resource_id, change)
        return integration

    def get_integration(self, ctx: RequestContext, rest_api_id: str, resource_id: str,
                        http_method: str) -> dict[str, Any]:
        return self._integration(self.store.resource(ctx.account, ctx.region, rest_api_id, resource_id), http_method)

    def update_integration(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str,
                           patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return self._edit(ctx, rest_api_id, resource_id, lambda r: self._patch(  # type: ignore[no-any-return]
            self._integration(r, http_method), patch_operations, "Integration"))

    def delete_integration(self, ctx: RequestContext, rest_api_id: str, resource_id: str,
                           http_method: str) -> dict[str, Any]:
        def change(resource: dict[str, Any]) -> None:
            self._integration(resource, http_method)
            del self._method(resource, http_method)["methodIntegration"]

        self._edit(ctx, rest_api_id, resource_id, change)
        return {}

    # -- integration responses -----------------------------------------------------------------

    def put_integration_response(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str,
                                 status_code: str, selection_pattern: str | None = None,
                                 response_parameters: dict[str, str] | None = None,
                                 response_templates: dict[str, str] | None = None,
                                 content_handling: str | None = None) -> dict[str, Any]:
        response: dict[str, Any] = {"statusCode": status_code}
        for key, value in (("selectionPattern", selection_pattern), ("responseParameters", response_parameters),
                           ("responseTemplates", response_templates), ("contentHandling", content_handling)):
            if value is not None:
                response[key] = value

        def change(resource: dict[str, Any]) -> None:
            self._integration(resource, http_method).setdefault("integrationResponses", {})[status_code] = response

        self._edit(ctx, rest_api_id, resource_id, change)
        return response

    def _integration_response(self, resource: dict[str, Any], http_method: str, status_code: str) -> dict[str, Any]:
        found = (self._integration(resource, http_method).get("integrationResponses") or {}).get(status_code)
        if found is None:
            raise NotFound("Invalid Response status code specified")
        return found  # type: ignore[no-any-return]

    def get_integration_response(self, ctx: RequestContext, rest_api_id: str, resource_id: str, http_method: str,
                                 status_code: str) -> dict[str, Any]:
        resource = self.store.resource(ctx.account, ctx.region, rest_api_id, resource_id)
        return self._integration_response(resource, http_method, status_code)

    def update_integration_response(self, ctx: RequestContext, rest_api_id: str, resource_id: str,
                                    http_method: str, status_code: str,
                                    patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return self._edit(ctx, rest_api_id, resource_id, lambda r: self._patch(  # type: ignore[no-any-return]
            self._integration_response(r, http_method, status_code), patch_operations, "IntegrationResponse"))

    def delete_integration_response(self, ctx: RequestContext, rest_api_id: str, resource_id: str,
                                    http_method: str, status_code: str) -> dict[str, Any]:
        def change(resource: dict[str, Any]) -> None:
            self._integration_response(resource, http_method, status_code)
            del self._integration(resource, http_method)["integrationResponses"][status_code]

        self._edit(ctx, rest_api_id, resource_id, change)
        return {}
