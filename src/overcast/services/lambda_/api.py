"""AWS Lambda's API: one method per operation, grouped in the api_*.py modules."""

from __future__ import annotations

from overcast.services.lambda_.api_async_config import AsyncConfigOperations
from overcast.services.lambda_.api_capacity import CapacityOperations
from overcast.services.lambda_.api_code_signing import CodeSigningOperations
from overcast.services.lambda_.api_durable import DurableOperations
from overcast.services.lambda_.api_event_sources import EventSourceMappingOperations
from overcast.services.lambda_.api_function_settings import FunctionSettingsOperations
from overcast.services.lambda_.api_functions import FunctionOperations
from overcast.services.lambda_.api_invoke import InvokeOperations
from overcast.services.lambda_.api_provisioned import ProvisionedConcurrencyOperations
from overcast.services.lambda_.api_resource_policy import ResourcePolicyOperations
from overcast.services.lambda_.api_settings import SettingsOperations
from overcast.services.lambda_.api_stream import ResponseStreamOperations
from overcast.services.lambda_.api_tags import TagOperations
from overcast.services.lambda_.api_urls import FunctionUrlOperations


class LambdaApi(FunctionOperations, SettingsOperations, TagOperations, InvokeOperations, AsyncConfigOperations,
                EventSourceMappingOperations, FunctionUrlOperations, ResponseStreamOperations,
                CodeSigningOperations, FunctionSettingsOperations, ProvisionedConcurrencyOperations,
                ResourcePolicyOperations, CapacityOperations, DurableOperations):
    """Functions, versions, aliases, concurrency, policies, tags, layers, Invoke, event-invoke configs,
    event source mappings, function URLs, code signing configs, recursion and runtime management
    configs, provisioned concurrency, resource policies, capacity providers and scaling configs,
    durable executions."""
