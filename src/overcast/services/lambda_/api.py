"""AWS Lambda's API: one method per operation (see the *_api.py modules for each group)."""

from __future__ import annotations

from overcast.services.lambda_.async_api import AsyncConfigOperations
from overcast.services.lambda_.url_api import FunctionUrlOperations


class LambdaApi(AsyncConfigOperations, FunctionUrlOperations):
    """Functions, versions, aliases, concurrency, policies, tags, layers, Invoke, event-invoke configs and function URLs."""
