"""CloudFront: distributions, policies, origin access controls, invalidations and functions as
control-plane documents (see storage/documents.py), and the edge cache of the data plane."""

from overcast.storage.schema.apigateway import _DOCUMENTS

MIGRATIONS = [
    _DOCUMENTS.format(table="cloudfront_docs"),
]
