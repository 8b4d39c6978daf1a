"""Dynamic references ([AWS](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html)):
`{{resolve:ssm:name[:version]}}`, `{{resolve:ssm-secure:name[:version]}}` and
`{{resolve:secretsmanager:secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]}}`
inside a resource's property strings, resolved when the resource is created or updated, in the
stack's account and region, through the services' own operations in process.

AWS's rules kept here: a template holds at most 60 references; an `ssm` reference the template
names literally must exist when the stack is created or updated (`Parameters: [ssm:name] cannot
be found.`); `ssm` reads String and StringList parameters, `ssm-secure` SecureString ones, and
only in the resource properties AWS lists for it; secure references (`ssm-secure`,
`secretsmanager`) are refused in custom resources. Resolved values are not written back to the
template."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform

REFERENCE = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^{}]+?)\}\}")
MAX_REFERENCES = 60

#: the resource properties that accept `ssm-secure` references (AWS's list)
SECURE_PROPERTIES = {
    "AWS::DirectoryService::MicrosoftAD": {"Password"},
    "AWS::DirectoryService::SimpleAD": {"Password"},
    "AWS::ElastiCache::ReplicationGroup": {"AuthToken"},
    "AWS::IAM::User": {"LoginProfile"},
    "AWS::KinesisFirehose::DeliveryStream": {"RedshiftDestinationConfiguration"},
    "AWS::OpsWorks::App": {"AppSource"},
    "AWS::OpsWorks::Stack": {"CustomCookbooksSource", "RdsDbInstances"},
    "AWS::RDS::DBCluster": {"MasterUserPassword"},
    "AWS::RDS::DBInstance": {"MasterUserPassword"},
    "AWS::Redshift::Cluster": {"MasterUserPassword"},
}


class DynamicReferenceError(Exception):
    """A reference that cannot be resolved; the message is AWS's."""


def references(value: Any) -> list[tuple[str, str]]:
    """Every (service, body) reference in the strings of `value`."""
    if isinstance(value, str):
        return REFERENCE.findall(value)
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in references(item)]
    return []


def split_ssm(body: str) -> tuple[str, str | None]:
    """(parameter name, version) of an `ssm` reference's body."""
    name, _, version = body.rpartition(":")
    if name and version.isdigit():
        return name, version
    return body, None


def check_template(resources: dict[str, Any], exists: Callable[[str], bool]) -> None:
    """The checks AWS makes when a stack is created or updated: the count, and that every `ssm`
    parameter the template names literally exists."""
    found = [(name, ref) for name, res in resources.items() if isinstance(res, dict)
             for ref in references(res.get("Properties"))]
    if len(found) > MAX_REFERENCES:
        raise DynamicReferenceError(f"Template format error: the template holds {len(found)} dynamic references; "
                                    f"the maximum is {MAX_REFERENCES}.")
    for _, (service, body) in found:
        if service == "ssm" and "${" not in body and not exists(body):
            raise DynamicReferenceError(f"Parameters: [ssm:{body}] cannot be found.")


