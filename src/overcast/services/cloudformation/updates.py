"""Stack updates: change only what changed, replace where AWS replaces, clean up afterwards, and
roll back to the previous template when something fails.

Each resource an update touches keeps a snapshot of what it was (`_old`) and what was done to it
(`_action`: created, updated or replaced) until the update completes or is rolled back, so a
rollback — also one resumed after a restart — knows what to undo.
"""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation import graph
from overcast.services.cloudformation.errors import CfnValidationError, ResourceFailure
from overcast.services.cloudformation.plan import Plan
from overcast.services.cloudformation.resources import Provider, provider_for
from overcast.services.cloudformation.runner import Runner, unsupported

_SNAPSHOT = ("PhysicalResourceId", "ResourceType", "_props", "_attrs", "_ref", "_reserved", "_state", "_deps",
             "_deletion_policy", "_replace_policy", "Metadata")


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in _SNAPSHOT if k in row}


def _updatable(provider: Provider) -> bool:
    return type(provider).update is not Provider.update


class UpdateSteps(Runner):
    """The update half of a stack operation (mixed into StackOperation)."""

    async def create_resource(self, plan: Plan, name: str, action: str = "created") -> bool:
        raise NotImplementedError

    def publish_outputs(self, plan: Plan) -> str | None:
        raise NotImplementedError

    # -- update -------------------------------------------------------------------------------

    async def update(self) -> None:
        plan = self.plan()
        with self.platform.db.tx():  # markers of an earlier operation mean nothing to this one
            for row in self.rows.values():
                if row.get("_action") or row.get("_old"):
                    self._settle(row)
        failed, _ = await graph.run(plan.order, plan.dep_sets(), lambda name: self.update_resource(plan, name))
        if failed:
            verb = "create" if all(self.rows[n].get("_action") == "created" for n in failed) else "update"
            await self.update_rollback(f"The following resource(s) failed to {verb}: [{', '.join(failed)}]. ")
            return
        problem = self.publish_outputs(plan)
        if problem:
            await self.update_rollback(problem)
            return
        cleanup: list[dict[str, Any]] = []
        with self.platform.db.tx():
            for name in plan.order:
                row = self.rows[name]
                if row.get("_action") == "replaced" and row.get("_old"):
                    cleanup.append({**row["_old"], "LogicalResourceId": name, "_replaced": True})
                self._settle(row)
            for name in self._removed_in_dependency_order(plan):
                cleanup.append({**_snapshot(self.rows[name]), "LogicalResourceId": name,
                                "ResourceStatus": self.rows[name].get("ResourceStatus")})
            self.stack["_cleanup"] = cleanup
            self.stack.pop("_previous", None)
            self.status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        await self.cleanup()

    def _removed_in_dependency_order(self, plan: Plan) -> list[str]:
        """The resources gone from the template, each after what it depended on: cleanup deletes from
        the end of its list, so dependents go first (an event source mapping before its queue), as
        CloudFormation deletes them."""
        removed = [n for n in self.rows if n not in plan.order]
        try:
            return graph.order(removed, {n: set(self.rows[n].get("_deps") or []) for n in removed})
        except CfnValidationError:  # a cycle cannot come from a template that deployed; keep the rows' order
            return removed

    def _settle(self, row: dict[str, Any]) -> None:
        row.pop("_old", None)
        row.pop("_action", None)
        self.put(row)

    async def update_resource(self, plan: Plan, name: str) -> bool:
        definition = plan.template["Resources"][name]
        row = self.rows.get(name)
        if row is None or not row.get("PhysicalResourceId") or row.get("ResourceType") != definition["Type"] \
                or row.get("ResourceStatus") in ("DELETE_COMPLETE", "CREATE_FAILED"):
            return await self.create_resource(plan, name, "created")
        provider = provider_for(row["ResourceType"])
        row.update(_deps=plan.deps.get(name, []), _deletion_policy=definition.get("DeletionPolicy"),
                   _replace_policy=definition.get("UpdateReplacePolicy"))
        if "Metadata" in definition:
            row["Metadata"] = definition["Metadata"]
        try:
            properties = self.resolve_properties(plan, name)
        except ResourceFailure as failure:
            self.mark(row, "UPDATE_FAILED", failure.reason)
            return False
        old = row.get("_props") or {}
        if properties == old:
            self.put(row)
            return True
        row["_old"] = _snapshot(row)
        if provider is None:
            row["_action"] = "updated"
            self.mark(row, "UPDATE_FAILED", unsupported(row["ResourceType"]))
            return False
        if provider.requires_replacement(old, properties) or not _updatable(provider):
            named = provider.name_property
            if named and properties.get(named) and properties.get(named) == old.get(named):
                row["_action"] = "updated"
                self.mark(row, "UPDATE_FAILED", "CloudFormation cannot update a stack when a custom-named resource "
                                                f"requires replacing. Rename {row['PhysicalResourceId']} and update "
                                                "the stack again.")
                return False
            return await self.create_resource(plan, name, "replaced")
        return await self._update_in_place(provider, row, old, properties)

    async def _update_in_place(self, provider: Provider, row: dict[str, Any], old: dict[str, Any],
                               properties: dict[str, Any]) -> bool:
        row["_action"] = "updated"
        self.mark(row, "UPDATE_IN_PROGRESS")
        try:
            outcome = await self.invoke(provider, "update", self.deployment(row, properties, old_properties=old))
        except ResourceFailure as failure:
            self.mark(row, "UPDATE_FAILED", failure.reason)
            return False
        assert outcome is not None
        if outcome.physical_id != row["_old"].get("PhysicalResourceId"):
            row["_action"] = "replaced"  # a custom resource answered with a new physical id
        self.apply(row, outcome, properties)
        self.mark(row, "UPDATE_COMPLETE")
        return True

    # -- cleanup ------------------------------------------------------------------------------

    async def cleanup(self, final: str = "UPDATE_COMPLETE") -> None:
        """Delete what the update left behind (replaced resources, resources gone from the
        template), dependents first; a failed deletion is reported but does not fail the stack."""
        while self.stack.get("_cleanup"):
            item = self.stack["_cleanup"][-1]
            await self._remove_leftover(item)
            with self.platform.db.tx():
                self.stack["_cleanup"].pop()
                current = self.rows.get(item["LogicalResourceId"])
                if not item.get("_replaced") and current is not None and \
                        current.get("PhysicalResourceId") == item.get("PhysicalResourceId"):
                    self.rows.pop(item["LogicalResourceId"], None)
                    self.store.drop_resource(self.stack_id, item["LogicalResourceId"])
                self.save()
        self.stack.pop("_cleanup", None)
        self.status(final)

    async def _remove_leftover(self, item: dict[str, Any]) -> None:
        policy = item.get("_replace_policy") if item.get("_replaced") else item.get("_deletion_policy")
        name, kind, physical = item["LogicalResourceId"], item["ResourceType"], item.get("PhysicalResourceId")
        if policy == "Retain":
            self.store.add_event(self.stack, name, physical, kind, "DELETE_SKIPPED")
            return
        provider = provider_for(kind)
        if provider is None or (not physical and not item.get("_reserved")):
            self.store.add_event(self.stack, name, physical, kind, "DELETE_COMPLETE")
            return
        self.store.add_event(self.stack, name, physical, kind, "DELETE_IN_PROGRESS")
        try:
            await self.invoke(provider, "delete", self.deployment(dict(item), item.get("_props") or {}))
        except ResourceFailure as failure:
            self.store.add_event(self.stack, name, physical, kind, "DELETE_FAILED", failure.reason)
            return
        self.store.add_event(self.stack, name, physical, kind, "DELETE_COMPLETE")

    # -- rollback -----------------------------------------------------------------------------

    async def update_rollback(self, reason: str, resumed: bool = False) -> None:
        if not resumed:
            self.status("UPDATE_ROLLBACK_IN_PROGRESS", reason)
        previous = self.stack.get("_previous") or {}
        order = list(self.stack.get("_plan", {}).get("order") or [])
        names = [n for n in reversed(order) if self.rows.get(n, {}).get("_action")]
        names += [n for n, r in self.rows.items() if r.get("_action") and n not in names]
        leftovers: list[dict[str, Any]] = list(self.stack.get("_cleanup") or [])
        for name in names:
            ok = await self._revert(self.rows[name], leftovers)
            if not ok:
                self.stack["_cleanup"] = leftovers
                self.status("UPDATE_ROLLBACK_FAILED", f"The following resource(s) failed to update: [{name}]. ")
                return
        with self.platform.db.tx():
            for key in ("_plan", "Outputs", "Parameters", "Description", "_template", "Tags", "Capabilities",
                        "_imports"):
                if key in previous:
                    self.stack[key] = previous[key]
            account, region = self.ctx().account, self.ctx().region
            self.store.set_exports(account, region, self.stack_id, {
                o["ExportName"]: o["OutputValue"] for o in self.stack.get("Outputs") or [] if o.get("ExportName")})
            self.stack.pop("_previous", None)
            self.stack["_cleanup"] = leftovers
            self.status("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        await self.rollback_cleanup()

    async def _revert(self, row: dict[str, Any], leftovers: list[dict[str, Any]]) -> bool:
        action, old = row.get("_action"), row.get("_old") or {}
        name = row["LogicalResourceId"]
        if action == "created":
            if row.get("PhysicalResourceId") or row.get("_reserved"):
                leftovers.insert(0, {**_snapshot(row), "LogicalResourceId": name})
            with self.platform.db.tx():
                self.rows.pop(name, None)
                self.store.drop_resource(self.stack_id, name)
                self.stack["_cleanup"] = leftovers
                self.save()
            return True
        if action == "replaced":
            if row.get("PhysicalResourceId") or row.get("_reserved"):
                leftovers.insert(0, {**_snapshot(row), "LogicalResourceId": name, "_replaced": True})
            self._restore(row, old)
            self.mark(row, "UPDATE_COMPLETE")
            return True
        provider = provider_for(row["ResourceType"])
        self.mark(row, "UPDATE_IN_PROGRESS")
        if provider is not None and row.get("_props") != old.get("_props"):
            d = self.deployment({**row, "PhysicalResourceId": old.get("PhysicalResourceId")},
                                old.get("_props") or {}, old_properties=row.get("_props") or {})
            try:
                await self.invoke(provider, "update", d)
            except ResourceFailure as failure:
                self.mark(row, "UPDATE_FAILED", failure.reason)
                return False
        self._restore(row, old)
        self.mark(row, "UPDATE_COMPLETE")
        return True

    def _restore(self, row: dict[str, Any], old: dict[str, Any]) -> None:
        for key in _SNAPSHOT:
            row.pop(key, None)
        row.update(old)
        row.pop("_old", None)
        row.pop("_action", None)

    async def rollback_cleanup(self) -> None:
        await self.cleanup("UPDATE_ROLLBACK_COMPLETE")
