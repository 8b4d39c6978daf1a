"""Cognito user pools: pools, clients, users, groups, sessions, codes and refresh tokens as
documents (see storage/documents.py)."""

from overcast.storage.schema.apigateway import _DOCUMENTS

MIGRATIONS = [
    _DOCUMENTS.format(table="cognito_docs"),
]
