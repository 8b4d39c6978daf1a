"""DynamoDB's condition keys for fine-grained access control
([AWS](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html)):

- `dynamodb:LeadingKeys`: the partition key values of the items a request reads or writes (a Query's
  from the equality on the partition key of its key condition; on an index, the index's partition
  key), multivalued (policies test it with `ForAllValues:`);
- `dynamodb:Attributes`: the top-level attribute names a request names (the key's and the item's,
  projections, an update's targets), multivalued;
- `dynamodb:Select`, `dynamodb:ReturnValues`, `dynamodb:ReturnConsumedCapacity`: the parameters.

Keys are per table (a batch or transaction touches several), under the ARN the request's
action is checked on (`requests.table_arn`).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.iam.requests import table_arn
from overcast.services.resourcegroupstaggingapi.inbox import NotImmediate, call_at_once

Keys = dict[str, Any]
_CLAUSE = re.compile(r"\b(SET|REMOVE|ADD|DELETE)\b", re.IGNORECASE)
_EQUALS = re.compile(r"(#?[A-Za-z0-9_.\-]+)\s*=\s*(:[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)\s*=\s*(#?[A-Za-z0-9_.\-]+)")


def _text(value: Any) -> str | None:
    """An attribute value as the condition key holds it (strings and numbers as written, binary in base64)."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    kind, raw = next(iter(value.items()))
    if kind == "B":
        return base64.b64encode(raw).decode() if isinstance(raw, bytes) else str(raw)
    return str(raw) if kind in ("S", "N") else None


def _top(path: str, names: dict[str, str]) -> str:
    """The top-level attribute of a document path (`#a.b[0]` → the name `#a` stands for)."""
    head = re.split(r"[.\[]", path.strip(), maxsplit=1)[0].strip()
    return names.get(head, head)


def _split(text: str) -> list[str]:
    """Comma-separated parts outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in (p.strip() for p in parts) if p]


def _update_targets(expression: str, names: dict[str, str]) -> list[str]:
    pieces = _CLAUSE.split(expression)
    found = []
    for verb, body in zip(pieces[1::2], pieces[2::2], strict=False):
        for part in _split(body):
            target = part.split("=", 1)[0] if verb.upper() == "SET" else \
                part if verb.upper() == "REMOVE" else (part.split() or [""])[0]
            found.append(_top(target, names))
    return found


def _map(value: Any) -> dict[str, Any]:
    """A member that should be a map (the service itself refuses one that is not)."""
    return value if isinstance(value, dict) else {}


def _attributes(body: dict[str, Any], keys: list[dict[str, Any]]) -> list[str]:
    names = _map(body.get("ExpressionAttributeNames"))
    found = [str(name) for key in keys for name in key]
    found += list(_map(body.get("Item")))
    found += [_top(p, names) for p in _split(str(body.get("ProjectionExpression") or ""))]
    found += [str(n) for n in body.get("AttributesToGet") or [] if isinstance(n, str)]
    if body.get("UpdateExpression"):
        found += _update_targets(str(body["UpdateExpression"]), names)
    found += list(_map(body.get("AttributeUpdates")))
    return list(dict.fromkeys(n for n in found if n))


class _Schemas:
    """Partition key names of tables and indexes, read once per request (DescribeTable)."""

    def __init__(self, platform: Platform, ctx: RequestContext) -> None:
        self.platform = platform
        self.ctx = ctx
        self.seen: dict[str, dict[str, Any]] = {}

    def hash_key(self, table: str, index: str | None = None) -> str | None:
        if table not in self.seen:
            try:
                self.seen[table] = call_at_once(self.platform, self.ctx.account, self.ctx.region, "dynamodb",
                                                "DescribeTable", {"TableName": table})["Table"]
            except (ServiceError, NotImmediate, KeyError):
                self.seen[table] = {}
        described = self.seen[table]
        schema = described.get("KeySchema") or []
        if index:
            found = [i for i in [*described.get("GlobalSecondaryIndexes", []), *described.get("LocalSecondaryIndexes", [])]
                     if i.get("IndexName") == index]
            schema = found[0].get("KeySchema", []) if found else []
        return next((k["AttributeName"] for k in schema if k.get("KeyType") == "HASH"), None)


def _query_value(body: dict[str, Any], hash_key: str) -> Any:
    names = _map(body.get("ExpressionAttributeNames"))
    values = _map(body.get("ExpressionAttributeValues"))
    for match in _EQUALS.finditer(str(body.get("KeyConditionExpression") or "")):
        name, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        if names.get(name, name) == hash_key:
            return values.get(value)
    condition = _map(_map(body.get("KeyConditions")).get(hash_key))
    listed = condition.get("AttributeValueList")
    if condition.get("ComparisonOperator") == "EQ" and isinstance(listed, list) and listed:
        return listed[0]
    return None


def _item_keys(op: str, body: dict[str, Any], keys: list[dict[str, Any]], hash_key: str | None) -> Keys:
    """The keys of one table's part of a request."""
    out: Keys = {"dynamodb:attributes": _attributes(body, keys)}
    if hash_key is not None:
        values = [k.get(hash_key) for k in keys] if keys else \
            [_map(body.get("Item")).get(hash_key)] if op == "PutItem" else [_query_value(body, hash_key)]
        leading = [t for t in (_text(v) for v in values) if t is not None]
        if leading:
            out["dynamodb:leadingkeys"] = leading
    return out


