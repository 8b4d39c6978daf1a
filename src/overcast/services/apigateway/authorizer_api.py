"""Authorizers, models and request validators of a REST API."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.apigateway.base import Operations, page
from overcast.services.apigateway.errors import BadRequest, Conflict
from overcast.services.apigateway.ids import new_id

AUTHORIZER_TYPES = ("TOKEN", "REQUEST", "COGNITO_USER_POOLS")


class AuthorizerOperations(Operations):
    # -- authorizers ---------------------------------------------------------------------------

    def create_authorizer(self, ctx: RequestContext, rest_api_id: str, name: str, type: str,
                          provider_arns: list[str] | None = None, auth_type: str | None = None,
                          authorizer_uri: str | None = None, authorizer_credentials: str | None = None,
                          identity_source: str | None = None, identity_validation_expression: str | None = None,
                          authorizer_result_ttl_in_seconds: int | None = None) -> dict[str, Any]:
        self._api(ctx, rest_api_id)
        if type not in AUTHORIZER_TYPES:
            raise BadRequest(f"Invalid authorizer type: {type}")
        if type in ("TOKEN", "REQUEST") and not authorizer_uri:
            raise BadRequest("Authorizer URI is required for a Lambda authorizer")
        if type == "COGNITO_USER_POOLS" and not provider_arns:
            raise BadRequest("ProviderARNs need to be specified for a COGNITO_USER_POOLS authorizer")
        if type == "TOKEN" and not identity_source:
            identity_source = "method.request.header.Authorization"
        doc: dict[str, Any] = {"id": new_id(6), "name": name, "type": type}
        for key, value in (("providerARNs", provider_arns), ("authType", auth_type),
                           ("authorizerUri", authorizer_uri), ("authorizerCredentials", authorizer_credentials),
                           ("identitySource", identity_source),
                           ("identityValidationExpression", identity_validation_expression)):
            if value is not None:
                doc[key] = value
        ttl = 300 if authorizer_result_ttl_in_seconds is None else authorizer_result_ttl_in_seconds
        if not 0 <= ttl <= 3600:
            raise BadRequest("Authorizer result TTL must be between 0 and 3600 seconds")
        doc["authorizerResultTtlInSeconds"] = ttl
        self.store.put_child(ctx.account, ctx.region, rest_api_id, "authorizer", doc["id"], doc)
        return doc

    def _authorizer(self, ctx: RequestContext, rest_api_id: str, authorizer_id: str) -> dict[str, Any]:
        return self.store.child(ctx.account, ctx.region, rest_api_id, "authorizer", authorizer_id,
                                "Invalid Authorizer identifier specified")

    def get_authorizer(self, ctx: RequestContext, rest_api_id: str, authorizer_id: str) -> dict[str, Any]:
        return self._authorizer(ctx, rest_api_id, authorizer_id)

    def get_authorizers(self, ctx: RequestContext, rest_api_id: str, position: str | None = None,
                        limit: int | None = None) -> dict[str, Any]:
        return page(self.store.children(ctx.account, ctx.region, rest_api_id, "authorizer"), position, limit)

    def update_authorizer(self, ctx: RequestContext, rest_api_id: str, authorizer_id: str,
                          patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        doc = self._patch(self._authorizer(ctx, rest_api_id, authorizer_id), patch_operations, "Authorizer")
        self.store.put_child(ctx.account, ctx.region, rest_api_id, "authorizer", authorizer_id, doc)
        return doc

    def delete_authorizer(self, ctx: RequestContext, rest_api_id: str, authorizer_id: str) -> dict[str, Any]:
        self._authorizer(ctx, rest_api_id, authorizer_id)
        for resource in self.store.resources(ctx.account, ctx.region, rest_api_id):
            for method in (resource.get("resourceMethods") or {}).values():
                if method.get("authorizerId") == authorizer_id:
                    raise Conflict(f"Cannot delete authorizer '{authorizer_id}', is referenced in method: "
                                   f"'{method['httpMethod']}:{resource['path']}'")
        self.store.delete_child(ctx.account, ctx.region, rest_api_id, "authorizer", authorizer_id)
        return {}

    # -- models --------------------------------------------------------------------------------

    def create_model(self, ctx: RequestContext, rest_api_id: str, name: str, content_type: str,
                     description: str | None = None, schema: str | None = None) -> dict[str, Any]:
        self._api(ctx, rest_api_id)
        if self.store.docs.get(ctx.account, ctx.region, "model", name, parent=rest_api_id) is not None:
            raise Conflict("Model name already exists for this REST API")
        doc: dict[str, Any] = {"id": new_id(6), "name": name, "contentType": content_type}
        if description is not None:
            doc["description"] = description
        if schema is not None:
            doc["schema"] = schema
        self.store.put_child(ctx.account, ctx.region, rest_api_id, "model", name, doc)
        return doc

    def get_model(self, ctx: RequestContext, rest_api_id: str, model_name: str, flatten: bool = False) -> dict[str, Any]:
        return self.store.child(ctx.account, ctx.region, rest_api_id, "model", model_name,
                                f"Invalid model name specified: {model_name}")

    def get_models(self, ctx: RequestContext, rest_api_id: str, position: str | None = None,
                   limit: int | None = None) -> dict[str, Any]:
        return page(self.store.children(ctx.account, ctx.region, rest_api_id, "model"), position, limit)

    def update_model(self, ctx: RequestContext, rest_api_id: str, model_name: str,
                     patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        doc = self._patch(self.get_model(ctx, rest_api_id, model_name), patch_operations, "Model")
        self.store.put_child(ctx.account, ctx.region, rest_api_id, "model", model_name, doc)
        return doc

    def delete_model(self, ctx: RequestContext, rest_api_id: str, model_name: str) -> dict[str, Any]:
        self.get_model(ctx, rest_api_id, model_name)
        self.store.delete_child(ctx.account, ctx.region, rest_api_id, "model", model_name)
        return {}

    # -- request validators --------------------------------------------------------------------

    def create_request_validator(self, ctx: RequestContext, rest_api_id: str, name: str | None = None,
                                 validate_request_body: bool = False,
                                 validate_request_parameters: bool = False) -> dict[str, Any]:
        self._api(ctx, rest_api_id)
        doc: dict[str, Any] = {"id": new_id(6), "name": name or "", "validateRequestBody": validate_request_body,
               "validateRequestParameters": validate_request_parameters}
        self.store.put_child(ctx.account, ctx.region, rest_api_id, "validator", doc["id"], doc)
        return doc

    def get_request_validator(self, ctx: RequestContext, rest_api_id: str, request_validator_id: str) -> dict[str, Any]:
        return self.store.child(ctx.account, ctx.region, rest_api_id, "validator", request_validator_id,
                                "Invalid Request Validator identifier specified")

    def get_request_validators(self, ctx: RequestContext, rest_api_id: str, position: str | None = None,
                               limit: int | None = None) -> dict[str, Any]:
        return page(self.store.children(ctx.account, ctx.region, rest_api_id, "validator"), position, limit)

    def update_request_validator(self, ctx: RequestContext, rest_api_id: str, request_validator_id: str,
                                 patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        doc = self._patch(self.get_request_validator(ctx, rest_api_id, request_validator_id), patch_operations,
                          "RequestValidator")
        self.store.put_child(ctx.account, ctx.region, rest_api_id, "validator", request_validator_id, doc)
        return doc

    def delete_request_validator(self, ctx: RequestContext, rest_api_id: str,
                                 request_validator_id: str) -> dict[str, Any]:
        self.get_request_validator(ctx, rest_api_id, request_validator_id)
        self.store.delete_child(ctx.account, ctx.region, rest_api_id, "validator", request_validator_id)
        return {}
