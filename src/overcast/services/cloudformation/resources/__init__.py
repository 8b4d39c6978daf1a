"""Resource providers: one small module per service, each creating, updating and deleting its
resource types by calling that service's own operations (the api objects a user's request reaches),
so a resource made by a stack is the same as one made by hand.

A provider answers with an `Outcome`: the physical id, the `Ref` value when it differs, and the
values `Fn::GetAtt` reads. The registry maps a resource type to its provider.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, ClassVar

from overcast.services.cloudformation.resources.base import Deployment

__all__ = ["PROVIDER_MODULES", "Deployment", "Outcome", "Provider", "provider_for"]


@dataclass
class Outcome:
    physical_id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    #: what `Ref` returns, when it is not the physical id
    ref: Any = None


class Provider:
    """Base of every provider. Subclasses set `types` and implement create/update/delete."""

    types: ClassVar[tuple[str, ...]] = ()
    #: properties whose change makes AWS replace the resource (create the new one, then delete the old)
    replace: ClassVar[frozenset[str]] = frozenset()
    #: the property that names the resource, when the template may leave it to CloudFormation
    name_property: ClassVar[str | None] = None
    #: True when a change of any property replaces the resource (no update operation exists)
    immutable: ClassVar[bool] = False
    #: True when the physical id is the resource's name (then a creation cut short by a restart can
    #: be cleaned up by the name reserved for it)
    physical_is_name: ClassVar[bool] = False

    async def create(self, d: Deployment) -> Outcome:
        raise NotImplementedError

    async def update(self, d: Deployment) -> Outcome:
        """Bring the resource `d.physical_id` from `d.old_properties` to `d.properties`."""
        raise NotImplementedError

    async def delete(self, d: Deployment) -> None:
        raise NotImplementedError

    async def recover(self, d: Deployment) -> str | None:
        """The physical id of a resource whose creation was interrupted, from its reserved name."""
        return d.reserved_name if self.physical_is_name else None

    def requires_replacement(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        if self.immutable:
            return True
        changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
        return bool(changed & self.replace)

    def attribute_names(self) -> frozenset[str] | None:
        """The attributes Fn::GetAtt may ask for (None: whatever the provider returned)."""
        return None


#: modules holding providers; each exposes PROVIDERS, a list of Provider instances
PROVIDER_MODULES = (
    "lambda_", "sqs", "sns", "logs", "iam", "dynamodb", "events", "s3", "kinesis", "apigateway",
    "apigatewayv2", "elbv2", "ssm", "cloudwatch", "custom", "misc", "firehose", "ses", "cloudfront",
    "codecommit", "lex", "cognito", "scheduler", "config", "pipes", "stepfunctions", "kms",
)

_REGISTRY: dict[str, Provider] = {}


def _load() -> dict[str, Provider]:
    if not _REGISTRY:
        for name in PROVIDER_MODULES:
            module = importlib.import_module(f"{__name__}.{name}")
            for provider in module.PROVIDERS:
                for kind in provider.types:
                    _REGISTRY[kind] = provider
    return _REGISTRY


def provider_for(resource_type: str) -> Provider | None:
    registry = _load()
    provider = registry.get(resource_type)
    if provider is None and (resource_type.startswith("Custom::")
                             or resource_type == "AWS::CloudFormation::CustomResource"):
        provider = registry.get("AWS::CloudFormation::CustomResource")
    return provider


def supported_types() -> list[str]:
    return sorted(_load())
