"""Matching a statement's Action, Resource and Principal elements, with wildcards and policy variables.

AWS's rules ([Action](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html),
[Resource](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html),
[variables](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)):
actions match case-insensitively, resources case-sensitively; `*` matches any run of characters and
`?` one character; in an ARN a wildcard stays inside its own field among partition, service, region
and account, and may span `/` and `:` in the resource part. `${aws:username}`-style variables in a
Resource or a condition value are replaced by the request's values (`${*}`, `${?}`, `${$}` are the
literal characters); a variable the request has no value for makes the element match nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LITERALS = {"*": "\x00STAR", "?": "\x00QMARK", "$": "$"}


class MissingVariable(Exception):
    """A policy variable the request context has no single value for."""


def as_list(value: Any) -> list[Any]:
    """A policy element's values: one string or a list of them."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@lru_cache(maxsize=4096)
def _pattern(text: str, ignore_case: bool) -> re.Pattern[str]:
    out = []
    for char in text:
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
    out_text = "".join(out).replace(re.escape("\x00STAR"), r"\*").replace(re.escape("\x00QMARK"), r"\?")
    return re.compile(out_text, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def like(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """Whether `value` matches `pattern` with `*` and `?` wildcards (StringLike's rule)."""
    if "*" not in pattern and "?" not in pattern and "\x00" not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return _pattern(pattern, ignore_case).fullmatch(value) is not None


def substitute(text: str, context: Mapping[str, Any]) -> str:
    """`text` with its policy variables replaced from the request context (keys lowercased)."""
    if "${" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        name, _, default = match.group(1).partition(",")
        name = name.strip()
        if name in _LITERALS:
            return _LITERALS[name]
        value = context.get(name.lower())
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else None
        if value is None:
            default = default.strip()
            if default.startswith("'") and default.endswith("'") and len(default) >= 2:
                return default[1:-1]
            raise MissingVariable(name)
        return str(value)

    return _VARIABLE.sub(one, text)


def unescape(text: str) -> str:
    """A substituted value with the `${*}`/`${?}` literals back as plain characters."""
    return text.replace("\x00STAR", "*").replace("\x00QMARK", "?")


def action_matches(patterns: list[Any], action: str) -> bool:
    """Whether one of an Action element's values names `action` (`sqs:Send*`, `*`)."""
    return any(isinstance(p, str) and like(p, action, ignore_case=True) for p in patterns)


def arn_like(pattern: str, arn: str) -> bool:
    """ArnLike's rule: the six ARN fields matched one by one; `*` alone matches anything."""
    if pattern == "*":
        return True
    want = pattern.split(":", 5)
    have = arn.split(":", 5)
    if len(want) != 6 or len(have) != 6:  # each of the six fields is matched: fewer match nothing
        return len(want) != 6 and len(have) != 6 and like(pattern, arn)
    return all(like(w, h) for w, h in zip(want, have, strict=True))


def resource_matches(patterns: list[Any], resource: str, context: Mapping[str, Any]) -> bool:
    """Whether one of a Resource element's values covers `resource` (variables substituted)."""
    for pattern in patterns:
        if not isinstance(pattern, str):
            continue
        try:
            pattern = substitute(pattern, context)
        except MissingVariable:
            continue
        if resource == "*":
            if pattern == "*":
                return True
            continue
        if arn_like(pattern, resource):
            return True
    return False
