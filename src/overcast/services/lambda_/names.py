"""Function names, qualifiers and ARNs in every form Lambda accepts (docs/aws-behaviour.md#function-names-and-qualifiers)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from overcast.services.lambda_.catalogue import error

_ARN = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):)?(?:(?P<account>\d{12}):)?(?:function:)?"
    r"(?P<name>[a-zA-Z0-9_.-]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?$"
)


@dataclass(frozen=True)
class FunctionRef:
    account: str
    region: str
    name: str
    qualifier: str | None

    @property
    def arn(self) -> str:
        return function_arn(self.region, self.account, self.name)

    def qualified_arn(self, qualifier: str | None = None) -> str:
        q = qualifier if qualifier is not None else self.qualifier
        return f"{self.arn}:{q}" if q else self.arn


def function_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def parse_function(value: str, account: str, region: str, qualifier: str | None = None) -> FunctionRef:
    """Resolve a FunctionName parameter (name, name:qualifier, ARN, partial ARN) plus an explicit
    `Qualifier` parameter; they must agree when both are given."""
    match = _ARN.match(value)
    if match is None:
        raise error("invalid_function_name", name=value)
    derived = match.group("qualifier")
    if derived and qualifier and derived != qualifier:
        raise error("qualifier_mismatch")
    return FunctionRef(
        account=match.group("account") or account,
        region=match.group("region") or region,
        name=match.group("name"),
        qualifier=qualifier or derived,
    )


def is_version(qualifier: str | None) -> bool:
    return bool(qualifier) and (qualifier == "$LATEST" or qualifier.isdigit())  # type: ignore[union-attr]
