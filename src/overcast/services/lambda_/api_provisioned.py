"""Provisioned concurrency: Put/Get/Delete/ListProvisionedConcurrencyConfigs
(https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html).

A config applies to a published version or an alias (never `$LATEST`). Put answers 202 with
`Status: IN_PROGRESS`; overcast then starts that many environments of the version and runs their
init (`AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency`), and the config turns `READY` with
the executions allocated and available. Those environments are kept warm (never reaped for being
idle) until the config is deleted or replaced; invocations use them first, without a cold start.

When an alias with a config moves to another version, the config goes back to `IN_PROGRESS`
while environments of the new version initialize, then `READY`; the old version's environments are
retired only then. Provisioned concurrency comes out of the account's unreserved concurrency
(for a function without reserved concurrency) or out of the function's reserved concurrency
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.lambda_.api_base import ApiBase, page
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.errors import LambdaError
from overcast.services.lambda_.models import LATEST, FunctionStore, lambda_timestamp
from overcast.services.lambda_.names import FunctionRef
from overcast.services.lambda_.settings import (
    MIN_UNRESERVED,
    ProvisionedConcurrencyConfigNotFound,
    SettingsStore,
)

log = logging.getLogger("overcast.lambda")


class ProvisionedConcurrencyOperations(ApiBase):
    @property
    def _provisioned(self) -> SettingsStore:
        return self.platform.component(SettingsStore)

    def _target(self, ctx: RequestContext, function_name: str, qualifier: str) -> FunctionRef:
        ref = self._ref(ctx, function_name, qualifier)
        self.functions.latest(ref)
        if ref.qualifier == LATEST:
            raise error("provisioned_on_latest")
        try:
            self._configuration(ref)
        except Exception:
            raise error("function_not_found", arn=ref.qualified_arn()) from None
        return ref

    def put_provisioned_concurrency_config(self, ctx: RequestContext, function_name: str, qualifier: str,
                                           provisioned_concurrent_executions: int) -> dict[str, Any]:
        ref = self._target(ctx, function_name, qualifier)
        count = provisioned_concurrent_executions
        reserved = self.functions.reserved(ref)
        if reserved is not None:  # it comes out of the function's reserved concurrency
            others = provisioned_total(self.platform, ref.account, ref.region, function=ref.name,
                                       excluding=ref.qualifier)
            if count + others > reserved:
                raise error("provisioned_over_reserved")
        else:  # out of the account's unreserved concurrency, which keeps its minimum of 100
            available = unreserved(self.platform, ref.account, ref.region, excluding=ref) - MIN_UNRESERVED
            if count > available:
                raise error("provisioned_over_unreserved", available=available)
        doc = {"RequestedProvisionedConcurrentExecutions": count,
               "AvailableProvisionedConcurrentExecutions": 0, "AllocatedProvisionedConcurrentExecutions": 0,
               "Status": "IN_PROGRESS", "LastModified": lambda_timestamp(self.platform.clock.now())}
        self._provisioned.put_function(ref, "provisioned", doc, id=ref.qualifier or "")
        start_allocation(self.platform, ref, count)
        return doc

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


def start_allocation(platform: Platform, ref: FunctionRef, count: int) -> None:
    """Initialize `count` environments for the config of `ref` in the background."""
    if platform.engine is not None:
        platform.engine.spawn("provision", _allocate(platform, ref, count))


async def _allocate(platform: Platform, ref: FunctionRef, count: int) -> None:
    """Start and initialize the environments, then report them allocated (READY)."""
    from overcast.invocation.sync import Invoker

    store = platform.component(SettingsStore)
    try:
        ready = await platform.component(Invoker).provision(ref, count)
        update: dict[str, Any] = {"AvailableProvisionedConcurrentExecutions": ready,
                                  "AllocatedProvisionedConcurrentExecutions": ready,
                                  "Status": "READY" if ready == count else "FAILED"}
        if ready != count:
            update["StatusReason"] = "FUNCTION_ERROR_INIT_FAILURE"
    except Exception as exc:  # the function is gone, or its environments cannot start
        log.warning("provisioned concurrency for %s failed: %s", ref.qualified_arn(), exc)
        update = {"Status": "FAILED", "StatusReason": str(exc)}
    doc = store.of_function(ref, "provisioned", id=ref.qualifier or "")
    if doc is not None and doc["RequestedProvisionedConcurrentExecutions"] == count:
        store.put_function(ref, "provisioned", {**doc, **update}, id=ref.qualifier or "")


def follow_alias(platform: Platform, ref: FunctionRef) -> None:
    """The alias `ref` now points elsewhere: its provisioned config (if any) goes `IN_PROGRESS`
    while the new version's environments initialize (the old ones serve until then)."""
    store = platform.component(SettingsStore)
    doc = store.of_function(ref, "provisioned", id=ref.qualifier or "")
    if doc is None:
        return
    doc.pop("StatusReason", None)
    store.put_function(ref, "provisioned", {**doc, "Status": "IN_PROGRESS"}, id=ref.qualifier or "")
    start_allocation(platform, ref, doc["RequestedProvisionedConcurrentExecutions"])


def drop_alias(platform: Platform, ref: FunctionRef) -> None:
    """The alias `ref` is deleted: its provisioned config and environments go with it."""
    from overcast.invocation.sync import Invoker

    if platform.component(SettingsStore).delete_function(ref, "provisioned", id=ref.qualifier or ""):
        platform.component(Invoker).unprovision(ref)


def provisioned_total(platform: Platform, account: str, region: str, *, function: str | None = None,
                      excluding: str | None = None, unreserved_only: bool = False) -> int:
    """Provisioned concurrency requested in a region (of one function when given, leaving out the
    config of qualifier `excluding`; of functions without reserved concurrency only, if asked)."""
    functions = platform.component(FunctionStore)
    total = 0
    for row in platform.db.query("SELECT parent, id, doc FROM lambda_docs WHERE account=? AND region=? AND "
                                 "kind='provisioned'", (account, region)):
        if function is not None and (row["parent"] != function or row["id"] == excluding):
            continue
        if unreserved_only:
            try:
                if functions.reserved(FunctionRef(account, region, row["parent"], None)) is not None:
                    continue
            except LambdaError:  # the function is being deleted
                continue
        total += int(json.loads(row["doc"])["RequestedProvisionedConcurrentExecutions"])
    return total


def unreserved(platform: Platform, account: str, region: str, excluding: FunctionRef | None = None) -> int:
    """The account's unreserved concurrency as GetAccountSettings reports it: the limit minus
    reserved concurrency and minus provisioned concurrency of functions without reserved
    concurrency (theirs comes out of the unreserved pool). `excluding`: leave that config out."""
    functions = platform.component(FunctionStore)
    provisioned = provisioned_total(platform, account, region, unreserved_only=True)
    if excluding is not None:
        doc = platform.component(SettingsStore).of_function(excluding, "provisioned", id=excluding.qualifier or "")
        if doc is not None and functions.reserved(excluding) is None:
            provisioned -= int(doc["RequestedProvisionedConcurrentExecutions"])
    return platform.config.concurrency_limit - functions.total_reserved(account, region) - provisioned
