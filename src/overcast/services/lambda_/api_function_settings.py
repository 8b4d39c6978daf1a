"""A function's recursion config (Put/GetFunctionRecursionConfig) and runtime management config
(Put/GetRuntimeManagementConfig).

- [Recursive loop detection](https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html):
  `Terminate` (the default) stops a chain of SQS/SNS/Lambda invocations after 16 hops; `Allow`
  lets it run (invocation/recursion.py applies it).
- [Runtime management](https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html):
  `Auto` (the default), `FunctionUpdate`, or `Manual` with a runtime version ARN. overcast runs one
  version of each runtime, so the mode is stored and reported, and changes nothing at run time.
"""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_.api_base import ApiBase
from overcast.services.lambda_.errors import InvalidParameterValue
from overcast.services.lambda_.models import LATEST
from overcast.services.lambda_.settings import SettingsStore

RECURSIVE_LOOP = ("Terminate", "Allow")
UPDATE_RUNTIME_ON = ("Auto", "Manual", "FunctionUpdate")


def _enum(value: str, field: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidParameterValue(f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
                                    f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]")


class FunctionSettingsOperations(ApiBase):
    @property
    def _settings(self) -> SettingsStore:
        return self.platform.component(SettingsStore)

    # -- recursion ----------------------------------------------------------------------------

    def put_function_recursion_config(self, ctx: RequestContext, function_name: str,
                                      recursive_loop: str) -> dict[str, Any]:
        _enum(recursive_loop, "recursiveLoop", RECURSIVE_LOOP)
        ref = self._ref(ctx, function_name)
        self.functions.latest(ref)
        self._settings.put_function(ref, "recursion", {"RecursiveLoop": recursive_loop})
        return {"RecursiveLoop": recursive_loop}

    def get_function_recursion_config(self, ctx: RequestContext, function_name: str) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        self.functions.latest(ref)
        doc = self._settings.of_function(ref, "recursion") or {}
        return {"RecursiveLoop": doc.get("RecursiveLoop", "Terminate")}

    # -- runtime management -------------------------------------------------------------------

    def _runtime_target(self, ctx: RequestContext, function_name: str, qualifier: str | None) -> tuple[Any, str]:
        ref = self._ref(ctx, function_name, qualifier)
        version = ref.qualifier or LATEST
        if version != LATEST and not version.isdigit():
            raise InvalidParameterValue("Runtime management configuration is only supported for function versions, "
                                        "not aliases.")
        self.functions.version(ref, version)  # not found: ResourceNotFoundException
        return ref, version

    def put_runtime_management_config(self, ctx: RequestContext, function_name: str, update_runtime_on: str,
                                      qualifier: str | None = None,
                                      runtime_version_arn: str | None = None) -> dict[str, Any]:
        _enum(update_runtime_on, "updateRuntimeOn", UPDATE_RUNTIME_ON)
        if update_runtime_on == "Manual" and not runtime_version_arn:
            raise InvalidParameterValue("Runtime version ARN must be provided when UpdateRuntimeOn is Manual.")
        if update_runtime_on != "Manual" and runtime_version_arn:
            raise InvalidParameterValue("Runtime version ARN can only be provided when UpdateRuntimeOn is Manual.")
        ref, version = self._runtime_target(ctx, function_name, qualifier)
        doc: dict[str, Any] = {"UpdateRuntimeOn": update_runtime_on}
        if runtime_version_arn:
            doc["RuntimeVersionArn"] = runtime_version_arn
        self._settings.put_function(ref, "runtime", doc, id=version)
        return {**doc, "FunctionArn": ref.qualified_arn(version)}

    def get_runtime_management_config(self, ctx: RequestContext, function_name: str,
                                      qualifier: str | None = None) -> dict[str, Any]:
        ref, version = self._runtime_target(ctx, function_name, qualifier)
        doc = self._settings.of_function(ref, "runtime", id=version) or {"UpdateRuntimeOn": "Auto"}
        return {**doc, "FunctionArn": ref.qualified_arn(version) if ref.qualifier else ref.arn}
