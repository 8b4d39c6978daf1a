"""Fixtures for DynamoDB tests: a client, and a factory of uniquely named tables on the session's
server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.integration.dynamodb.helpers import unique


@pytest.fixture(scope="session")
def ddb(overcast_server: Any) -> Any:
    return overcast_server.client("dynamodb")


@pytest.fixture(scope="session")
def streams(overcast_server: Any) -> Any:
    return overcast_server.client("dynamodbstreams")


@pytest.fixture
def make_table(ddb: Any) -> Iterator[Callable[..., str]]:
    """make_table(hash=("pk", "S"), range=("sk", "S") or None, **create_table_kwargs) -> name."""
    created: list[str] = []

    def make(hash_key: tuple[str, str] = ("pk", "S"), range_key: tuple[str, str] | None = ("sk", "S"),
             extra_attributes: dict[str, str] | None = None, **kwargs: Any) -> str:
        name = unique()
        keys = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
        types = {hash_key[0]: hash_key[1]}
        if range_key:
            keys.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
            types[range_key[0]] = range_key[1]
        types.update(extra_attributes or {})
        kwargs.setdefault("BillingMode", "PAY_PER_REQUEST")
        ddb.create_table(TableName=name, KeySchema=keys,
                         AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in types.items()],
                         **kwargs)
        created.append(name)
        return name

    yield make
    for name in created:
        try:
            ddb.delete_table(TableName=name)
        except ddb.exceptions.ResourceNotFoundException:
            pass
