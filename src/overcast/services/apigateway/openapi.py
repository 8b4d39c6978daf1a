"""REST APIs from OpenAPI 3 / Swagger 2 definitions with API Gateway's extensions
(`x-amazon-apigateway-integration`, `-any-method`, `-authorizer`, `-binary-media-types`,
`-api-key-source`), and back (GetExport)."""

from __future__ import annotations

from typing import Any

from overcast import documents
from overcast.services.apigateway.errors import BadRequest
from overcast.services.apigateway.ids import new_id

_VERBS = ("get", "put", "post", "delete", "patch", "options", "head")
_ANY = "x-amazon-apigateway-any-method"
_LOCATIONS = {"path": "path", "query": "querystring", "header": "header"}


def load_definition(body: bytes | str | None) -> dict[str, Any]:
    """The definition document (JSON or YAML)."""
    try:
        text = body.decode() if isinstance(body, bytes) else (body or "")
    except UnicodeDecodeError:
        raise BadRequest("Invalid OpenAPI input: the document is not UTF-8 text") from None
    try:
        document = documents.loads(text)
    except documents.DocumentError as exc:
        raise BadRequest(f"Invalid OpenAPI input: {exc.msg}") from None
    except ValueError:
        import yaml

        try:
            document = documents.load_yaml(text)
        except yaml.YAMLError as exc:
            raise BadRequest(f"Invalid OpenAPI input: {exc}") from None
    if not isinstance(document, dict) or not (str(document.get("openapi", "")).startswith("3")
                                              or str(document.get("swagger", "")) == "2.0"):
        raise BadRequest("Invalid OpenAPI input: the document is neither OpenAPI 3 nor Swagger 2.0")
    return document


def api_settings(document: dict[str, Any]) -> dict[str, Any]:
    info = document.get("info") or {}
    settings: dict[str, Any] = {"name": info.get("title") or "imported"}
    if info.get("description"):
        settings["description"] = info["description"]
    if info.get("version"):
        settings["version"] = str(info["version"])
    if document.get("x-amazon-apigateway-binary-media-types"):
        settings["binaryMediaTypes"] = list(document["x-amazon-apigateway-binary-media-types"])
    if document.get("x-amazon-apigateway-api-key-source"):
        settings["apiKeySource"] = document["x-amazon-apigateway-api-key-source"]
    return settings


def _schemes(document: dict[str, Any]) -> dict[str, Any]:
    if "components" in document:
        return (document.get("components") or {}).get("securitySchemes") or {}
    return document.get("securityDefinitions") or {}


