"""CreateTable / UpdateTable input rules: key schemas, attribute definitions, indexes, billing and
stream specifications, refused with DynamoDB's messages."""

from __future__ import annotations

import re
from typing import Any

from overcast.services.dynamodb.errors import DynamoValidation, invalid
from overcast.services.dynamodb.keys import KeySchema
from overcast.services.dynamodb.tables import IndexDef, StreamState

_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]+")
MAX_GSIS = 20
MAX_LSIS = 5
MAX_NON_KEY_ATTRIBUTES = 100


def check_table_name(name: str, member: str = "tableName") -> None:
    problems = []
    if len(name) < 3:
        problems.append(f"Value '{name}' at '{member}' failed to satisfy constraint: "
                        "Member must have length greater than or equal to 3")
    if len(name) > 255:
        problems.append(f"Value '{name}' at '{member}' failed to satisfy constraint: "
                        "Member must have length less than or equal to 255")
    if not _TABLE_NAME.fullmatch(name):
        problems.append(f"Value '{name}' at '{member}' failed to satisfy constraint: "
                        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
    if problems:
        noun = "error" if len(problems) == 1 else "errors"
        raise DynamoValidation(f"{len(problems)} validation {noun} detected: " + "; ".join(problems))


def check_index_lists(lsis: list[Any] | None, gsis: list[Any] | None) -> None:
    """An index list, when given, must hold an index."""
    if gsis is not None and not gsis:
        raise invalid("List of GlobalSecondaryIndexes is empty")
    if lsis is not None and not lsis:
        raise invalid("List of LocalSecondaryIndexes is empty")


MAX_MULTI_KEYS = 4  # a global secondary index: up to 4 HASH and 4 RANGE attributes


def _multi_key_schema(elements: list[dict[str, str]]) -> None:
    """A global secondary index's key schema: 1-4 HASH attributes, then 0-4 RANGE attributes."""
    kinds = [e["KeyType"] for e in elements]
    hashes, ranges = kinds.count("HASH"), kinds.count("RANGE")
    if kinds[0] != "HASH":
        raise DynamoValidation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if kinds != ["HASH"] * hashes + ["RANGE"] * ranges:
        raise invalid("Invalid KeySchema: all HASH key attributes must come before the RANGE key attributes")
    if hashes > MAX_MULTI_KEYS or ranges > MAX_MULTI_KEYS:
        raise invalid(f"Invalid KeySchema: a global secondary index can have at most {MAX_MULTI_KEYS} HASH and "
                      f"{MAX_MULTI_KEYS} RANGE key attributes")
    names = [e["AttributeName"] for e in elements]
    if len(set(names)) != len(names):
        raise invalid("Invalid KeySchema: an attribute can appear in the KeySchema only once")


def key_schema(elements: list[dict[str, str]], types: dict[str, str], what: str = "", *,
               multi: bool = False) -> KeySchema:
    """A KeySchema from its wire form: one HASH first, optionally one RANGE second, all defined
    (`multi`: a global secondary index, which may have multi-attribute keys)."""
    if not elements:
        raise DynamoValidation(f"Invalid KeySchema: Some index key attribute have no definition{what}")
    hashes = [e for e in elements if e["KeyType"] == "HASH"]
    if multi and (len(elements) > 2 or len(hashes) > 1):
        _multi_key_schema(elements)
    elif len(hashes) > 1:
        raise DynamoValidation("Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key")
    if elements[0]["KeyType"] != "HASH":
        raise DynamoValidation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(elements) == 2 and len(hashes) == 1:
        if elements[1]["KeyType"] != "RANGE":
            raise DynamoValidation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
        if elements[0]["AttributeName"] == elements[1]["AttributeName"]:
            raise invalid("Both the Hash Key and the Range Key element in the KeySchema have the same name")
    missing = [e["AttributeName"] for e in elements if e["AttributeName"] not in types]
    if missing:
        raise invalid("Some index key attributes are not defined in AttributeDefinitions. "
                      f"Keys: [{', '.join(missing)}], AttributeDefinitions: [{', '.join(types)}]")
    return KeySchema.from_wire(elements, types)


def attribute_types(definitions: list[dict[str, str]]) -> dict[str, str]:
    types: dict[str, str] = {}
    for definition in definitions:
        name = definition["AttributeName"]
        if name in types:
            raise invalid(f"Cannot have two attributes with the same name: {name}")
        types[name] = definition["AttributeType"]
    return types


def projection(spec: dict[str, Any] | None, index_name: str) -> dict[str, Any]:
    spec = spec or {}
    kind = spec.get("ProjectionType")
    extra = spec.get("NonKeyAttributes")
    if kind is None:
        raise invalid("Unknown ProjectionType: null")
    if kind != "INCLUDE" and extra:
        raise invalid(f"ProjectionType is {kind}, but NonKeyAttributes is specified")
    if kind == "INCLUDE":
        if not extra:
            raise invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
        if len(extra) > MAX_NON_KEY_ATTRIBUTES:
            raise invalid("The number of projected attributes in all indexes exceeds the limit of 100")
        return {"ProjectionType": kind, "NonKeyAttributes": list(extra)}
    return {"ProjectionType": kind}


def billing(mode: str | None, throughput: dict[str, int] | None, gsis: list[dict[str, Any]]) -> tuple[str, dict[str, int]]:
    mode = mode or "PROVISIONED"
    if mode == "PAY_PER_REQUEST":
        if throughput:
            raise invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode "
                          "is PAY_PER_REQUEST")
        for gsi in gsis:
            if gsi.get("ProvisionedThroughput"):
                raise invalid("ProvisionedThroughput should not be specified for index: "
                              f"{gsi['IndexName']} when BillingMode is PAY_PER_REQUEST")
        return mode, {}
    if not throughput:
        raise invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
    for gsi in gsis:
        if not gsi.get("ProvisionedThroughput"):
            raise invalid(f"ProvisionedThroughput must be specified for index: {gsi['IndexName']}")
    return mode, dict(throughput)


