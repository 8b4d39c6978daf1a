"""DynamoDB's operations: one plain method per operation, grouped by kind in the api_* modules."""

from __future__ import annotations

from overcast.services.dynamodb.api_batch import BatchOperations
from overcast.services.dynamodb.api_items import ItemOperations
from overcast.services.dynamodb.api_reads import ReadOperations
from overcast.services.dynamodb.api_tables import TableOperations


class DynamoDbApi(TableOperations, ItemOperations, ReadOperations, BatchOperations):
    """Tables, items, queries and scans, batches and transactions (see the api_* modules)."""
