"""Provisioned concurrency: Put/Get/Delete/ListProvisionedConcurrencyConfigs
(https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html).

A config applies to a published version or an alias (never `$LATEST`). Put answers 202 with
`Status: IN_PROGRESS`; overcast then starts that many environments of the version and runs their
init (`AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency`), and the config turns `READY` with
the executions allocated and available. Those environments are kept warm (never reaped for being
idle) until the config is deleted or replaced; invocations use them first, without a cold start.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_.api_base import ApiBase, page
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.errors import InvalidParameterValue
from overcast.services.lambda_.models import LATEST, lambda_timestamp
from overcast.services.lambda_.names import FunctionRef
from overcast.services.lambda_.settings import ProvisionedConcurrencyConfigNotFound, SettingsStore

log = logging.getLogger("overcast.lambda")


class ProvisionedConcurrencyOperations(ApiBase):
    @property
    def _provisioned(self) -> SettingsStore:
        return self.platform.component(SettingsStore)

    def _target(self, ctx: RequestContext, function_name: str, qualifier: str) -> FunctionRef:
        ref = self._ref(ctx, function_name, qualifier)
        self.functions.latest(ref)
        if ref.qualifier == LATEST:
            raise InvalidParameterValue("Provisioned Concurrency Configs cannot be applied to unpublished function "
                                        "versions.")
        try:
            self._configuration(ref)
        except Exception:
            raise error("function_not_found", arn=ref.qualified_arn()) from None
        return ref

    def put_provisioned_concurrency_config(self, ctx: RequestContext, function_name: str, qualifier: str,
                                           provisioned_concurrent_executions: int) -> dict[str, Any]:
        ref = self._target(ctx, function_name, qualifier)
        limit = self.platform.config.concurrency_limit
        if provisioned_concurrent_executions > limit - 100:
            raise InvalidParameterValue(f"Specified ConcurrentExecutions for function is greater than account's "
                                        f"unreserved concurrency [{limit - 100}].")
        doc = {"RequestedProvisionedConcurrentExecutions": provisioned_concurrent_executions,
               "AvailableProvisionedConcurrentExecutions": 0, "AllocatedProvisionedConcurrentExecutions": 0,
               "Status": "IN_PROGRESS", "LastModified": lambda_timestamp(self.platform.clock.now())}
        self._provisioned.put_function(ref, "provisioned", doc, id=ref.qualifier or "")
        if self.platform.engine is not None:
            self.platform.engine.spawn("provision", self._allocate(ref, provisioned_concurrent_executions))
        return doc

    async def _allocate(self, ref: FunctionRef, count: int) -> None:
        """Start and initialize the environments, then report them allocated (READY)."""
        from overcast.invocation.sync import Invoker

        try:
            ready = await self.platform.component(Invoker).provision(ref, count)
            update: dict[str, Any] = {"AvailableProvisionedConcurrentExecutions": ready,
                                      "AllocatedProvisionedConcurrentExecutions": ready,
                                      "Status": "READY" if ready == count else "FAILED"}
            if ready != count:
                update["StatusReason"] = "FUNCTION_ERROR_INIT_FAILURE"
        except Exception as exc:  # the function is gone, or its environments cannot start
            log.warning("provisioned concurrency for %s failed: %s", ref.qualified_arn(), exc)
            update = {"Status": "FAILED", "StatusReason": str(exc)}
        doc = self._provisioned.of_function(ref, "provisioned", id=ref.qualifier or "")
        if doc is not None and doc["RequestedProvisionedConcurrentExecutions"] == count:
            self._provisioned.put_function(ref, "provisioned", {**doc, **update}, id=ref.qualifier or "")

    def get_provisioned_concurrency_config(self, ctx: RequestContext, function_name: str,
                                           qualifier: str) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        self.functions.latest(ref)
        doc = self._provisioned.of_function(ref, "provisioned", id=ref.qualifier or "")
        if doc is None:
            raise ProvisionedConcurrencyConfigNotFound("No Provisioned Concurrency Config found for this function")
        return doc

    def delete_provisioned_concurrency_config(self, ctx: RequestContext, function_name: str,
                                              qualifier: str) -> dict[str, Any]:
        from overcast.invocation.sync import Invoker

        ref = self._ref(ctx, function_name, qualifier)
        self.functions.latest(ref)
        if not self._provisioned.delete_function(ref, "provisioned", id=ref.qualifier or ""):
            raise ProvisionedConcurrencyConfigNotFound("No Provisioned Concurrency Config found for this function")
        self.platform.component(Invoker).unprovision(ref)
        return {}

    def list_provisioned_concurrency_configs(self, ctx: RequestContext, function_name: str,
                                             marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        self.functions.latest(ref)
        rows = self.platform.db.query(
            "SELECT id, doc FROM lambda_docs WHERE account=? AND region=? AND kind='provisioned' AND parent=? "
            "ORDER BY seq", (ref.account, ref.region, ref.name))
        items = [{"FunctionArn": ref.qualified_arn(row["id"]), **json.loads(row["doc"])} for row in rows]
        chunk, next_marker = page(items, marker, max_items)
        return {"ProvisionedConcurrencyConfigs": chunk, **({"NextMarker": next_marker} if next_marker else {})}