def secondary_indexes(table_key: KeySchema, types: dict[str, str], lsis: list[dict[str, Any]],
                      gsis: list[dict[str, Any]]) -> list[IndexDef]:
    """Index definitions (ids not yet allocated: 0)."""
    if len(lsis) > MAX_LSIS:
        raise invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5")
    if len(gsis) > MAX_GSIS:
        raise invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20")
    names: set[str] = set()
    out: list[IndexDef] = []
    for spec in lsis:
        out.append(_index(spec, "LSI", types, names))
        _check_lsi(out[-1], table_key)
    for spec in gsis:
        out.append(_index(spec, "GSI", types, names))
    return out


def _index(spec: dict[str, Any], kind: str, types: dict[str, str], names: set[str]) -> IndexDef:
    name = spec["IndexName"]
    if name in names:
        raise invalid(f"Duplicate index name: {name}")
    names.add(name)
    key = key_schema(spec["KeySchema"], types, multi=kind == "GSI")
    throughput = spec.get("ProvisionedThroughput")
    return IndexDef(name, 0, kind, key, projection(spec.get("Projection"), name),
                    dict(throughput) if throughput else None)


def _check_lsi(index: IndexDef, table_key: KeySchema) -> None:
    if table_key.range_name is None:
        raise invalid("Table KeySchema does not have a range key, which is required when specifying a "
                      "LocalSecondaryIndex")
    if index.key.hash_name != table_key.hash_name:
        raise invalid(f"Index KeySchema does not have the same leading hash key as table KeySchema for index: "
                      f"{index.name}. index hash key: {index.key.hash_name}, table hash key: {table_key.hash_name}")
    if index.key.range_name is None:
        raise invalid(f"Index KeySchema must have a range key for LocalSecondaryIndex: {index.name}")


def check_definitions_used(types: dict[str, str], table_key: KeySchema, indexes: list[IndexDef]) -> None:
    used = set(table_key.names)
    for index in indexes:
        used.update(index.key.names)
    if set(types) != used:
        raise invalid("Number of attributes in KeySchema does not exactly match number of attributes defined "
                      "in AttributeDefinitions")


def stream_state(spec: dict[str, Any] | None) -> StreamState:
    """The requested stream (its ARN and label are given when it is created)."""
    if not spec or not spec.get("StreamEnabled"):
        if spec and spec.get("StreamViewType"):
            raise invalid("StreamViewType cannot be specified when StreamEnabled is false")
        return StreamState(False)
    view = spec.get("StreamViewType")
    if not view:
        raise invalid("StreamViewType is required when StreamEnabled is true")
    return StreamState(True, view)


def sse(spec: dict[str, Any] | None) -> dict[str, str] | None:
    """SSESpecification → the table's KMS encryption (None: the AWS owned key, which DescribeTable
    does not describe). The caller resolves `KMSMasterKeyArn` through KMS (without KMSMasterKeyId,
    DynamoDB uses the AWS managed key alias/aws/dynamodb)."""
    if not spec or not spec.get("Enabled"):
        if spec and spec.get("KMSMasterKeyId"):
            raise invalid("SSESpecification: KMSMasterKeyId can only be specified when SSE is enabled")
        return None
    if spec.get("SSEType", "KMS") != "KMS":
        raise invalid(f"SSEType {spec['SSEType']} is not supported")
    return {"SSEType": "KMS", "KMSMasterKeyArn": ""}
