"""Amazon Resource Names: build and take apart."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """`function` for `function:name`, `table` for `table/name`, '' for `name`."""
        for sep in (":", "/"):
            if sep in self.resource:
                return self.resource.split(sep, 1)[0]
        return ""

    @property
    def resource_id(self) -> str:
        """`name` for `function:name`/`table/name`/`name`."""
        for sep in (":", "/"):
            if sep in self.resource:
                return self.resource.split(sep, 1)[1]
        return self.resource


def parse(arn: str) -> Arn:
    """Split an ARN; ValueError when it is not one."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[2]:
        raise ValueError(f"not an ARN: {arn!r}")
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def is_arn(value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def build(service: str, region: str, account: str, resource: str, partition: str = "aws") -> str:
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"
