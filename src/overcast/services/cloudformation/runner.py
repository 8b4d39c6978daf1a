"""What every stack operation shares: the stack's status and events, resource rows, the scope that
resolves a resource's properties against the resources already deployed, and one provider call
per resource (its events, its failure reason)."""

from __future__ import annotations

import json
import logging
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.cloudformation.dynamic import DynamicReferenceError, Resolver
from overcast.services.cloudformation.errors import ResourceFailure
from overcast.services.cloudformation.intrinsics import Scope, Unresolvable, pseudo_parameters, resolve
from overcast.services.cloudformation.plan import Plan, base_scope
from overcast.services.cloudformation.resources import Deployment, Outcome, Provider, provider_for
from overcast.services.cloudformation.store import StackStore

log = logging.getLogger("overcast.cloudformation")

STACK_TYPE = "AWS::CloudFormation::Stack"
#: statuses that go on showing why the rollback started
_KEEPS_REASON = frozenset({"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                           "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED"})


def unsupported(resource_type: str) -> str:
    return f"Resource type {resource_type} is not supported by overcast"


class Runner:
    """Base of a stack operation: holds the stack document and writes its progress."""

    def __init__(self, platform: Platform, stack_id: str) -> None:
        self.platform = platform
        self.store = platform.component(StackStore)
        self.stack = self.store.by_id(stack_id)
        self.rows = self.store.resources(stack_id)

    # -- stack --------------------------------------------------------------------------------

    @property
    def stack_id(self) -> str:
        return str(self.stack["StackId"])

    def status(self, status: str, reason: str | None = None) -> None:
        """Move the stack to `status`, with its event, committed together."""
        with self.platform.db.tx():
            self.stack["StackStatus"] = status
            if reason:
                self.stack["StackStatusReason"] = reason
            elif status not in _KEEPS_REASON:
                self.stack.pop("StackStatusReason", None)
            if status == "DELETE_COMPLETE":
                self.stack["DeletionTime"] = self.platform.clock.now()
            self.store.save(self.stack)
            self.store.add_event(self.stack, self.stack["StackName"], self.stack_id, STACK_TYPE, status, reason)
        self.platform.signals.notify(f"cloudformation:{self.stack_id}")

    def save(self) -> None:
        self.store.save(self.stack)

    def plan(self, key: str = "_plan") -> Plan:
        return Plan.from_dict(self.stack[key])

    def ctx(self) -> RequestContext:
        """The stack's context: its account and region, and who it acts as (docs/iam.md): its
        service role (`RoleARN`) if it has one, else the caller of the stack operation (the access
        key of CreateStack, UpdateStack, DeleteStack or ExecuteChangeSet)."""
        parts = self.stack_id.split(":")
        ctx = RequestContext(account=parts[4], region=parts[3], service="cloudformation",
                             access_key=self.stack.get("_caller_key") or "test",
                             endpoint=self.stack.get("_endpoint") or "http://localhost:4566")
        if self.stack.get("RoleARN"):
            ctx.extras["stack_role"] = self.stack["RoleARN"]
        return ctx

    # -- resource rows ------------------------------------------------------------------------

    def put(self, row: dict[str, Any]) -> None:
        row["Timestamp"] = self.platform.clock.now()
        self.rows[row["LogicalResourceId"]] = row
        self.store.put_resource(self.stack_id, row)

    def mark(self, row: dict[str, Any], status: str, reason: str | None = None, properties: Any = None) -> None:
        """Set a resource's status and record its event, in one transaction."""
        with self.platform.db.tx():
            row["ResourceStatus"] = status
            if reason:
                row["ResourceStatusReason"] = reason
            else:
                row.pop("ResourceStatusReason", None)
            self.put(row)
            self.store.add_event(self.stack, row["LogicalResourceId"], row.get("PhysicalResourceId"),
                                 row["ResourceType"], status, reason, properties)

    # -- resolving ----------------------------------------------------------------------------

    def scope(self, plan: Plan) -> Scope:
        parts = self.stack_id.split(":")
        pseudo = pseudo_parameters(parts[4], parts[3], self.stack["StackName"], self.stack_id,
                                   self.stack.get("NotificationARNs"))
        scope = base_scope(plan.template, plan.values, pseudo, parts[3])
        scope.conditions = plan.conditions
        scope.resources = frozenset(plan.order)
        scope.refs = self._ref
        scope.attribute = self._attribute
        scope.imports = self._import
        return scope

    def _deployed(self, name: str) -> dict[str, Any]:
        row = self.rows.get(name)
        if row is None or not row.get("PhysicalResourceId"):
            raise Unresolvable(name)
        return row

    def _ref(self, name: str) -> Any:
        row = self._deployed(name)
        return row["_ref"] if row.get("_ref") is not None else row["PhysicalResourceId"]

    def _attribute(self, name: str, attribute: str) -> Any:
        row = self._deployed(name)
        attrs = row.get("_attrs") or {}
        if attribute in attrs:
            return attrs[attribute]
        raise ResourceFailure(f"Template error: resource {name} does not support attribute type {attribute} "
                              "in Fn::GetAtt")

    def _import(self, name: str) -> Any:
        parts = self.stack_id.split(":")
        export = self.store.export(parts[4], parts[3], name)
        if export is None:
            raise ResourceFailure(f"No export named {name} found.")
        return export["value"]

    def resolve_properties(self, plan: Plan, name: str) -> dict[str, Any]:
        definition = plan.template["Resources"][name]
        try:
            return resolve(definition.get("Properties") or {}, self.scope(plan))  # type: ignore[no-any-return]
        except ServiceError as error:
            raise ResourceFailure(error.message) from None
        except Unresolvable as missing:
            raise ResourceFailure(f"Resource {missing} is not available to {name}") from None

    # -- provider calls -----------------------------------------------------------------------

    def deployment(self, row: dict[str, Any], properties: dict[str, Any], **extra: Any) -> Deployment:
        row_ref = row

        def reserve(name: str) -> None:  # a generated name is kept before the resource exists
            row_ref["_reserved"] = name
            self.put(row_ref)

        d = Deployment(self.platform, self.ctx(), self.stack["StackName"], self.stack_id, row["LogicalResourceId"],
                       row["ResourceType"], properties, physical_id=row.get("PhysicalResourceId") or None,
                       attributes=dict(row.get("_attrs") or {}), reserved_name=row.get("_reserved"),
                       state=row.setdefault("_state", {}), on_reserve=reserve, **extra)
        return d

    async def invoke(self, provider: Provider, action: str, d: Deployment) -> Outcome | None:
        """Run one provider action; a `ResourceFailure` with AWS-style reason on any error. A create
        or an update sees its properties' dynamic references resolved (the stack keeps them as written)."""
        try:
            if action in ("create", "update"):
                d.properties = Resolver(self.platform, self.ctx()).properties(d.resource_type, d.properties)
            return await getattr(provider, action)(d)  # type: ignore[no-any-return]
        except ResourceFailure:
            raise
        except DynamicReferenceError as error:
            raise ResourceFailure(str(error)) from None
        except ServiceError as error:
            raise ResourceFailure(error.message) from None
        except NotImplementedError:
            raise ResourceFailure(f"overcast cannot {action} resources of type {d.resource_type}") from None
        except Exception as exc:  # a provider bug must fail the resource, not hang the stack
            log.exception("provider %s of %s failed", action, d.resource_type)
            raise ResourceFailure(f"Internal failure: {type(exc).__name__}: {exc}") from None

    @staticmethod
    def apply(row: dict[str, Any], outcome: Outcome, properties: dict[str, Any]) -> None:
        row["PhysicalResourceId"] = outcome.physical_id
        row["_attrs"] = outcome.attributes
        row["_ref"] = outcome.ref
        row["_props"] = properties

    async def delete_row(self, row: dict[str, Any]) -> bool:
        """Delete one resource (DeletionPolicy Retain: skipped); True when it is gone."""
        name = row["LogicalResourceId"]
        policy = row.get("_deletion_policy")
        if policy in ("Retain", "RetainExceptOnCreate") and row.get("ResourceStatus") != "CREATE_FAILED":
            self.mark(row, "DELETE_SKIPPED")
            return True
        provider = provider_for(row["ResourceType"])
        if provider is None or (not row.get("PhysicalResourceId") and not row.get("_reserved")):
            self.mark(row, "DELETE_COMPLETE")
            return True
        interrupted = str(row.get("ResourceStatus", "")).endswith("_IN_PROGRESS")
        self.mark(row, "DELETE_IN_PROGRESS")
        try:
            d = self.deployment(row, row.get("_props") or {})
            if d.physical_id is None and interrupted:  # cut short by a restart: find it by its generated name
                d.physical_id = await provider.recover(d)
            await self.invoke(provider, "delete", d)
        except ResourceFailure as failure:
            log.warning("deleting %s of stack %s failed: %s", name, self.stack["StackName"], failure.reason)
            self.mark(row, "DELETE_FAILED", failure.reason)
            return False
        self.mark(row, "DELETE_COMPLETE")
        return True


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
