"""SNS subscription filter policies: validation with AWS's messages, and matching.

A policy maps keys to a list of rules (any may match) and all keys must match; `$or` takes a list
of sub-policies of which one must match. Scope `MessageAttributes` matches message attributes
(String, Number, String.Array; Binary never matches) and allows no nesting; scope `MessageBody`
matches the JSON body, nested keys following nested objects (arrays are searched element-wise).

Rules: exact strings, numbers (numeric equality), true/false/null, `prefix`, `suffix`,
`equals-ignore-case`, `anything-but` (a value, a list, or a nested prefix/suffix), `numeric`
(`=`, `<`, `<=`, `>`, `>=`, ranges like `[">", 0, "<=", 5]`), `exists`, `cidr`.
"""

from __future__ import annotations

import ipaddress
from decimal import Decimal, InvalidOperation
from typing import Any

from overcast import documents
from overcast.errors import client_error

MAX_KEYS = 5
MAX_COMBINATIONS = 150
_MISSING = object()
_NUMERIC_OPS = ("<", "<=", "=", ">", ">=")


class FilterPolicyError(ValueError):
    """A policy AWS would reject; `reason` is the text after `FilterPolicy: `."""


def check(raw: str, scope: str, *, subscribe: bool) -> dict[str, Any] | None:
    """Parse and validate a FilterPolicy attribute value ('' clears the policy)."""
    prefix = "Invalid parameter: Attributes Reason: " if subscribe else "Invalid parameter: "
    if raw.strip() == "":
        return None
    try:
        policy = documents.loads(raw, parse_float=Decimal)
        if not isinstance(policy, dict):
            raise FilterPolicyError("Filter policy must be a JSON object")
        _validate(policy, scope)
    except ValueError as error:
        reason = str(error) if isinstance(error, FilterPolicyError) else "failed to parse JSON."
        if reason.startswith("Filter policy scope"):
            raise client_error("InvalidParameter", f"{prefix}{reason}") from None
        raise client_error("InvalidParameter", f"{prefix}FilterPolicy: {reason}") from None
    return policy


# -- validation --------------------------------------------------------------------------------


def _validate(policy: dict[str, Any], scope: str) -> None:
    if _key_count(policy) > MAX_KEYS:
        raise FilterPolicyError(f"Filter policy can not have more than {MAX_KEYS} keys")
    if _combinations(policy, scope, 1) > MAX_COMBINATIONS:
        raise FilterPolicyError("Filter policy is too complex")


def _key_count(policy: dict[str, Any]) -> int:
    plain = [k for k in policy if k != "$or"]
    branches = policy.get("$or")
    extra = max((_key_count(b) for b in branches if isinstance(b, dict)), default=0) if isinstance(branches, list) else 0
    return len(plain) + extra


def _combinations(policy: dict[str, Any], scope: str, depth: int) -> int:
    """AWS: multiply the number of values of every key (times its nesting depth); `$or` branches add."""
    total = 1
    for key, value in policy.items():
        if key == "$or":
            total *= _or_combinations(value, scope, depth)
        elif isinstance(value, dict):
            if scope == "MessageAttributes":
                # AWS reads the inner object as keys first: {"suffix": "x"} is a key "suffix" whose
                # value is neither an object nor an array
                for inner, inner_value in value.items():
                    if not isinstance(inner_value, dict | list):
                        raise FilterPolicyError(f'"{inner}" must be an object or an array')
                raise FilterPolicyError("Filter policy scope MessageAttributes does not support nested filter policy")
            total *= _combinations(value, scope, depth + 1)
        elif isinstance(value, list):
            if not value:
                raise FilterPolicyError("Empty arrays are not allowed")
            for rule in value:
                _check_rule(rule)
            total *= len(value) * depth
        else:
            raise FilterPolicyError(f'"{key}" must be an object or an array')
    return total


def _or_combinations(branches: Any, scope: str, depth: int) -> int:
    if not isinstance(branches, list) or len(branches) < 2 or not all(isinstance(b, dict) for b in branches):
        raise FilterPolicyError('"$or" must be an array of at least two objects')
    return sum(_combinations(b, scope, depth) for b in branches)


