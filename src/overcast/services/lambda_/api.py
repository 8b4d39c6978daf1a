"""AWS Lambda's API: one method per operation (see the *_api.py modules for each group)."""

from __future__ import annotations

from overcast.services.lambda_.esm_api import EsmOperations
from overcast.services.lambda_.stream_api import StreamOperations
from overcast.services.lambda_.url_api import FunctionUrlOperations


class LambdaApi(EsmOperations, FunctionUrlOperations, StreamOperations):
    """Functions, versions, aliases, concurrency, policies, tags, layers, Invoke, event-invoke configs,
    event source mappings and function URLs."""
