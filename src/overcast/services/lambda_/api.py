"""AWS Lambda's API: one method per operation (see the *_api.py modules for each group)."""

from __future__ import annotations

from overcast.services.lambda_.async_api import AsyncConfigOperations


class LambdaApi(AsyncConfigOperations):
    """Functions, versions, aliases, concurrency, policies, tags, layers, Invoke and event-invoke configs."""
