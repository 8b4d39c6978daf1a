"""AWS Lambda's API: one method per operation (see the api_*.py modules for each group)."""

from __future__ import annotations

from overcast.services.lambda_.api_event_sources import EsmOperations
from overcast.services.lambda_.api_urls import FunctionUrlOperations


class LambdaApi(EsmOperations, FunctionUrlOperations):
    """Functions, versions, aliases, concurrency, policies, tags, layers, Invoke, event-invoke configs,
    event source mappings and function URLs."""
