"""AWS Config's advanced query language, the part overcast evaluates
(https://docs.aws.amazon.com/config/latest/developerguide/querying-AWS-resources.html):

    SELECT prop[, prop...] [WHERE cond [AND|OR cond...]]

with properties as dotted paths over the configuration item (`resourceId`, `resourceType`,
`configuration.versioningConfiguration.status`, `tags.key`...), and conditions `prop = 'v'`,
`!=`, `<`, `<=`, `>`, `>=`, `IN ('a', 'b')`, `LIKE 'pre%'` (AND binds tighter than OR; NOT and
parentheses are not taken). There is no FROM: the resource type is a condition. A query overcast
cannot read is InvalidExpressionException."""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from typing import Any

from overcast.services.config import errors as e

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><=|>=|!=|<>|=|<|>|,|\(|\))"
                    r"|(?P<word>[A-Za-z_][\w.:]*))")
_KEYWORDS = {"SELECT", "WHERE", "AND", "OR", "IN", "LIKE", "FROM", "NOT", "BETWEEN", "ORDER", "GROUP", "BY"}


def _invalid(detail: str) -> Exception:
    return e.error("InvalidExpressionException", f"The expression is not valid: {detail}")


@dataclass
class Condition:
    path: str
    op: str
    values: list[Any]


@dataclass
class Query:
    fields: list[str]
    groups: list[list[Condition]]  # OR of ANDs


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        if not match:
            raise _invalid(f"unexpected text at {text[pos:pos + 20]!r}")
        pos = match.end()
        if match.group("str") is not None:
            out.append(("value", match.group("str")[1:-1].replace("''", "'")))
        elif match.group("num") is not None:
            out.append(("value", float(match.group("num"))))
        elif match.group("op") is not None:
            out.append(("op", match.group("op")))
        else:
            word = match.group("word")
            out.append(("kw", word.upper()) if word.upper() in _KEYWORDS else ("name", word))
    return out


def parse(text: str) -> Query:
    tokens = _tokens(text)
    if not tokens or tokens[0] != ("kw", "SELECT"):
        raise _invalid("it must start with SELECT")
    fields, i = [], 1
    while i < len(tokens) and tokens[i][0] == "name":
        fields.append(tokens[i][1])
        i += 1
        if i < len(tokens) and tokens[i] == ("op", ","):
            i += 1
    if not fields:
        raise _invalid("SELECT names no property")
    groups: list[list[Condition]] = [[]]
    if i < len(tokens):
        if tokens[i] != ("kw", "WHERE"):
            raise _invalid(f"unexpected {tokens[i][1]!r} (there is no FROM: select by resourceType in WHERE)")
        i += 1
        while True:
            condition, i = _condition(tokens, i)
            groups[-1].append(condition)
            if i >= len(tokens):
                break
            if tokens[i] == ("kw", "AND"):
                i += 1
            elif tokens[i] == ("kw", "OR"):
                groups.append([])
                i += 1
            else:
                raise _invalid(f"unexpected {tokens[i][1]!r}")
    return Query(fields, groups)


def _condition(tokens: list[tuple[str, Any]], i: int) -> tuple[Condition, int]:
    if i >= len(tokens) or tokens[i][0] != "name":
        raise _invalid("a condition must start with a property")
    path = tokens[i][1]
    kind, op = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
    if kind == "op" and op in ("=", "!=", "<>", "<", "<=", ">", ">="):
        if i + 2 >= len(tokens) or tokens[i + 2][0] != "value":
            raise _invalid(f"{path} {op} needs a value")
        return Condition(path, "!=" if op == "<>" else op, [tokens[i + 2][1]]), i + 3
    if (kind, op) == ("kw", "LIKE"):
        if i + 2 >= len(tokens) or tokens[i + 2][0] != "value":
            raise _invalid("LIKE needs a quoted pattern")
        return Condition(path, "LIKE", [tokens[i + 2][1]]), i + 3
    if (kind, op) == ("kw", "IN") and i + 2 < len(tokens) and tokens[i + 2] == ("op", "("):
        values, j = [], i + 3
        while j < len(tokens) and tokens[j] != ("op", ")"):
            if tokens[j][0] == "value":
                values.append(tokens[j][1])
            elif tokens[j] != ("op", ","):
                raise _invalid("IN takes a list of values")
            j += 1
        return Condition(path, "IN", values), j + 1
    raise _invalid(f"unsupported condition on {path}")


def _get(item: dict[str, Any], path: str) -> Any:
    value: Any = item
    for part in path.split("."):
        if isinstance(value, list):  # a property of list entries: each entry's
            value = [v.get(part) for v in value if isinstance(v, dict)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _holds(condition: Condition, item: dict[str, Any]) -> bool:
    found = _get(item, condition.path)
    candidates = found if isinstance(found, list) else [found]
    for value in candidates:
        if value is None:
            continue
        if condition.op == "LIKE":
            if fnmatch.fnmatchcase(str(value), str(condition.values[0]).replace("%", "*").replace("_", "?")):
                return True
            continue
        if condition.op == "IN":
            if any(_compare(value, "=", v) for v in condition.values):
                return True
            continue
        if _compare(value, condition.op, condition.values[0]):
            return True
    return condition.op == "!=" and not [v for v in candidates if v is not None]


def _compare(value: Any, op: str, wanted: Any) -> bool:
    if isinstance(wanted, float):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return op == "!="
    else:
        value, wanted = str(value).lower(), str(wanted).lower()  # AWS compares strings case-insensitively
    return {"=": value == wanted, "!=": value != wanted, "<": value < wanted, "<=": value <= wanted,
            ">": value > wanted, ">=": value >= wanted}[op]


def select(query: Query, items: list[dict[str, Any]]) -> list[str]:
    """The results (JSON text each, holding the selected properties) of the items that match."""
    out = []
    for item in items:
        if not any(all(_holds(c, item) for c in group) for group in query.groups):
            continue
        result: dict[str, Any] = {}
        for path in query.fields:
            value = _get(item, path)
            if value is None:
                continue
            target = result
            parts = path.split(".")
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
        out.append(json.dumps(result))
    return out


def queryable(item: dict[str, Any]) -> dict[str, Any]:
    """A recorded item in the form queries read (configuration objects; tags as key/value pairs)."""
    return {"resourceId": item["resourceId"], "resourceName": item.get("resourceName"),
            "resourceType": item["resourceType"], "accountId": item["awsAccountId"], "awsRegion": item["awsRegion"],
            "arn": item.get("ARN"), "availabilityZone": item.get("availabilityZone"),
            "resourceCreationTime": item.get("resourceCreationTime"),
            "configurationItemCaptureTime": item.get("configurationItemCaptureTime"),
            "configurationItemStatus": item.get("configurationItemStatus"),
            "configuration": item.get("configuration"),
            "supplementaryConfiguration": item.get("supplementaryConfiguration") or {},
            "tags": [{"key": k, "value": v} for k, v in (item.get("tags") or {}).items()]}
