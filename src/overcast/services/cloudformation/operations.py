"""Stack operations, run in the background: create (and its rollback), delete.

Each phase is named by the stack's status, committed before the phase starts, so an operation
interrupted by a restart resumes from its status: a create or update that was running is rolled
back (its outcome was never reported), a rollback, cleanup or delete carries on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from overcast.platform import Platform
from overcast.services.cloudformation import graph
from overcast.services.cloudformation.errors import ResourceFailure
from overcast.services.cloudformation.intrinsics import resolve
from overcast.services.cloudformation.plan import Plan
from overcast.services.cloudformation.resources import provider_for
from overcast.services.cloudformation.runner import Runner, unsupported
from overcast.services.cloudformation.updates import UpdateSteps
from overcast.storage.full import FULL_DISK_PAUSE, FullLog, is_storage_full

log = logging.getLogger("overcast.cloudformation")
_full_log = FullLog(log)

RESTARTED = "overcast restarted while the operation was in progress"


async def run_operation(platform: Platform, stack_id: str, *, resume: bool = False) -> None:
    """Drive the stack from its current in-progress status to a final one."""
    op = StackOperation(platform, stack_id)
    try:
        await op.run(resume)
    except Exception as exc:  # never leave a stack in progress because of a bug: report it
        if not is_storage_full(exc):
            log.exception("stack operation on %s failed", stack_id)
            op.fail_unexpectedly(f"Internal failure: {type(exc).__name__}: {exc}")
        else:  # a full disk fails the operation as any internal failure does, once that can be saved
            await _when_saved(stack_id, lambda: op.fail_unexpectedly("Internal failure: the disk is full"))
    finally:
        op.finish_change_set()
        platform.signals.notify(f"cloudformation:{stack_id}")


async def _when_saved(stack_id: str, write: Callable[[], None]) -> None:
    """Run `write` until the disk has room for it (a real-second pause between tries)."""
    while True:
        try:
            write()
            return
        except Exception as exc:
            if not is_storage_full(exc):
                raise
            _full_log.warn(f"stack {stack_id} waits to record its failure", exc)
            await asyncio.sleep(FULL_DISK_PAUSE)


_FAILED_AFTER = {"CREATE_IN_PROGRESS": "CREATE_FAILED", "ROLLBACK_IN_PROGRESS": "ROLLBACK_FAILED",
                 "DELETE_IN_PROGRESS": "DELETE_FAILED", "UPDATE_IN_PROGRESS": "UPDATE_ROLLBACK_FAILED",
                 "UPDATE_ROLLBACK_IN_PROGRESS": "UPDATE_ROLLBACK_FAILED",
                 "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": "UPDATE_COMPLETE",
                 "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS": "UPDATE_ROLLBACK_COMPLETE"}


class StackOperation(UpdateSteps, Runner):
    def fail_unexpectedly(self, reason: str) -> None:
        final = _FAILED_AFTER.get(self.stack["StackStatus"])
        if final is not None:
            self.status(final, reason)

    def finish_change_set(self) -> None:
        """Once an executed change set's operation is over, CloudFormation removes the stack's
        change sets (the executed one too: its name can be used again)."""
        change_set_id = self.stack.get("ChangeSetId")
        if not change_set_id or self.stack["StackStatus"].endswith("_IN_PROGRESS"):
            return
        change_set = self.store.change_set(None, change_set_id)
        if change_set is not None and change_set.get("ExecutionStatus") == "EXECUTE_IN_PROGRESS":
            self.store.drop_change_sets(self.stack_id)

    async def run(self, resume: bool) -> None:
        status = self.stack["StackStatus"]
        if status == "CREATE_IN_PROGRESS":
            if resume:
                await self.after_create_failure(RESTARTED)
            else:
                await self.create()
        elif status == "ROLLBACK_IN_PROGRESS":
            await self.rollback_create()
        elif status == "DELETE_IN_PROGRESS":
            await self.delete()
        elif status == "UPDATE_IN_PROGRESS":
            if resume:
                await self.update_rollback(RESTARTED)
            else:
                await self.update()
        elif status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":
            await self.cleanup()
        elif status == "UPDATE_ROLLBACK_IN_PROGRESS":
            await self.update_rollback(self.stack.get("StackStatusReason") or RESTARTED, resumed=True)
        elif status == "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
            await self.rollback_cleanup()

    # -- create -------------------------------------------------------------------------------

    async def create(self) -> None:
        plan = self.plan()
        failed, _ = await graph.run(plan.order, plan.dep_sets(), lambda name: self.create_resource(plan, name))
        if failed:
            await self.after_create_failure(f"The following resource(s) failed to create: [{', '.join(failed)}]. ")
            return
        problem = self.publish_outputs(plan)
        if problem:
            await self.after_create_failure(problem)
            return
        with self.platform.db.tx():
            for row in self.rows.values():
                self._settle(row)
            self.status("CREATE_COMPLETE")

    async def create_resource(self, plan: Plan, name: str, action: str = "created") -> bool:
        """Create one resource: its row, events and provider call. True on success."""
        definition = plan.template["Resources"][name]
        row: dict[str, Any] = self.rows.get(name) if action == "replaced" else None  # type: ignore[assignment]
        if row is None:
            row = {"LogicalResourceId": name, "ResourceType": definition["Type"]}
        row.update(_deps=plan.deps.get(name, []), _deletion_policy=definition.get("DeletionPolicy"),
                   _action=action)
        if "Metadata" in definition:
            row["Metadata"] = definition["Metadata"]
        if action == "replaced":
            self.mark(row, "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical "
                                                 "resource; hence creating one.")
        else:
            row.pop("PhysicalResourceId", None)
            self.mark(row, "CREATE_IN_PROGRESS")
        done, failed = ("UPDATE_COMPLETE", "UPDATE_FAILED") if action == "replaced" else \
            ("CREATE_COMPLETE", "CREATE_FAILED")
        provider = provider_for(row["ResourceType"])
        try:
            if provider is None:
                raise ResourceFailure(unsupported(row["ResourceType"]))
            properties = self.resolve_properties(plan, name)
            row.update(PhysicalResourceId=None, _attrs={}, _reserved=None, _state={})
            d = self.deployment(row, properties)
            outcome = await self.invoke(provider, "create", d)
        except ResourceFailure as failure:
            self.mark(row, failed, failure.reason)
            return False
        assert outcome is not None
        self.apply(row, outcome, properties)
        row["_reserved"] = d.reserved_name
        self.mark(row, done)
        return True

    def publish_outputs(self, plan: Plan) -> str | None:
        """Resolve the outputs and exports; a failure reason when they cannot be published."""
        scope = self.scope(plan)
        outputs, exports = [], {}
        try:
            for key, output in plan.outputs().items():
                value = resolve(output.get("Value"), scope)
                item = {"OutputKey": key, "OutputValue": ",".join(map(str, value)) if isinstance(value, list)
                        else _text(value)}
                if output.get("Description"):
                    item["Description"] = str(resolve(output["Description"], scope))
                if isinstance(output.get("Export"), dict) and "Name" in output["Export"]:
                    item["ExportName"] = str(resolve(output["Export"]["Name"], scope))
                    exports[item["ExportName"]] = item["OutputValue"]
                outputs.append(item)
        except ResourceFailure as failure:
            return failure.reason
        except Exception as exc:  # an output that cannot be resolved fails the stack, with its reason
            return getattr(exc, "message", str(exc))
        account, region = self.ctx().account, self.ctx().region
        for name in exports:
            other = self.store.export(account, region, name)
            if other is not None and other["stack_id"] != self.stack_id:
                owner = self.store.by_id(other["stack_id"])["StackName"]
                return f"Export with name {name} is already exported by stack {owner}"
        previous = {o["ExportName"]: o["OutputValue"] for o in self.stack.get("Outputs") or [] if o.get("ExportName")}
        for name, value in previous.items():
            users = self.store.importers(account, region, name)
            users = [u for u in users if u != self.stack["StackName"]]
            if users and exports.get(name) != value:
                verb = "update" if name in exports else "delete"
                if verb == "delete":
                    return f"Export {name} cannot be deleted as it is in use by {', '.join(users)}"
                return f"Cannot update export {name} as it is in use by {', '.join(users)}"
        with self.platform.db.tx():
            self.stack["Outputs"] = outputs
            self.stack["_imports"] = plan.imports
            self.store.set_exports(account, region, self.stack_id, exports)
            self.save()
        return None

    async def after_create_failure(self, reason: str) -> None:
        on_failure = self.stack.get("_on_failure", "ROLLBACK")
        if on_failure == "DO_NOTHING":
            self.status("CREATE_FAILED", reason)
            return
        self.status("ROLLBACK_IN_PROGRESS", reason + ("Rollback requested by user." if "failed to create" in reason
                                                      else ""))
        await self.rollback_create()

    async def rollback_create(self) -> None:
        ok = await self.delete_all(skip_retain_on_create=True)
        if not ok:
            self.status("ROLLBACK_FAILED", "The following resource(s) failed to delete: "
                        f"[{', '.join(self._failed_deletes())}]. ")
            return
        with self.platform.db.tx():
            self.store.set_exports(self.ctx().account, self.ctx().region, self.stack_id, {})
            self.stack["Outputs"] = []
        if self.stack.get("_on_failure") == "DELETE":
            self.status("DELETE_COMPLETE")
            return
        self.status("ROLLBACK_COMPLETE")

    # -- delete -------------------------------------------------------------------------------

    async def delete(self) -> None:
        account, region = self.ctx().account, self.ctx().region
        for output in self.stack.get("Outputs") or []:
            name = output.get("ExportName")
            users = [u for u in self.store.importers(account, region, name) if u != self.stack["StackName"]] \
                if name else []
            if users:
                self.status("DELETE_FAILED", f"Export {name} cannot be deleted as it is in use by {', '.join(users)}")
                return
        if not await self.delete_all(retain=set(self.stack.pop("_retain", []))):
            self.status("DELETE_FAILED", f"The following resource(s) failed to delete: "
                                         f"[{', '.join(self._failed_deletes())}]. ")
            return
        with self.platform.db.tx():
            self.store.set_exports(account, region, self.stack_id, {})
            self.store.drop_change_sets(self.stack_id)
            self.status("DELETE_COMPLETE")

    def _failed_deletes(self) -> list[str]:
        return sorted(n for n, r in self.rows.items() if r.get("ResourceStatus") == "DELETE_FAILED")

    async def delete_all(self, retain: set[str] | None = None, skip_retain_on_create: bool = False) -> bool:
        """Delete every resource of the stack, dependents first. True when none failed."""
        names = [n for n, r in self.rows.items() if r.get("ResourceStatus") not in ("DELETE_COMPLETE", "DELETE_SKIPPED")]
        deps = {n: set(self.rows[n].get("_deps") or []) for n in names}
        dependents = graph.reverse(names, deps)
        retain = retain or set()

        async def remove(name: str) -> bool:
            row = self.rows[name]
            if name in retain:
                self.mark(row, "DELETE_SKIPPED")
                return True
            if skip_retain_on_create and row.get("_deletion_policy") == "RetainExceptOnCreate":
                row["_deletion_policy"] = "Delete"
            return await self.delete_row(row)

        failed, _ = await graph.run(names, dependents, remove, keep_going=True)
        return not failed


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        import json

        return json.dumps(value)
    return str(value)
