"""Parameter names as Parameter Store reads them
([constraints](https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html)):
letters, digits and `_.-/`; a name with a slash is a path that must begin with one; at most 15
levels; never prefixed with `aws` or `ssm`. A one-level name is the same parameter with or without
its leading slash (`/db` and `db`), and its ARN is `...:parameter/db` either way. A reference to a
parameter may carry a selector: `name:3` (a version) or `name:label`, or be the parameter's ARN."""

from __future__ import annotations

import re

from overcast.services.ssm.errors import (
    AccessDeniedException,
    HierarchyLevelLimitExceededException,
    ValidationException,
)

MAX_LEVELS = 15
#: the longest fully qualified name AWS accepts (its field holds 2048, names 1011)
MAX_NAME = 1011
_CHARS = re.compile(r"^[a-zA-Z0-9_.\-/]+$")
_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:([^:]*):([^:]*):parameter(/.*)$")

_PATH_RULES = ("If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can "
               "be formed as a mix of letters, numbers and the following 3 symbols .-_")


def key(name: str) -> str:
    """The stored key of a parameter name: a one-level name without its leading slash."""
    if name.startswith("/") and name.count("/") == 1:
        return name[1:]
    return name


def arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:ssm:{region}:{account}:parameter/{name.lstrip('/')}"


def check_new(name: str) -> None:
    """The rules PutParameter applies to the name of a parameter it creates or updates."""
    bare = name.lstrip("/").lower()
    is_path = name.count("/") > 1
    if bare.startswith(("aws", "ssm")):
        if name.lower().startswith("/aws") and is_path:
            raise AccessDeniedException(f"No access to reserved parameter name: {name}.")
        if not is_path:
            raise ValidationException('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).')
        raise ValidationException(f'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). {_PATH_RULES}')
    if "/" in name and not name.startswith("/"):
        raise ValidationException("Parameter name must be a fully qualified name.")
    if not _CHARS.match(name) or "//" in name or name.endswith("/") or len(name) > MAX_NAME:
        raise ValidationException(f'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). '
                                  f"{_PATH_RULES}")
    if name.count("/") > MAX_LEVELS:
        raise HierarchyLevelLimitExceededException(
            "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints "
            "for parameter names in the AWS Systems Manager User Guide.")


def split_selector(reference: str) -> tuple[str, str | None, bool]:
    """(name, selector, well formed) of `name`, `name:selector` or an ARN with either; a reference
    with more than one selector is not well formed (AWS answers ParameterNotFound for it)."""
    match = _ARN.match(reference)
    if match:
        rest = match.group(3)
        rest = rest[1:] if rest.count("/") == 1 else rest
    else:
        rest = reference
    parts = rest.split(":")
    if len(parts) > 2:
        return parts[0], None, False
    return parts[0], parts[1] if len(parts) == 2 else None, True


def check_path(path: str) -> None:
    """GetParametersByPath's Path: a hierarchy that begins with a slash."""
    if not path.startswith("/") or "//" in path or not _CHARS.match(path):
        raise ValidationException(
            'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a '
            'forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only '
            "letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters "
            'are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: '
            "/get/parameters2-/by1./path0_.")
    if path.rstrip("/").count("/") > MAX_LEVELS:
        raise HierarchyLevelLimitExceededException(
            "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints "
            "for parameter names in the AWS Systems Manager User Guide.")
