"""EventBridge Scheduler operations: schedules, schedule groups, tags.

https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Operations.html
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.scheduler import expressions
from overcast.services.scheduler.errors import (
    ConflictException,
    ResourceNotFoundException,
    ValidationException,
)
from overcast.services.scheduler.firing import SIGNAL, UNIVERSAL, next_due
from overcast.services.scheduler.models import DEFAULT_GROUP, SchedulerStore, group_arn, schedule_arn

#: the largest target input, 256 KB (https://docs.aws.amazon.com/scheduler/latest/UserGuide/scheduler-quotas.html)
MAX_TARGET_INPUT = 256 * 1024

#: the members of a ListSchedules summary (besides the target's ARN)
_SUMMARY = ("Arn", "Name", "GroupName", "State", "CreationDate", "LastModificationDate")


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    return value.timestamp() if isinstance(value, dt.datetime) else float(value)


def _page(items: list[dict[str, Any]], token: str | None, limit: int | None) -> tuple[list[dict[str, Any]], str | None]:
    start = int(token) if token and token.isdigit() else 0
    size = limit or 100
    rest = items[start:start + size]
    return rest, (str(start + size) if start + size < len(items) else None)


class SchedulerApi:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(SchedulerStore)

    # -- schedules ----------------------------------------------------------------------------

    def _group(self, ctx: RequestContext, name: str | None) -> str:
        group = name or DEFAULT_GROUP
        if self.store.group(ctx.account, ctx.region, group) is None:
            raise ResourceNotFoundException(f"Schedule group {group} does not exist.")
        return group

    def _doc(self, ctx: RequestContext, name: str, group: str, args: dict[str, Any],
             existing: dict[str, Any] | None) -> dict[str, Any]:
        now = self.platform.clock.now()
        target_input = (args.get("target") or {}).get("Input")
        if isinstance(target_input, str) and len(target_input.encode("utf-8", "surrogatepass")) > MAX_TARGET_INPUT:
            # EventBridge Scheduler's quota on a target's input (the message is overcast's)
            raise ValidationException(f"The target input exceeds the maximum size of {MAX_TARGET_INPUT} bytes.")
        expression, timezone = args["schedule_expression"], args.get("schedule_expression_timezone")
        try:
            expressions.parse(expression, timezone)
        except expressions.InvalidExpression as error:
            raise ValidationException(str(error)) from None
        start, end = _epoch(args.get("start_date")), _epoch(args.get("end_date"))
        if start is not None and end is not None and end <= start:
            raise ValidationException("The provided start date must be before the provided end date.")
        if end is not None and end <= now and not expression.startswith("at("):
            raise ValidationException("The EndDate must be in the future.")
        _check_target(args["target"])
        window = args["flexible_time_window"]
        if window.get("Mode") == "FLEXIBLE" and not window.get("MaximumWindowInMinutes"):
            raise ValidationException("MaximumWindowInMinutes must be provided when Mode is FLEXIBLE.")
        if window.get("Mode") == "OFF" and window.get("MaximumWindowInMinutes"):
            raise ValidationException("MaximumWindowInMinutes must not be provided when Mode is OFF.")
        doc: dict[str, Any] = {
            "Arn": schedule_arn(ctx.account, ctx.region, group, name), "Name": name, "GroupName": group,
            "ScheduleExpression": expression, "ScheduleExpressionTimezone": timezone or "UTC",
            "State": args.get("state") or "ENABLED", "Target": args["target"], "FlexibleTimeWindow": window,
            "ActionAfterCompletion": args.get("action_after_completion") or "NONE",
            "CreationDate": (existing or {}).get("CreationDate", now), "LastModificationDate": now,
            "_anchor": now,
        }
        for key, value in (("StartDate", start), ("EndDate", end), ("Description", args.get("description")),
                           ("KmsKeyArn", args.get("kms_key_arn"))):
            if value is not None:
                doc[key] = value
        return doc

    def _save(self, ctx: RequestContext, doc: dict[str, Any]) -> dict[str, Any]:
        due = next_due(self.platform, doc, self.platform.clock.now(), first=True)
        self.store.put_schedule(ctx.account, ctx.region, doc, due)
        self.platform.signals.notify(SIGNAL)
        return {"ScheduleArn": doc["Arn"]}

    def create_schedule(self, ctx: RequestContext, name: str, group_name: str | None = None,
                        **args: Any) -> dict[str, Any]:
        group = self._group(ctx, group_name)
        self._check_role(args.get("target"))
        token = args.get("client_token")
        with self.platform.db.tx():
            existing = self.store.schedule(ctx.account, ctx.region, group, name)
            if existing is not None:
                # AWS: a retried request (the same ClientToken) answers as the first one did
                if token and existing.get("_ClientToken") == token:
                    return {"ScheduleArn": existing["Arn"]}
                raise ConflictException(f"Schedule {name} already exists.")
            doc = self._doc(ctx, name, group, args, None)
            if token:
                doc["_ClientToken"] = token
            return self._save(ctx, doc)

    def update_schedule(self, ctx: RequestContext, name: str, group_name: str | None = None,
                        **args: Any) -> dict[str, Any]:
        group = self._group(ctx, group_name)
        self._check_role(args.get("target"))
        with self.platform.db.tx():
            existing = self._existing(ctx, group, name)
            return self._save(ctx, self._doc(ctx, name, group, args, existing))

    def _check_role(self, target: Any) -> None:
        """Under `--iam enforce`, as on AWS: the target's execution role must let
        `scheduler.amazonaws.com` assume it (`iam:PassRole` is asked by the gateway's check)."""
        role = target.get("RoleArn") if isinstance(target, dict) else None
        iam = self.platform.iam
        if role and iam is not None and not iam.service_may_assume("scheduler.amazonaws.com", str(role)):
            raise ValidationException("The execution role you provide must allow AWS EventBridge Scheduler to "
                                      "assume the role.")

    def _existing(self, ctx: RequestContext, group: str, name: str) -> dict[str, Any]:
        doc = self.store.schedule(ctx.account, ctx.region, group, name)
        if doc is None:
            raise ResourceNotFoundException(f"Schedule {name} does not exist.")
        return doc

    def get_schedule(self, ctx: RequestContext, name: str, group_name: str | None = None) -> dict[str, Any]:
        group = self._group(ctx, group_name)
        doc = self._existing(ctx, group, name)
        return {k: v for k, v in doc.items() if not k.startswith("_")}

    def delete_schedule(self, ctx: RequestContext, name: str, group_name: str | None = None,
                        client_token: str | None = None) -> dict[str, Any]:
        group = self._group(ctx, group_name)
        if not self.store.delete_schedule(ctx.account, ctx.region, group, name):
            raise ResourceNotFoundException(f"Schedule {name} does not exist.")
        return {}

    def list_schedules(self, ctx: RequestContext, group_name: str | None = None, name_prefix: str | None = None,
                       state: str | None = None, next_token: str | None = None,
                       max_results: int | None = None) -> dict[str, Any]:
        docs = [d for d in self.store.schedules(ctx.account, ctx.region, group_name)
                if (not name_prefix or d["Name"].startswith(name_prefix)) and (not state or d["State"] == state)]
        page, token = _page(docs, next_token, max_results)
        summaries = [{**{k: d[k] for k in _SUMMARY}, "Target": {"Arn": d["Target"]["Arn"]}} for d in page]
        return {"Schedules": summaries, **({"NextToken": token} if token else {})}

    # -- groups -------------------------------------------------------------------------------

    def create_schedule_group(self, ctx: RequestContext, name: str, tags: list[dict[str, str]] | None = None,
                              client_token: str | None = None) -> dict[str, Any]:
        with self.platform.db.tx():
            existing = self.store.group(ctx.account, ctx.region, name)
            if existing is not None:
                if client_token and existing.get("_ClientToken") == client_token:  # a retried request
                    return {"ScheduleGroupArn": existing["Arn"]}
                raise ConflictException(f"Schedule group {name} already exists.")
            now = self.platform.clock.now()
            doc = {"Name": name, "Arn": group_arn(ctx.account, ctx.region, name), "State": "ACTIVE",
                   "CreationDate": now, "LastModificationDate": now,
                   "Tags": {t["Key"]: t["Value"] for t in tags or []}}
            if client_token:
                doc["_ClientToken"] = client_token
            self.store.put_group(ctx.account, ctx.region, doc)
        return {"ScheduleGroupArn": doc["Arn"]}

    def _existing_group(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self.store.group(ctx.account, ctx.region, name)
        if doc is None:
            raise ResourceNotFoundException(f"Schedule group {name} does not exist.")
        return doc

    def get_schedule_group(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self._existing_group(ctx, name)
        return {k: doc[k] for k in ("Arn", "Name", "State", "CreationDate", "LastModificationDate")}

    def delete_schedule_group(self, ctx: RequestContext, name: str, client_token: str | None = None) -> dict[str, Any]:
        if name == DEFAULT_GROUP:
            raise ValidationException("Cannot delete the default schedule group.")
        self._existing_group(ctx, name)
        self.store.delete_group(ctx.account, ctx.region, name)
        return {}

    def list_schedule_groups(self, ctx: RequestContext, name_prefix: str | None = None,
                             next_token: str | None = None, max_results: int | None = None) -> dict[str, Any]:
        docs = [g for g in self.store.groups(ctx.account, ctx.region)
                if not name_prefix or g["Name"].startswith(name_prefix)]
        page, token = _page(docs, next_token, max_results)
        groups = [{k: g[k] for k in ("Arn", "Name", "State", "CreationDate", "LastModificationDate")} for g in page]
        return {"ScheduleGroups": groups, **({"NextToken": token} if token else {})}

    # -- tags (schedule groups are the taggable resource) ---------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        prefix = group_arn(ctx.account, ctx.region, "")
        if not arn.startswith(prefix):
            raise ResourceNotFoundException(f"Resource {arn} does not exist.")
        return self._existing_group(ctx, arn[len(prefix):])

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        with self.platform.db.tx():
            doc = self._tagged(ctx, resource_arn)
            doc["Tags"] = {**doc.get("Tags", {}), **{t["Key"]: t["Value"] for t in tags}}
            self.store.put_group(ctx.account, ctx.region, doc)
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        with self.platform.db.tx():
            doc = self._tagged(ctx, resource_arn)
            doc["Tags"] = {k: v for k, v in doc.get("Tags", {}).items() if k not in tag_keys}
            self.store.put_group(ctx.account, ctx.region, doc)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        doc = self._tagged(ctx, resource_arn)
        return {"Tags": [{"Key": k, "Value": v} for k, v in doc.get("Tags", {}).items()]}


def _check_target(target: dict[str, Any]) -> None:
    """A universal target names a service and an action (`arn:aws:scheduler:::aws-sdk:sqs:sendMessage`)."""
    arn = target["Arn"]
    if arn.startswith("arn:aws:scheduler:"):
        service, _, action = arn[len(UNIVERSAL):].partition(":") if arn.startswith(UNIVERSAL) else ("", "", "")
        if not service or not action:
            raise ValidationException(f"Invalid RequestJson provided. Reason Invalid target ARN {arn}.")