def _merge(into: dict[str, Keys], arn: str, keys: Keys) -> None:
    have = into.setdefault(arn, {})
    for name, values in keys.items():
        have[name] = list(dict.fromkeys([*have.get(name, []), *values]))


Part = tuple[str, Any, str, dict[str, Any], list[Any]]


def _parts(op: str, params: dict[str, Any]) -> list[Part]:
    """(table, index, operation kind, body, item keys) of each table's part of a request."""
    parts: list[Part] = []
    if op in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"):
        parts.append((str(params.get("TableName", "")), params.get("IndexName"), op, params,
                      [params["Key"]] if isinstance(params.get("Key"), dict) else []))
    elif op == "BatchGetItem":
        for table, body in _map(params.get("RequestItems")).items():
            parts.append((table, None, op, _map(body), list(_map(body).get("Keys") or [])))
    elif op == "BatchWriteItem":
        for table, requests in _map(params.get("RequestItems")).items():
            for request in requests if isinstance(requests, list) else []:
                put, delete = _map(_map(request).get("PutRequest")), _map(_map(request).get("DeleteRequest"))
                if put:
                    parts.append((table, None, "PutItem", put, []))
                elif delete:
                    parts.append((table, None, op, delete, [delete.get("Key")]))
    elif op in ("TransactWriteItems", "TransactGetItems"):
        for item in params.get("TransactItems") or []:
            for kind, body in _map(item).items():
                if isinstance(body, dict) and body.get("TableName"):
                    parts.append((str(body["TableName"]), None, "PutItem" if kind == "Put" else op, body,
                                  [body.get("Key")]))
    return parts


def dynamodb_keys(platform: Platform, ctx: RequestContext, op: str, params: dict[str, Any]) -> dict[str, Keys]:
    """{table ARN or "": keys} of a DynamoDB request."""
    common: Keys = {}
    for member, key in (("Select", "dynamodb:select"), ("ReturnValues", "dynamodb:returnvalues"),
                        ("ReturnConsumedCapacity", "dynamodb:returnconsumedcapacity")):
        if params.get(member) is not None:
            common[key] = str(params[member])
    out: dict[str, Keys] = {"": common}
    schemas = _Schemas(platform, ctx)
    for table, index, kind, body, keys in _parts(op, params):
        if not table:
            continue
        name = table.rsplit("/", 1)[-1] if table.startswith("arn:") else table
        item_keys = [k for k in keys if isinstance(k, dict)]
        _merge(out, table_arn(ctx, table, index), _item_keys(kind, body, item_keys, schemas.hash_key(name, index)))
    return out
