"""AWS CloudFormation's API: stacks, their resources, events, templates and exports (change sets in
`api_changesets.py`). Operations that change a stack commit its new status and answer at once;
the work runs in the background (see `operations.py`)."""

from __future__ import annotations

import json
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.cloudformation.api_changesets import ChangeSetOperations
from overcast.services.cloudformation.errors import AlreadyExists, CfnValidationError
from overcast.services.cloudformation.parameters import described
from overcast.services.cloudformation.stacks import act_as, check_pass_role, check_stack_name
from overcast.services.cloudformation.views import (
    page,
    resource_detail,
    resource_summary,
    stack_resource,
    stack_summary,
    stack_view,
    template_summary,
)

UPDATABLE = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
                       "IMPORT_ROLLBACK_COMPLETE"})



class CloudFormationApi(ChangeSetOperations):
    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)

    # -- stacks -------------------------------------------------------------------------------

    async def create_stack(self, ctx: RequestContext, stack_name: str, template_body: str | None = None,
                     template_url: str | None = None, parameters: list[dict[str, Any]] | None = None,
                     disable_rollback: bool | None = None, on_failure: str | None = None,
                     capabilities: list[str] | None = None, tags: list[dict[str, str]] | None = None,
                     notification_arns: list[str] | None = None, client_request_token: str | None = None,
                     enable_termination_protection: bool | None = None, timeout_in_minutes: int | None = None,
                     role_arn: str | None = None, **_: Any) -> dict[str, Any]:
        check_stack_name(stack_name)
        check_pass_role(self.platform, ctx, role_arn)
        existing = self.store.find(ctx.account, ctx.region, stack_name)
        if existing is not None:
            raise AlreadyExists(f"Stack [{stack_name}] already exists")
        if disable_rollback is not None and on_failure is not None:
            raise CfnValidationError("You cannot specify both DisableRollback and OnFailure.")
        text = self.stacks.template_text(template_body, template_url)
        stack_id = self.store.new_stack_id(ctx.account, ctx.region, stack_name)
        original, plan = self.stacks.plan(ctx, stack_name, stack_id, text, parameters, capabilities=capabilities,
                                          notification_arns=notification_arns)
        failure = on_failure or ("DO_NOTHING" if disable_rollback else "ROLLBACK")
        stack = self.stacks.new_stack(ctx, stack_name, stack_id, "CREATE_IN_PROGRESS", capabilities=capabilities,
                                      tags=tags, notification_arns=notification_arns, extra={
                                          "DisableRollback": failure == "DO_NOTHING",
                                          "EnableTerminationProtection": bool(enable_termination_protection),
                                          "_on_failure": failure, "_token": client_request_token,
                                      })
        if timeout_in_minutes is not None:
            stack["TimeoutInMinutes"] = timeout_in_minutes
        act_as(stack, ctx, role_arn)
        self._set_template(stack, text, original, plan)
        with self.platform.db.tx():
            self.store.insert(ctx.account, ctx.region, stack)
            self.store.add_event(stack, stack_name, stack_id, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS",
                                 "User Initiated")
        await self.stacks.start(stack_id)
        return {"StackId": stack_id}

    @staticmethod
    def _set_template(stack: dict[str, Any], text: str, original: dict[str, Any], plan: Any) -> None:
        stack["_template"] = text
        stack["_plan"] = plan.to_dict()
        stack["Parameters"] = described(plan.template.get("Parameters") or {}, plan.raw, plan.values)
        description = original.get("Description")
        if description is not None:
            stack["Description"] = str(description)
        else:
            stack.pop("Description", None)

    async def update_stack(self, ctx: RequestContext, stack_name: str, template_body: str | None = None,
                     template_url: str | None = None, use_previous_template: bool | None = None,
                     parameters: list[dict[str, Any]] | None = None, capabilities: list[str] | None = None,
                     tags: list[dict[str, str]] | None = None, notification_arns: list[str] | None = None,
                     disable_rollback: bool | None = None, client_request_token: str | None = None,
                     role_arn: str | None = None, **_: Any) -> dict[str, Any]:
        stack = self.store.get(ctx.account, ctx.region, stack_name)
        self._check_updatable(stack)
        check_pass_role(self.platform, ctx, role_arn)
        if use_previous_template:
            if template_body is not None or template_url is not None:
                raise CfnValidationError("You cannot specify both usePreviousTemplate and Template Body/Template URL.")
            text = stack["_template"]
        else:
            text = self.stacks.template_text(template_body, template_url)
        previous_raw = stack["_plan"]["raw"]
        original, plan = self.stacks.plan(ctx, stack["StackName"], stack["StackId"], text, parameters,
                                          previous=previous_raw, capabilities=capabilities,
                                          notification_arns=notification_arns or stack.get("NotificationARNs"))
        self._check_type_changes(stack, plan)
        new_tags = stack.get("Tags") if tags is None else tags
        if plan.template == stack["_plan"]["template"] and plan.raw == previous_raw and new_tags == stack.get("Tags"):
            raise CfnValidationError("No updates are to be performed.")
        act_as(stack, ctx, role_arn)
        self.begin_update(stack, text, original, plan, capabilities, new_tags, client_request_token)
        if disable_rollback is not None:
            stack["DisableRollback"] = bool(disable_rollback)
        await self.stacks.start(stack["StackId"])
        return {"StackId": stack["StackId"]}

    @staticmethod
    def _check_updatable(stack: dict[str, Any]) -> None:
        if stack["StackStatus"] not in UPDATABLE:
            raise CfnValidationError(f"Stack:{stack['StackId']} is in {stack['StackStatus']} state and can not be "
                                     "updated.")

    def _check_type_changes(self, stack: dict[str, Any], plan: Any) -> None:
        rows = self.store.resources(stack["StackId"])
        changed = sorted(name for name in plan.order if name in rows and rows[name].get("PhysicalResourceId")
                         and rows[name]["ResourceType"] != plan.template["Resources"][name]["Type"])
        if changed:
            raise CfnValidationError("Update of resource type is not permitted. The new template modifies resource "
                                     f"type of the following resources: [{', '.join(changed)}]")

    def begin_update(self, stack: dict[str, Any], text: str, original: dict[str, Any], plan: Any,
                     capabilities: list[str] | None, tags: list[dict[str, str]] | None, token: str | None) -> None:
        stack["_previous"] = {key: stack[key] for key in ("_plan", "Outputs", "Parameters", "Description",
                                                          "_template", "Tags", "Capabilities", "_imports")
                              if key in stack}
        self._set_template(stack, text, original, plan)
        stack["Capabilities"] = list(capabilities or [])
        stack["Tags"] = list(tags or [])
        stack["LastUpdatedTime"] = self.platform.clock.now()
        stack["StackStatus"] = "UPDATE_IN_PROGRESS"
        stack["_token"] = token
        stack.pop("StackStatusReason", None)
        with self.platform.db.tx():
            self.store.save(stack)
            self.store.add_event(stack, stack["StackName"], stack["StackId"], "AWS::CloudFormation::Stack",
                                 "UPDATE_IN_PROGRESS", "User Initiated")

    async def delete_stack(self, ctx: RequestContext, stack_name: str, retain_resources: list[str] | None = None,
                     client_request_token: str | None = None, role_arn: str | None = None,
                     **_: Any) -> dict[str, Any]:
        stack = self.store.find(ctx.account, ctx.region, stack_name)
        if stack is None or stack["StackStatus"] in ("DELETE_COMPLETE", "DELETE_IN_PROGRESS"):
            return {}
        if stack.get("EnableTerminationProtection"):
            raise CfnValidationError(f"Stack [{stack['StackName']}] cannot be deleted while TerminationProtection "
                                     "is enabled")
        status = stack["StackStatus"]
        if status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
            raise CfnValidationError(f"Stack [{stack['StackName']}] cannot be deleted while in status {status}")
        if retain_resources and status != "DELETE_FAILED":
            raise CfnValidationError("Invalid operation on stack [{}]. RetainResources can only be specified when "
                                     "the stack is in the DELETE_FAILED state".format(stack["StackName"]))
        act_as(stack, ctx, role_arn)
        stack["_retain"] = list(retain_resources or [])
        stack["_token"] = client_request_token
        stack["StackStatus"] = "DELETE_IN_PROGRESS"
        stack.pop("StackStatusReason", None)
        with self.platform.db.tx():
            self.store.save(stack)
            self.store.add_event(stack, stack["StackName"], stack["StackId"], "AWS::CloudFormation::Stack",
                                 "DELETE_IN_PROGRESS", "User Initiated")
        await self.stacks.start(stack["StackId"])
        return {}

    async def continue_update_rollback(self, ctx: RequestContext, stack_name: str,
                                       resources_to_skip: list[str] | None = None, **_: Any) -> dict[str, Any]:
        """Take a stack in UPDATE_ROLLBACK_FAILED back into its rollback, skipping what it is told to."""
        stack = self.store.get(ctx.account, ctx.region, stack_name)
        if stack["StackStatus"] != "UPDATE_ROLLBACK_FAILED":
            raise CfnValidationError(f"Stack {stack['StackId']} is in {stack['StackStatus']} state and can not be "
                                     "continued. Only stacks in UPDATE_ROLLBACK_FAILED state can be continued.")
        rows = self.store.resources(stack["StackId"])
        with self.platform.db.tx():
            for name in resources_to_skip or []:
                row = rows.get(name)
                if row is not None and row.get("_action"):
                    row.pop("_action", None)
                    row.pop("_old", None)
                    row["ResourceStatus"] = "UPDATE_COMPLETE"
                    self.store.put_resource(stack["StackId"], row)
            stack["StackStatus"] = "UPDATE_ROLLBACK_IN_PROGRESS"
            self.store.save(stack)
            self.store.add_event(stack, stack["StackName"], stack["StackId"], "AWS::CloudFormation::Stack",
                                 "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated")
        await self.stacks.start(stack["StackId"])
        return {}

    def update_termination_protection(self, ctx: RequestContext, enable_termination_protection: bool,
                                      stack_name: str) -> dict[str, Any]:
        stack = self.store.get(ctx.account, ctx.region, stack_name)
        stack["EnableTerminationProtection"] = bool(enable_termination_protection)
        self.store.save(stack)
        return {"StackId": stack["StackId"]}

    # -- reading stacks -----------------------------------------------------------------------

    def describe_stacks(self, ctx: RequestContext, stack_name: str | None = None,
                        next_token: str | None = None) -> dict[str, Any]:
        if stack_name:
            stacks = [self.store.get(ctx.account, ctx.region, stack_name)]
        else:
            stacks = self.store.stacks(ctx.account, ctx.region)
        chunk, token = page(stacks, next_token, 100)
        return {"Stacks": [stack_view(s) for s in chunk], "NextToken": token}

    def list_stacks(self, ctx: RequestContext, stack_status_filter: list[str] | None = None,
                    next_token: str | None = None) -> dict[str, Any]:
        stacks = self.store.stacks(ctx.account, ctx.region, include_deleted=True)
        if stack_status_filter:
            stacks = [s for s in stacks if s["StackStatus"] in stack_status_filter]
        chunk, token = page(stacks, next_token, 100)
        return {"StackSummaries": [stack_summary(s) for s in chunk], "NextToken": token}

    def describe_stack_events(self, ctx: RequestContext, stack_name: str | None = None,
                              next_token: str | None = None) -> dict[str, Any]:
        if not stack_name:
            raise CfnValidationError("1 validation error detected: Value null at 'stackName' failed to satisfy "
                                     "constraint: Member must not be null")
        stack = self.store.get(ctx.account, ctx.region, stack_name)
        try:
            before = int(next_token) if next_token else None
        except ValueError:
            raise CfnValidationError("Invalid NextToken") from None
        events, following = self.store.events(stack["StackId"], before)
        return {"StackEvents": events, "NextToken": str(following) if following is not None else None}

    def describe_stack_resource(self, ctx: RequestContext, stack_name: str, logical_resource_id: str) -> dict[str, Any]:
        stack = self.store.get(ctx.account, ctx.region, stack_name)
        row = self.store.resources(stack["StackId"]).get(logical_resource_id)
        if row is None:
            raise CfnValidationError(f"Resource {logical_resource_id} does not exist for stack {stack_name}")
        return {"StackResourceDetail": resource_detail(stack, row)}

    def describe_stack_resources(self, ctx: RequestContext, stack_name: str | None = None,
                                 logical_resource_id: str | None = None,
                                 physical_resource_id: str | None = None) -> dict[str, Any]:
        if stack_name:
            stack = self.store.get(ctx.account, ctx.region, stack_name)
        elif physical_resource_id:
            stack = self._stack_holding(ctx, physical_resource_id)
        else:
            raise CfnValidationError("Either StackName or PhysicalResourceId must be specified.")
        rows = list(self.store.resources(stack["StackId"]).values())
        if logical_resource_id:
            rows = [r for r in rows if r["LogicalResourceId"] == logical_resource_id]
        return {"StackResources": [stack_resource(stack, r) for r in rows]}

    def _stack_holding(self, ctx: RequestContext, physical_id: str) -> dict[str, Any]:
        for stack in self.store.stacks(ctx.account, ctx.region):
            rows = self.store.resources(stack["StackId"]).values()
            if any(r.get("PhysicalResourceId") == physical_id for r in rows):
                return stack
        raise CfnValidationError(f"Stack for {physical_id} does not exist")

    def list_stack_resources(self, ctx: RequestContext, stack_name: str,
                             next_token: str | None = None) -> dict[str, Any]:
        stack = self.store.get(ctx.account, ctx.region, stack_name)
        rows = list(self.store.resources(stack["StackId"]).values())
        chunk, token = page(rows, next_token, 100)
        return {"StackResourceSummaries": [resource_summary(r) for r in chunk], "NextToken": token}

    # -- templates ----------------------------------------------------------------------------

    def get_template(self, ctx: RequestContext, stack_name: str | None = None, change_set_name: str | None = None,
                     template_stage: str | None = None) -> dict[str, Any]:
        if change_set_name:
            holder = self.find_change_set(ctx, change_set_name, stack_name)
        elif stack_name:
            holder = self.store.get(ctx.account, ctx.region, stack_name)
        else:
            raise CfnValidationError("Either StackName or ChangeSetName must be specified.")
        if "_template" not in holder:  # a stack still in REVIEW_IN_PROGRESS has no template yet
            body = "{}"
        elif template_stage == "Processed":
            body = json.dumps(holder["_plan"]["template"])
        else:
            body = holder["_template"]
        return {"TemplateBody": body, "StagesAvailable": ["Original", "Processed"]}

    def validate_template(self, ctx: RequestContext, template_body: str | None = None,
                          template_url: str | None = None) -> dict[str, Any]:
        text = self.stacks.template_text(template_body, template_url)
        return template_summary(text, brief=True)

    def get_template_summary(self, ctx: RequestContext, template_body: str | None = None,
                             template_url: str | None = None, stack_name: str | None = None,
                             **_: Any) -> dict[str, Any]:
        if stack_name:
            text = self.store.get(ctx.account, ctx.region, stack_name)["_template"]
        else:
            text = self.stacks.template_text(template_body, template_url)
        return template_summary(text, brief=False)

    # -- exports ------------------------------------------------------------------------------

    def list_exports(self, ctx: RequestContext, next_token: str | None = None) -> dict[str, Any]:
        exports = [{"ExportingStackId": e["stack_id"], "Name": e["name"], "Value": e["value"]}
                   for e in self.store.exports(ctx.account, ctx.region)]
        chunk, token = page(exports, next_token, 100)
        return {"Exports": chunk, "NextToken": token}

    def list_imports(self, ctx: RequestContext, export_name: str, next_token: str | None = None) -> dict[str, Any]:
        users = self.store.importers(ctx.account, ctx.region, export_name)
        if not users:
            raise CfnValidationError(f"Export '{export_name}' is not imported by any stack.")
        chunk, token = page(users, next_token, 100)
        return {"Imports": chunk, "NextToken": token}

    def describe_stack_resource_drifts(self, ctx: RequestContext, stack_name: str, **_: Any) -> dict[str, Any]:
        self.store.get(ctx.account, ctx.region, stack_name)
        return {"StackResourceDrifts": []}



