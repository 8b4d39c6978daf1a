"""AWS Lambda's API: one method per operation (see the *_api.py modules for each group)."""

from __future__ import annotations

from overcast.services.lambda_.esm_api import EsmOperations


class LambdaApi(EsmOperations):
    """Functions, versions, aliases, concurrency, policies, tags, layers, Invoke, event-invoke
    configs and event source mappings."""
