"""A statement's Condition block against the request context.

AWS's rules ([operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
[multivalued keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html)):
every operator of a block must hold, and every key under an operator; a key holds when the request's
value matches any of the condition's values. Condition key names are case-insensitive (the context
keeps them lowercased); values are case-sensitive except for the `IgnoreCase` operators and Bool. A key
the request lacks makes a positive operator false and a negated one (`StringNotEquals`, `NotIpAddress`,
`ArnNotLike`...) true; `...IfExists` makes any operator true for a missing key; `Null` tests presence.
`ForAllValues:` holds when every request value matches (also when there are none), `ForAnyValue:` when
at least one does.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

from overcast.authz.matching import MissingVariable, arn_like, as_list, like, substitute, unescape

Compare = Callable[[str, str], bool]


def _number(text: str) -> float:
    return float(text)


def _date(text: str) -> float:
    """An epoch number or an ISO 8601 date (the two forms the Date operators take)."""
    text = str(text).strip()
    try:
        return float(text)
    except ValueError:
        pass
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def _numeric(check: Callable[[float, float], bool], parse: Callable[[str], float]) -> Compare:
    def compare(have: str, want: str) -> bool:
        try:
            return check(parse(have), parse(want))
        except (ValueError, TypeError):
            return False
    return compare


def _ip(have: str, want: str) -> bool:
    try:
        return ipaddress.ip_address(have) in ipaddress.ip_network(want, strict=False)
    except ValueError:
        return False


def _binary(have: str, want: str) -> bool:
    try:
        return base64.b64decode(have) == base64.b64decode(want)
    except (binascii.Error, ValueError):
        return False


def _bool(have: str, want: str) -> bool:
    return str(have).lower() == str(want).lower()


def _arn_equals(have: str, want: str) -> bool:
    return arn_like(want, have)


#: positive operator → how one request value compares with one condition value
POSITIVE: dict[str, Compare] = {
    "StringEquals": lambda have, want: have == want,
    "StringEqualsIgnoreCase": lambda have, want: have.lower() == want.lower(),
    "StringLike": lambda have, want: like(want, have),
    "NumericEquals": _numeric(lambda a, b: a == b, _number),
    "NumericLessThan": _numeric(lambda a, b: a < b, _number),
    "NumericLessThanEquals": _numeric(lambda a, b: a <= b, _number),
    "NumericGreaterThan": _numeric(lambda a, b: a > b, _number),
    "NumericGreaterThanEquals": _numeric(lambda a, b: a >= b, _number),
    "DateEquals": _numeric(lambda a, b: a == b, _date),
    "DateLessThan": _numeric(lambda a, b: a < b, _date),
    "DateLessThanEquals": _numeric(lambda a, b: a <= b, _date),
    "DateGreaterThan": _numeric(lambda a, b: a > b, _date),
    "DateGreaterThanEquals": _numeric(lambda a, b: a >= b, _date),
    "Bool": _bool,
    "BinaryEquals": _binary,
    "IpAddress": _ip,
    # ArnEquals and ArnLike behave identically: both take wildcards, field by field
    "ArnEquals": _arn_equals,
    "ArnLike": _arn_equals,
}

#: negated operator → its positive counterpart
NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


class UnknownOperator(ValueError):
    """A condition operator IAM does not know (the policy is refused when it is stored)."""


def known_operator(name: str) -> bool:
    """Whether `name` (with its set and IfExists parts) is an operator IAM accepts."""
    base = name.split(":", 1)[1] if name.startswith(("ForAllValues:", "ForAnyValue:")) else name
    if base.endswith("IfExists"):
        base = base[: -len("IfExists")]
    return base in POSITIVE or base in NEGATED or base == "Null"


def _values(value: Any) -> list[str]:
    out = []
    for item in as_list(value):
        out.append(("true" if item else "false") if isinstance(item, bool) else str(item))
    return out


def _wanted(values: list[str], context: Mapping[str, Any]) -> list[str]:
    """Condition values with policy variables substituted (a value whose variable is missing drops)."""
    out = []
    for value in values:
        try:
            out.append(unescape(substitute(value, context)))
        except MissingVariable:
            continue
    return out


def _one_operator(operator: str, key: str, wanted_raw: Any, context: Mapping[str, Any]) -> bool:
    qualifier = ""
    if operator.startswith(("ForAllValues:", "ForAnyValue:")):
        qualifier, operator = operator.split(":", 1)
    if_exists = operator.endswith("IfExists")
    if if_exists:
        operator = operator[: -len("IfExists")]
    present = key.lower() in context and context[key.lower()] is not None
    have = _values(context.get(key.lower()))
    if operator == "Null":
        # Null: true → the key must be absent; false → present
        return any((not present) == (want.lower() == "true") for want in _values(wanted_raw))
    negated = operator in NEGATED
    compare = POSITIVE.get(NEGATED.get(operator, operator))
    if compare is None:
        raise UnknownOperator(operator)
    wanted = _wanted(_values(wanted_raw), context)

    def matches(value: str) -> bool:
        hit = any(compare(value, want) for want in wanted)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(matches(value) for value in have)
    if qualifier == "ForAnyValue":
        return any(matches(value) for value in have)
    if not present:
        return if_exists or negated
    if negated:  # single-valued: no request value equals any condition value
        return all(matches(value) for value in have)
    return any(matches(value) for value in have)


def conditions_hold(block: Any, context: Mapping[str, Any]) -> bool:
    """Whether a statement's whole Condition block holds for the request context."""
    if not block:
        return True
    if not isinstance(block, dict):
        return False
    for operator, keys in block.items():
        if not isinstance(keys, dict):
            return False
        for key, wanted in keys.items():
            try:
                if not _one_operator(operator, key, wanted, context):
                    return False
            except UnknownOperator:
                return False
    return True
