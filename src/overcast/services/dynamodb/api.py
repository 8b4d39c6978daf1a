"""DynamoDB's operations: one plain method per operation, grouped by kind in the api_* modules."""

from __future__ import annotations

from overcast.services.dynamodb.api_batch import BatchOperations
from overcast.services.dynamodb.api_items import ItemOperations
from overcast.services.dynamodb.api_partiql import PartiqlOperations
from overcast.services.dynamodb.api_reads import ReadOperations
from overcast.services.dynamodb.api_tables import TableOperations


class DynamoDbApi(TableOperations, ItemOperations, ReadOperations, BatchOperations, PartiqlOperations):
    """Tables, items, queries and scans, batches and transactions, PartiQL (see the api_* modules)."""