def authorizers(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Scheme name → Authorizer document, for schemes with `x-amazon-apigateway-authorizer`."""
    found: dict[str, dict[str, Any]] = {}
    for name, scheme in _schemes(document).items():
        spec = scheme.get("x-amazon-apigateway-authorizer")
        if not spec:
            continue
        kind = str(spec.get("type", "token")).upper()
        doc: dict[str, Any] = {"id": new_id(6), "name": name, "type": kind,
                               "authorizerResultTtlInSeconds": int(spec.get("authorizerResultTtlInSeconds", 300))}
        identity = spec.get("identitySource")
        if not identity and scheme.get("in") == "header" and scheme.get("name"):
            identity = f"method.request.header.{scheme['name']}"
        for key, value in (("authorizerUri", spec.get("authorizerUri")), ("identitySource", identity),
                           ("identityValidationExpression", spec.get("identityValidationExpression")),
                           ("providerARNs", spec.get("providerARNs")),
                           ("authorizerCredentials", spec.get("authorizerCredentials")),
                           ("authType", scheme.get("x-amazon-apigateway-authtype"))):
            if value:
                doc[key] = value
        found[name] = doc
    return found


def _method(document: dict[str, Any], operation: dict[str, Any], verb: str,
            authorizer_ids: dict[str, str], path_parameters: list[dict[str, Any]]) -> dict[str, Any]:
    method: dict[str, Any] = {"httpMethod": verb, "authorizationType": "NONE", "apiKeyRequired": False}
    schemes = _schemes(document)
    for requirement in operation.get("security", document.get("security")) or []:
        for scheme_name in requirement:
            scheme = schemes.get(scheme_name) or {}
            if scheme_name in authorizer_ids:
                kind = (scheme.get("x-amazon-apigateway-authorizer") or {}).get("type", "token")
                method["authorizationType"] = "COGNITO_USER_POOLS" if kind == "cognito_user_pools" else "CUSTOM"
                method["authorizerId"] = authorizer_ids[scheme_name]
            elif scheme.get("x-amazon-apigateway-authtype") in ("awsSigv4", "AWS_IAM") or scheme_name == "sigv4":
                method["authorizationType"] = "AWS_IAM"
            elif scheme.get("type") == "apiKey":
                method["apiKeyRequired"] = True
    parameters = {}
    for parameter in [*path_parameters, *(operation.get("parameters") or [])]:
        where = _LOCATIONS.get(parameter.get("in", ""))
        if where and parameter.get("name"):
            parameters[f"method.request.{where}.{parameter['name']}"] = bool(parameter.get("required", False))
    if parameters:
        method["requestParameters"] = parameters
    responses = {}
    for code, response in (operation.get("responses") or {}).items():
        if str(code).isdigit():
            entry: dict[str, Any] = {"statusCode": str(code)}
            headers = (response or {}).get("headers") or {}
            if headers:
                entry["responseParameters"] = {f"method.response.header.{h}": False for h in headers}
            responses[str(code)] = entry
    if responses:
        method["methodResponses"] = responses
    spec = operation.get("x-amazon-apigateway-integration")
    if spec:
        method["methodIntegration"] = _integration(spec)
    return method


def _integration(spec: dict[str, Any]) -> dict[str, Any]:
    integration: dict[str, Any] = {"type": str(spec.get("type", "aws_proxy")).upper()}
    if spec.get("httpMethod"):
        integration["httpMethod"] = str(spec["httpMethod"]).upper()
    for key in ("uri", "requestTemplates", "requestParameters", "contentHandling", "credentials", "connectionType"):
        if spec.get(key) is not None:
            integration[key] = spec[key]
    integration["passthroughBehavior"] = str(spec.get("passthroughBehavior", "when_no_match")).upper()
    integration["timeoutInMillis"] = int(spec.get("timeoutInMillis", 29000))
    integration["cacheKeyParameters"] = spec.get("cacheKeyParameters", [])
    responses = {}
    for pattern, response in (spec.get("responses") or {}).items():
        code = str(response.get("statusCode", "200"))
        entry: dict[str, Any] = {"statusCode": code}
        if pattern != "default":
            entry["selectionPattern"] = pattern
        for key in ("responseTemplates", "responseParameters", "contentHandling"):
            if response.get(key) is not None:
                entry[key] = response[key]
        responses[code] = entry
    if responses:
        integration["integrationResponses"] = responses
    return integration


def resources(document: dict[str, Any], root_id: str, authorizer_ids: dict[str, str],
              existing: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The resource documents the definition's paths describe (reusing `existing` ones by path)."""
    by_path: dict[str, dict[str, Any]] = {r["path"]: r for r in existing or []}
    by_path.setdefault("/", {"id": root_id, "path": "/"})
    for path, item in (document.get("paths") or {}).items():
        node = by_path["/"]
        for part in [p for p in path.split("/") if p]:
            child_path = f"{node['path'].rstrip('/')}/{part}"
            if child_path not in by_path:
                by_path[child_path] = {"id": new_id(6), "parentId": node["id"], "pathPart": part, "path": child_path}
            node = by_path[child_path]
        shared = (item or {}).get("parameters") or []
        for verb in (*_VERBS, _ANY):
            operation = (item or {}).get(verb)
            if operation is None:
                continue
            name = "ANY" if verb == _ANY else verb.upper()
            node.setdefault("resourceMethods", {})[name] = _method(document, operation, name, authorizer_ids, shared)
    return list(by_path.values())


# -- export -----------------------------------------------------------------------------------


def export(snapshot: dict[str, Any], stage: dict[str, Any], export_type: str, with_extensions: bool,
           endpoint: str) -> dict[str, Any]:
    """A Swagger 2 or OpenAPI 3 document of what a stage serves."""
    api = snapshot["api"]
    info = {"title": api.get("name") or api["id"], "version": str(stage.get("lastUpdatedDate", ""))}
    paths: dict[str, Any] = {}
    for resource in sorted(snapshot["resources"], key=lambda r: r["path"]):
        for verb, method in (resource.get("resourceMethods") or {}).items():
            operation: dict[str, Any] = {"responses": {code: {"description": f"{code} response"}
                                                       for code in method.get("methodResponses") or {}}}
            parameters = [{"name": key.rsplit(".", 1)[1], "in": _param_location(key), "required": required,
                           "type" if export_type == "swagger" else "schema":
                               "string" if export_type == "swagger" else {"type": "string"}}
                          for key, required in (method.get("requestParameters") or {}).items()]
            if parameters:
                operation["parameters"] = parameters
            if with_extensions and method.get("methodIntegration"):
                operation["x-amazon-apigateway-integration"] = _export_integration(method["methodIntegration"])
            paths.setdefault(resource["path"], {})[_ANY if verb == "ANY" else verb.lower()] = operation
    host = endpoint.split("://", 1)[-1]
    base = f"/restapis/{api['id']}/{stage['stageName']}/_user_request_"
    if export_type == "swagger":
        document: dict[str, Any] = {"swagger": "2.0", "info": info, "host": host, "basePath": base,
                                    "schemes": ["http"], "paths": paths}
    else:
        document = {"openapi": "3.0.1", "info": info, "servers": [{"url": f"{endpoint}{base}"}], "paths": paths}
    if with_extensions and api.get("binaryMediaTypes"):
        document["x-amazon-apigateway-binary-media-types"] = api["binaryMediaTypes"]
    return document


def _param_location(key: str) -> str:
    where = key.split(".")[2] if key.count(".") >= 3 else "query"
    return {"querystring": "query"}.get(where, where)


def _export_integration(integration: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": integration["type"].lower()}
    for key in ("httpMethod", "uri", "requestTemplates", "requestParameters", "timeoutInMillis", "contentHandling"):
        if integration.get(key) is not None:
            out[key] = integration[key]
    out["passthroughBehavior"] = str(integration.get("passthroughBehavior", "WHEN_NO_MATCH")).lower()
    responses = {}
    for code, response in (integration.get("integrationResponses") or {}).items():
        entry = {k: v for k, v in response.items() if k != "selectionPattern"}
        responses[response.get("selectionPattern") or "default"] = {**entry, "statusCode": code}
    if responses:
        out["responses"] = responses
    return out