def _check_rule(rule: Any) -> None:
    if rule is None or isinstance(rule, str | bool | int | Decimal):
        return
    if not isinstance(rule, dict):
        raise FilterPolicyError("Match value must be String, number, true, false, or null")
    if len(rule) != 1:
        raise FilterPolicyError("Only one key allowed in match expression")
    (operator, value), = rule.items()
    if operator in ("prefix", "suffix", "equals-ignore-case"):
        if not isinstance(value, str):
            raise FilterPolicyError(f"{operator} match pattern must be a string")
    elif operator == "anything-but":
        _check_anything_but(value)
    elif operator == "exists":
        if not isinstance(value, bool):
            raise FilterPolicyError("exists match pattern must be either true or false.")
    elif operator == "numeric":
        _check_numeric(value)
    elif operator == "cidr":
        _check_cidr(value)
    else:
        raise FilterPolicyError(f"Unrecognized match type {operator}")


def _check_anything_but(value: Any) -> None:
    if isinstance(value, list):
        if not value:
            raise FilterPolicyError("Empty arrays are not allowed")
        for item in value:
            if not isinstance(item, str | int | Decimal) or isinstance(item, bool):
                raise FilterPolicyError("Inside anything but list, start|null|boolean is not supported.")
    elif isinstance(value, dict):
        # SNS takes prefix and equals-ignore-case inside anything-but, not suffix
        if len(value) != 1 or next(iter(value)) not in ("prefix", "equals-ignore-case"):
            raise FilterPolicyError(f"Unsupported anything-but pattern: {next(iter(value), '')}")
        _check_rule(value)
    elif not isinstance(value, str | int | Decimal) or isinstance(value, bool):
        raise FilterPolicyError("Value of anything-but must be an array or single string/number value.")


def _check_numeric(value: Any) -> None:
    if not isinstance(value, list):
        raise FilterPolicyError("Value of numeric must be an array.")
    if not value:
        raise FilterPolicyError("Invalid member in numeric match: ]")
    terms = list(value)
    operator = terms[0]
    if not isinstance(operator, str):
        raise FilterPolicyError(f"Invalid member in numeric match: {operator}")
    if operator not in _NUMERIC_OPS:
        raise FilterPolicyError(f"Unrecognized numeric range operator: {operator}")
    if len(terms) < 2 or not _is_number(terms[1]):
        raise FilterPolicyError(f"Value of {'equals' if operator == '=' else operator} must be numeric")
    if len(terms) == 2:
        return
    if operator not in (">", ">="):
        raise FilterPolicyError("Too many elements in numeric expression")
    upper = terms[2]
    if not isinstance(upper, str):
        raise FilterPolicyError(f"Bad value in numeric range: {upper}")
    if upper not in ("<", "<="):
        raise FilterPolicyError(f"Bad numeric range operator: {upper}")
    if len(terms) < 4 or not _is_number(terms[3]):
        raise FilterPolicyError(f"Value of {upper} must be numeric")
    if terms[3] <= terms[1]:
        raise FilterPolicyError("Bottom must be less than top")
    if len(terms) > 4:
        raise FilterPolicyError("Too many terms in numeric range expression")


def _check_cidr(value: Any) -> None:
    if not isinstance(value, str):
        raise FilterPolicyError("prefix match pattern must be a string")
    if value.count("/") != 1:
        raise FilterPolicyError("Malformed CIDR, one '/' required")
    address, bits = value.split("/")
    if not bits.isdigit():
        raise FilterPolicyError("Malformed CIDR, mask bits must be an integer")
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise FilterPolicyError(f"Nonstandard IP address: {address}") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


# -- matching ----------------------------------------------------------------------------------


def matches_attributes(policy: dict[str, Any], attributes: dict[str, dict[str, Any]]) -> bool:
    """Whether Publish's message attributes pass the policy (scope MessageAttributes)."""
    values: dict[str, list[Any]] = {}
    for name, attr in attributes.items():
        values[name] = _attribute_values(attr)
    return _match(policy, lambda key: values.get(key, _MISSING))


def matches_body(policy: dict[str, Any], message: str) -> bool:
    """Whether the message body (a JSON object) passes the policy (scope MessageBody)."""
    try:
        body = documents.loads(message, parse_float=Decimal)
    except ValueError:
        return False
    return isinstance(body, dict) and _match_nested(policy, [body])


