"""Change sets, as `aws cloudformation deploy` and CDK use them: CreateChangeSet (type CREATE puts a
new stack in REVIEW_IN_PROGRESS), DescribeChangeSet, ExecuteChangeSet, DeleteChangeSet,
ListChangeSets. A change set is worked out when it is created, so its first description already
shows CREATE_COMPLETE — or FAILED with AWS's "didn't contain changes" reason."""

from __future__ import annotations

import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.cloudformation import diff
from overcast.services.cloudformation.errors import (
    AlreadyExists,
    CfnValidationError,
    ChangeSetNotFound,
    InvalidChangeSetStatus,
)
from overcast.services.cloudformation.plan import Plan
from overcast.services.cloudformation.stacks import Stacks, act_as, check_pass_role, check_stack_name
from overcast.services.cloudformation.store import StackStore, public

NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set."
_CHANGE_SET_KEYS = ("StackId", "StackName", "ChangeSetId", "ChangeSetName", "ExecutionStatus", "Status",
                    "StatusReason", "CreationTime", "Description", "IncludeNestedStacks")


class ChangeSetOperations:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(StackStore)
        self.stacks = Stacks(platform)

    # -- these live on the stack operations (api.py) --------------------------------------------

    def _check_updatable(self, stack: dict[str, Any]) -> None:
        raise NotImplementedError

    def _check_type_changes(self, stack: dict[str, Any], plan: Any) -> None:
        raise NotImplementedError

    def begin_update(self, stack: dict[str, Any], text: str, original: dict[str, Any], plan: Any,
                     capabilities: list[str] | None, tags: list[dict[str, str]] | None, token: str | None) -> None:
        raise NotImplementedError

    @staticmethod
    def _set_template(stack: dict[str, Any], text: str, original: dict[str, Any], plan: Any) -> None:
        raise NotImplementedError

    # -- operations ---------------------------------------------------------------------------

    def create_change_set(self, ctx: RequestContext, stack_name: str, change_set_name: str,
                          template_body: str | None = None, template_url: str | None = None,
                          use_previous_template: bool | None = None, parameters: list[dict[str, Any]] | None = None,
                          capabilities: list[str] | None = None, tags: list[dict[str, str]] | None = None,
                          notification_arns: list[str] | None = None, description: str | None = None,
                          change_set_type: str | None = None, on_stack_failure: str | None = None,
                          role_arn: str | None = None, **_: Any) -> dict[str, Any]:
        kind = change_set_type or "UPDATE"
        check_pass_role(self.platform, ctx, role_arn)
        if kind == "IMPORT":
            raise CfnValidationError("overcast does not support IMPORT change sets")
        stack = self.store.find(ctx.account, ctx.region, stack_name)
        if kind == "CREATE":
            if stack is not None and stack["StackStatus"] != "REVIEW_IN_PROGRESS":
                raise AlreadyExists(f"Stack [{stack_name}] already exists and cannot be created again with the "
                                    f"changeSet [{change_set_name}].")
        elif stack is None or stack["StackStatus"] == "REVIEW_IN_PROGRESS":
            raise CfnValidationError(f"Stack [{stack_name}] does not exist")
        if stack is not None and self.store.change_set(stack["StackId"], change_set_name) is not None:
            raise AlreadyExists(f"ChangeSet [{change_set_name}] already exists")
        stack_id = stack["StackId"] if stack is not None else self.store.new_stack_id(ctx.account, ctx.region,
                                                                                     stack_name)
        if use_previous_template:
            if stack is None or "_template" not in stack:
                raise CfnValidationError("UsePreviousTemplate can only be used with an existing stack")
            text = stack["_template"]
        else:
            text = self.stacks.template_text(template_body, template_url)
        previous = stack["_plan"]["raw"] if stack is not None and "_plan" in stack else None
        original, plan = self.stacks.plan(ctx, stack_name, stack_id, text, parameters, previous=previous,
                                          capabilities=capabilities, via_change_set=True,
                                          notification_arns=notification_arns)
        if stack is not None and "_plan" in stack:
            self._check_type_changes(stack, plan)
        if stack is None:
            check_stack_name(stack_name)
            stack = self._review_stack(ctx, stack_name, stack_id, capabilities, tags, notification_arns)
        change_set = self._change_set(ctx, stack, change_set_name, text, original, plan, kind, {
            "Description": description, "Capabilities": list(capabilities or []),
            "Tags": list(tags) if tags is not None else list(stack.get("Tags") or []),
            "NotificationARNs": list(notification_arns or []), "_on_failure": on_stack_failure,
            **({"RoleARN": role_arn} if role_arn else {}),
        })
        self.store.put_change_set(change_set)
        return {"Id": change_set["ChangeSetId"], "StackId": stack_id}

    def _review_stack(self, ctx: RequestContext, name: str, stack_id: str, capabilities: list[str] | None,
                      tags: list[dict[str, str]] | None, notification_arns: list[str] | None) -> dict[str, Any]:
        stack = self.stacks.new_stack(ctx, name, stack_id, "REVIEW_IN_PROGRESS", capabilities=capabilities,
                                      tags=tags, notification_arns=notification_arns, extra={})
        with self.platform.db.tx():
            self.store.insert(ctx.account, ctx.region, stack)
            self.store.add_event(stack, name, stack_id, "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS",
                                 "User Initiated")
        return stack

    def _change_set(self, ctx: RequestContext, stack: dict[str, Any], name: str, text: str, original: dict[str, Any],
                    plan: Plan, kind: str, extra: dict[str, Any]) -> dict[str, Any]:
        old = Plan.from_dict(stack["_plan"]) if "_plan" in stack else None
        rows = self.store.resources(stack["StackId"])

        def imports(export: str) -> Any:
            found = self.store.export(ctx.account, ctx.region, export)
            if found is None:
                raise CfnValidationError(f"No export named {export} found.")
            return found["value"]

        changes = diff.changes(old, rows, plan, account=ctx.account, region=ctx.region,
                               stack_name=stack["StackName"], stack_id=stack["StackId"], imports=imports)
        same = old is not None and old.template == plan.template and old.raw == plan.raw \
            and extra["Tags"] == stack.get("Tags")
        change_set: dict[str, Any] = {
            "ChangeSetName": name, "StackId": stack["StackId"], "StackName": stack["StackName"],
            "ChangeSetId": f"arn:aws:cloudformation:{ctx.region}:{ctx.account}:changeSet/{name}/{uuid.uuid4()}",
            "CreationTime": self.platform.clock.now(), "Changes": changes, "IncludeNestedStacks": False,
            "RollbackConfiguration": {}, "_type": kind, "_template": text, "_plan": plan.to_dict(),
            "_original_description": original.get("Description"),
            **{k: v for k, v in extra.items() if v is not None},
        }
        self._set_template(change_set, text, original, plan)
        if extra.get("Description") is not None:
            change_set["Description"] = extra["Description"]
        if same:
            change_set.update(Status="FAILED", StatusReason=NO_CHANGES, ExecutionStatus="UNAVAILABLE")
        else:
            change_set.update(Status="CREATE_COMPLETE", ExecutionStatus="AVAILABLE")
        return change_set

    def find_change_set(self, ctx: RequestContext, change_set_name: str, stack_name: str | None) -> dict[str, Any]:
        stack_id = None
        if not change_set_name.startswith("arn:"):
            if not stack_name:
                raise CfnValidationError("StackName must be specified if ChangeSetName is not specified as an ARN.")
            stack = self.store.find(ctx.account, ctx.region, stack_name)
            if stack is None:
                raise ChangeSetNotFound(f"ChangeSet [{change_set_name}] does not exist")
            stack_id = stack["StackId"]
        found = self.store.change_set(stack_id, change_set_name)
        if found is None:
            raise ChangeSetNotFound(f"ChangeSet [{change_set_name}] does not exist")
        return found

    def describe_change_set(self, ctx: RequestContext, change_set_name: str, stack_name: str | None = None,
                            next_token: str | None = None, **_: Any) -> dict[str, Any]:
        change_set = self.find_change_set(ctx, change_set_name, stack_name)
        view = public(change_set)
        if not view.get("Parameters"):
            view.pop("Parameters", None)
        view.pop("_original_description", None)
        return view

    async def execute_change_set(self, ctx: RequestContext, change_set_name: str, stack_name: str | None = None,
                           client_request_token: str | None = None, disable_rollback: bool | None = None,
                           **_: Any) -> dict[str, Any]:
        change_set = self.find_change_set(ctx, change_set_name, stack_name)
        if change_set["Status"] != "CREATE_COMPLETE" or change_set["ExecutionStatus"] != "AVAILABLE":
            raise InvalidChangeSetStatus(f"ChangeSet [{change_set['ChangeSetId']}] cannot be executed in its current "
                                         f"status of [{change_set['Status']}]")
        stack = self.store.by_id(change_set["StackId"])
        plan = Plan.from_dict(change_set["_plan"])
        original = {"Description": change_set.get("_original_description")} \
            if change_set.get("_original_description") is not None else {}
        act_as(stack, ctx, change_set.get("RoleARN"))
        if stack["StackStatus"] == "REVIEW_IN_PROGRESS":
            self._execute_create(stack, change_set, original, plan, client_request_token, disable_rollback)
        else:
            self._check_updatable(stack)
            self.begin_update(stack, change_set["_template"], original, plan, change_set.get("Capabilities"),
                              change_set.get("Tags"), client_request_token)
            stack = self.store.by_id(stack["StackId"])
            stack["ChangeSetId"] = change_set["ChangeSetId"]
            if disable_rollback is not None:
                stack["DisableRollback"] = bool(disable_rollback)
            self.store.save(stack)
        with self.platform.db.tx():
            for other in self.store.change_sets(stack["StackId"]):
                if other["ChangeSetId"] != change_set["ChangeSetId"]:
                    self.store.drop_change_set(other["ChangeSetId"])
            change_set["ExecutionStatus"] = "EXECUTE_IN_PROGRESS"
            self.store.put_change_set(change_set)
        await self.stacks.start(stack["StackId"])
        return {}

    def _execute_create(self, stack: dict[str, Any], change_set: dict[str, Any], original: dict[str, Any],
                        plan: Plan, token: str | None, disable_rollback: bool | None) -> None:
        self._set_template(stack, change_set["_template"], original, plan)
        failure = change_set.get("_on_failure") or ("DO_NOTHING" if disable_rollback else "ROLLBACK")
        stack.update(StackStatus="CREATE_IN_PROGRESS", ChangeSetId=change_set["ChangeSetId"],
                     Capabilities=change_set.get("Capabilities", []), Tags=change_set.get("Tags", []),
                     DisableRollback=failure == "DO_NOTHING", _on_failure=failure, _token=token)
        with self.platform.db.tx():
            self.store.save(stack)
            self.store.add_event(stack, stack["StackName"], stack["StackId"], "AWS::CloudFormation::Stack",
                                 "CREATE_IN_PROGRESS", "User Initiated")

    def delete_change_set(self, ctx: RequestContext, change_set_name: str, stack_name: str | None = None) -> dict[str, Any]:
        try:
            change_set = self.find_change_set(ctx, change_set_name, stack_name)
        except ChangeSetNotFound:
            # AWS: deleting a change set by name succeeds as long as the stack exists, even when the change
            # set does not (CDK's deploy deletes `cdk-deploy-change-set` before creating it anew)
            if change_set_name.startswith("arn:") or self.store.find(ctx.account, ctx.region, stack_name or "") is None:
                raise
            return {}
        if change_set["ExecutionStatus"] == "EXECUTE_IN_PROGRESS":
            raise InvalidChangeSetStatus(f"ChangeSet [{change_set['ChangeSetId']}] cannot be deleted in its current "
                                         "status of [EXECUTE_IN_PROGRESS]")
        self.store.drop_change_set(change_set["ChangeSetId"])
        return {}

    def list_change_sets(self, ctx: RequestContext, stack_name: str, next_token: str | None = None) -> dict[str, Any]:
        stack = self.store.get(ctx.account, ctx.region, stack_name)
        summaries = [{k: c[k] for k in _CHANGE_SET_KEYS if k in c} for c in self.store.change_sets(stack["StackId"])]
        return {"Summaries": summaries}
