"""DynamoDB's operations: one plain method per operation, grouped by kind in the api_* modules."""

from __future__ import annotations

from overcast.services.dynamodb.api_backups import BackupOperations
from overcast.services.dynamodb.api_batch import BatchOperations
from overcast.services.dynamodb.api_exports import ExportOperations
from overcast.services.dynamodb.api_global import GlobalTableOperations
from overcast.services.dynamodb.api_imports import ImportOperations
from overcast.services.dynamodb.api_items import ItemOperations
from overcast.services.dynamodb.api_partiql import PartiqlOperations
from overcast.services.dynamodb.api_policies import PolicyOperations
from overcast.services.dynamodb.api_reads import ReadOperations
from overcast.services.dynamodb.api_streaming import StreamingOperations
from overcast.services.dynamodb.api_tables import TableOperations


class DynamoDbApi(ImportOperations, TableOperations, ItemOperations, ReadOperations, BatchOperations, PartiqlOperations,
                  BackupOperations, PolicyOperations, StreamingOperations, ExportOperations,
                  GlobalTableOperations):
    """Tables, items, queries and scans, batches and transactions, PartiQL, backups and point-in-time
    recovery, resource policies, Kinesis streaming destinations, exports to S3 and imports from it, global tables (see the api_* modules)."""