def _attribute_values(attr: dict[str, Any]) -> list[Any]:
    data_type = attr.get("DataType", "String")
    raw = attr.get("StringValue")
    if data_type.startswith("Binary") or raw is None:
        return []
    if data_type.startswith("Number"):
        try:
            return [Decimal(raw)]
        except InvalidOperation:
            return []
    if data_type == "String.Array":
        try:
            items = documents.loads(raw, parse_float=Decimal)
        except ValueError:
            return [raw]
        return items if isinstance(items, list) else [items]
    return [raw]


def _match(policy: dict[str, Any], lookup: Any) -> bool:
    for key, rules in policy.items():
        if key == "$or":
            if not any(_match(branch, lookup) for branch in rules):
                return False
            continue
        found = lookup(key)
        if not _rules_match(rules, found):
            return False
    return True


def _match_nested(policy: dict[str, Any], objects: list[Any]) -> bool:
    for key, rules in policy.items():
        if key == "$or":
            if not any(_match_nested(branch, objects) for branch in rules):
                return False
            continue
        children = _children(objects, key)
        if isinstance(rules, dict):
            if not children or not _match_nested(rules, children):
                return False
        elif not _rules_match(rules, _leaves(children) if children else _MISSING):
            return False
    return True


def _children(objects: list[Any], key: str) -> list[Any]:
    """The values under `key` in `objects`, arrays flattened at any depth; a dotted key `"a.b"` also
    follows the nested path a → b (AWS flattens both policy and body to dotted names)."""
    out: list[Any] = []
    segments = key.split(".")
    for obj in objects:
        _lookup(obj, segments, out)
    return out


def _lookup(node: Any, segments: list[str], out: list[Any]) -> None:
    if isinstance(node, list):
        for item in node:
            _lookup(item, segments, out)
        return
    if not isinstance(node, dict):
        return
    for length in range(1, len(segments) + 1):
        name = ".".join(segments[:length])
        if name in node:
            if length == len(segments):
                out.append(node[name])
            else:
                _lookup(node[name], segments[length:], out)


def _leaves(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            out.extend(_leaves(value))
        elif not isinstance(value, dict):
            out.append(value)
    return out


def _rules_match(rules: list[Any], values: Any) -> bool:
    for rule in rules:
        if isinstance(rule, dict) and "exists" in rule:
            if rule["exists"] == (values is not _MISSING and values != []):
                return True
            continue
        if values is _MISSING:
            continue
        if any(_rule_matches(rule, value) for value in values):
            return True
    return False


def _rule_matches(rule: Any, value: Any) -> bool:
    if not isinstance(rule, dict):
        return _equal(rule, value)
    (operator, operand), = rule.items()
    if operator == "prefix":
        return isinstance(value, str) and value.startswith(operand)
    if operator == "suffix":
        return isinstance(value, str) and value.endswith(operand)
    if operator == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == operand.lower()
    if operator == "anything-but":
        return _anything_but(operand, value)
    if operator == "numeric":
        return _numeric(operand, value)
    if operator == "cidr":
        return _in_cidr(operand, value)
    return False


def _equal(rule: Any, value: Any) -> bool:
    if rule is None or isinstance(rule, bool) or isinstance(value, bool) or value is None:
        return rule is value or (rule == value and type(rule) is type(value))
    if _is_number(rule):
        return _is_number(value) and _fixed(rule) == _fixed(value)
    return isinstance(value, str) and rule == value


def _anything_but(operand: Any, value: Any) -> bool:
    if isinstance(operand, dict):
        return isinstance(value, str) and not _rule_matches(operand, value)
    excluded = operand if isinstance(operand, list) else [operand]
    return not any(_equal(item, value) for item in excluded)


_PRECISION = Decimal("0.00001")


def _fixed(value: Any) -> Decimal:
    """A number rounded to five decimal places (unchanged when too large to round)."""
    try:
        return Decimal(value).quantize(_PRECISION)
    except InvalidOperation:
        return Decimal(value)


def _numeric(terms: list[Any], value: Any) -> bool:
    """Numeric matching: AWS compares numbers to five decimal places."""
    if not _is_number(value):
        return False
    number = _fixed(value)
    for op, bound in zip(terms[::2], terms[1::2], strict=False):
        bound = _fixed(bound)
        ok = {"<": number < bound, "<=": number <= bound, "=": number == bound,
              ">": number > bound, ">=": number >= bound}[op]
        if not ok:
            return False
    return True


def _in_cidr(operand: str, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(operand, strict=False)
    except ValueError:
        return False
