"""Elastic Load Balancing v2 (Application Load Balancers): control-plane documents."""

from overcast.storage.schema.apigateway import _DOCUMENTS

MIGRATIONS = [
    _DOCUMENTS.format(table="elbv2_docs"),
]