class Resolver:
    """Resolves one resource's references through the hosted services' operations."""

    def __init__(self, platform: Platform, ctx: RequestContext) -> None:
        self.platform = platform
        self.ctx = ctx

    def _api(self, service: str) -> Any:
        gateway = self.platform.gateway
        if gateway is None or service not in gateway.specs:
            raise DynamicReferenceError(f"overcast does not host {service}, which resolves this dynamic reference")
        return gateway.api(service)

    def _call(self, service: str, operation: str, **kwargs: Any) -> dict[str, Any]:
        method = getattr(self._api(service), operation)
        result = method(self.ctx.internal(service, operation), **kwargs)
        if inspect.isawaitable(result):  # the operations read here are plain methods
            result.close()  # type: ignore[attr-defined]
            raise DynamicReferenceError(f"{service} {operation} cannot be called while resolving references")
        return dict(result)

    def properties(self, resource_type: str, properties: dict[str, Any]) -> dict[str, Any]:
        """`properties` with every reference replaced by its value."""
        custom = resource_type == "AWS::CloudFormation::CustomResource" or resource_type.startswith("Custom::")
        return {key: self._value(value, resource_type, key, custom) for key, value in properties.items()}

    def _value(self, value: Any, resource_type: str, prop: str, custom: bool) -> Any:
        if isinstance(value, str):
            return REFERENCE.sub(lambda m: self._one(m.group(1), m.group(2), resource_type, prop, custom), value)
        if isinstance(value, dict):
            return {k: self._value(v, resource_type, prop, custom) for k, v in value.items()}
        if isinstance(value, list):
            return [self._value(v, resource_type, prop, custom) for v in value]
        return value

    def _one(self, service: str, body: str, resource_type: str, prop: str, custom: bool) -> str:
        if service != "ssm" and custom:
            raise DynamicReferenceError("Dynamic references for secure values (ssm-secure, secretsmanager) are not "
                                        "supported in custom resources.")
        if service == "ssm-secure" and prop not in SECURE_PROPERTIES.get(resource_type, set()):
            raise DynamicReferenceError(f"SSM Secure reference is not supported in: "
                                        f"[{resource_type}/Properties/{prop}]")
        if service == "secretsmanager":
            return self._secret(body)
        return self._parameter(body, secure=service == "ssm-secure")

    def _parameter(self, body: str, secure: bool) -> str:
        name, version = split_ssm(body)
        try:
            found = self._call("ssm", "get_parameter", name=f"{name}:{version}" if version else name,
                               with_decryption=secure)["Parameter"]
        except ServiceError:
            raise DynamicReferenceError(f"Parameters: [ssm{'-secure' if secure else ''}:{body}] cannot be found.") \
                from None
        if secure and found["Type"] != "SecureString":
            raise DynamicReferenceError(f"Parameter {name} is not a SecureString parameter: use an ssm dynamic "
                                        "reference for it.")
        if not secure and found["Type"] == "SecureString":
            raise DynamicReferenceError(f"Parameter {name} is a SecureString parameter: use an ssm-secure dynamic "
                                        "reference for it.")
        return str(found["Value"])

    def _secret(self, body: str) -> str:
        parts = body.split(":")
        if body.startswith("arn:"):
            parts = [":".join(parts[:7]), *parts[7:]]
        secret_id, field, key, stage, version_id = [*parts, "", "", "", ""][:5]
        if field not in ("", "SecretString"):
            raise DynamicReferenceError(f"Invalid dynamic reference {{{{resolve:secretsmanager:{body}}}}}: only "
                                        "SecretString can be referenced.")
        if stage and version_id:
            raise DynamicReferenceError("You can't specify both version-stage and version-id in a secretsmanager "
                                        "dynamic reference.")
        args: dict[str, Any] = {"secret_id": secret_id}
        if version_id:
            args["version_id"] = version_id
        elif stage:
            args["version_stage"] = stage
        try:
            secret = self._call("secretsmanager", "get_secret_value", **args)
        except ServiceError as error:
            raise DynamicReferenceError(f"{error.message} (Service: AWSSecretsManager; Status Code: {error.status}; "
                                        f"Error Code: {error.code})") from None
        text = secret.get("SecretString")
        if text is None:
            raise DynamicReferenceError(f"Secret {secret_id} has no SecretString to reference.")
        if not key:
            return str(text)
        try:
            document = json.loads(text)
        except ValueError:
            raise DynamicReferenceError(f"Could not parse SecretString JSON of secret {secret_id}.") from None
        if not isinstance(document, dict) or key not in document:
            raise DynamicReferenceError(f"Could not find SecretString JSON key {key} in secret {secret_id}.")
        value = document[key]
        return value if isinstance(value, str) else json.dumps(value)
