"""Secrets Manager secrets read through Parameter Store
([AWS](https://docs.aws.amazon.com/systems-manager/latest/userguide/integration-ps-secretsmanager.html)):
GetParameter(s) of `/aws/reference/secretsmanager/<secret-id>[:<version id or staging label>]`
with WithDecryption answers the secret's value as a SecureString parameter of version 0, with
DescribeSecret's answer as `SourceResult`. The secret is read through Secrets Manager's own
operations, in process."""

from __future__ import annotations

import inspect
import json
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ClientError, ServiceError
from overcast.platform import Platform
from overcast.protocol.catalog import service_model
from overcast.protocol.inprocess import output
from overcast.services.ssm.errors import ValidationException

PREFIX = "/aws/reference/secretsmanager/"


def is_reference(name: str) -> bool:
    return name.startswith(PREFIX)


def _not_found(name: str) -> ClientError:
    return ClientError(f"An error occurred (ParameterNotFound) when referencing Secrets Manager: Secret {name} not "
                       "found.", code="ParameterNotFound")


def _split(rest: str) -> tuple[str, str | None]:
    parts = rest.split(":")
    if rest.startswith("arn:"):
        parts = [":".join(parts[:7]), *parts[7:]]
    return parts[0], (parts[1] if len(parts) > 1 else None)


def _call(platform: Platform, ctx: RequestContext, operation: str, **kwargs: Any) -> dict[str, Any]:
    gateway = platform.gateway
    if gateway is None or "secretsmanager" not in gateway.specs:  # no Secrets Manager: no such secret
        raise ClientError("Secrets Manager can't find the specified secret.", code="ResourceNotFoundException")
    result = getattr(gateway.api("secretsmanager"), operation)(ctx.internal("secretsmanager", operation), **kwargs)
    if inspect.isawaitable(result):
        result.close()  # type: ignore[attr-defined]
        raise ServiceError(f"Secrets Manager's {operation} cannot be called from Parameter Store",
                           code="InternalServerError", status=500)
    return dict(result or {})


def read(platform: Platform, ctx: RequestContext, name: str, decrypt: bool) -> dict[str, Any]:
    """The parameter a reference to a secret stands for, as GetParameter answers it."""
    if not decrypt:
        raise ValidationException("WithDecryption flag must be True for retrieving a Secret Manager secret.")
    secret_id, selector = _split(name[len(PREFIX):])
    try:
        described = _call(platform, ctx, "describe_secret", secret_id=secret_id)
        value = _value(platform, ctx, secret_id, selector)
    except ClientError as error:
        if error.code == "ResourceNotFoundException":
            raise _not_found(name) from None
        raise
    model = service_model("secretsmanager").operation_model("DescribeSecret")
    source = output(model.output_shape, described) if model.output_shape is not None else described
    text = value.get("SecretString")
    if text is None and value.get("SecretBinary") is not None:
        text = output(service_model("secretsmanager").operation_model("GetSecretValue").output_shape,
                      {"SecretBinary": value["SecretBinary"]})["SecretBinary"]
    parameter = {"Name": described.get("Name", secret_id), "Type": "SecureString", "Value": text or "",
                 "Version": 0, "SourceResult": json.dumps(source), "DataType": "text",
                 "LastModifiedDate": described.get("LastChangedDate") or value.get("CreatedDate"),
                 "ARN": described.get("ARN")}
    if selector is not None:
        parameter["Selector"] = f":{selector}"
    return {k: v for k, v in parameter.items() if v is not None}


def _value(platform: Platform, ctx: RequestContext, secret_id: str, selector: str | None) -> dict[str, Any]:
    if selector is None:
        return _call(platform, ctx, "get_secret_value", secret_id=secret_id)
    try:  # a selector is a version id or a staging label
        return _call(platform, ctx, "get_secret_value", secret_id=secret_id, version_id=selector)
    except ClientError as error:
        if error.code not in ("ResourceNotFoundException", "InvalidParameterException", "ValidationException"):
            raise
    return _call(platform, ctx, "get_secret_value", secret_id=secret_id, version_stage=selector)
