"""EventBridge operations: buses, rules, targets, PutEvents, TestEventPattern, tags.

Archives and replays are in `api_archives.py` (mixed into `EventsApi`).
"""

from __future__ import annotations

import json
from typing import Any

from overcast import arns, documents
from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.events import scheduler
from overcast.services.events.api_archives import ArchiveOperations
from overcast.services.events.api_connections import ConnectionOperations
from overcast.services.events.entries import (
    MAX_REQUEST_BYTES,
    TOO_LARGE,
    EntryError,
    check_entry,
    entry_size,
    envelope,
)
from overcast.services.events.errors import (
    LimitExceeded,
    ResourceAlreadyExists,
    Validation,
    bus_not_found,
    compile_or_fail,
    rule_not_found,
)
from overcast.services.events.fanout import Buses, route
from overcast.services.events.schedule import InvalidSchedule
from overcast.services.events.schedule import parse as parse_schedule
from overcast.services.events.store import DEFAULT_BUS, EventsStore, bus_arn, page, rule_arn
from overcast.services.events.targets_check import check_fifo_queues, check_targets

MAX_TARGETS_PER_RULE = 5
EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_") and v is not None}


def tag_dict(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags or []}


class EventsApi(ArchiveOperations, ConnectionOperations):
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(EventsStore)
        self.buses = platform.component(Buses)
        self.clock = platform.clock

    # -- helpers ------------------------------------------------------------------------------

    def _where(self, ctx: RequestContext, name_or_arn: str | None) -> tuple[str, str, str]:
        """(account, region, bus name) of a bus given by name or ARN (default bus if None)."""
        if not name_or_arn:
            return ctx.account, ctx.region, DEFAULT_BUS
        if name_or_arn.startswith("arn:"):
            try:
                arn = arns.parse(name_or_arn)
            except ValueError:
                raise Validation(f"Parameter {name_or_arn} is not valid.") from None
            return arn.account, arn.region, arn.resource.split("event-bus/", 1)[-1]
        return ctx.account, ctx.region, name_or_arn

    def _bus(self, ctx: RequestContext, name_or_arn: str | None) -> tuple[str, str, str, dict[str, Any]]:
        account, region, name = self._where(ctx, name_or_arn)
        bus = self.store.bus(account, region, name)
        if bus is None:
            raise bus_not_found(name)
        return account, region, name, bus

    def _rule(self, ctx: RequestContext, name: str, bus_name: str | None) -> tuple[str, str, str, dict[str, Any]]:
        account, region, bus, _ = self._bus(ctx, bus_name)
        rule = self.store.rule(account, region, bus, name)
        if rule is None:
            raise rule_not_found(name, bus)
        return account, region, bus, rule

    def _changed(self, account: str, region: str, bus: str | None = None) -> None:
        self.buses.invalidate(account, region, bus)
        self.platform.signals.notify(scheduler.SIGNAL)

    # -- event buses --------------------------------------------------------------------------

    def create_event_bus(self, ctx: RequestContext, name: str, event_source_name: str | None = None,
                         description: str | None = None, kms_key_identifier: str | None = None,
                         dead_letter_config: dict[str, Any] | None = None, log_config: dict[str, Any] | None = None,
                         tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
        if name == DEFAULT_BUS or self.store.bus(ctx.account, ctx.region, name) is not None:
            raise ResourceAlreadyExists(f"Event bus {name} already exists.")
        if "/" in name and not event_source_name:  # only partner buses (aws.partner/...) may contain '/'
            raise Validation("Event bus name must not contain '/'.")
        now = self.clock.now()
        doc = {"Name": name, "Arn": bus_arn(ctx.account, ctx.region, name), "Description": description,
               "KmsKeyIdentifier": kms_key_identifier, "DeadLetterConfig": dead_letter_config,
               "LogConfig": log_config, "CreationTime": now, "LastModifiedTime": now}
        with self.platform.db.tx():
            self.store.put_bus(ctx.account, ctx.region, public(doc))
            self.store.set_tags(doc["Arn"], tag_dict(tags))
        result = {k: doc[k] for k in ("Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig")}
        return public({"EventBusArn": doc["Arn"], **result})

    def describe_event_bus(self, ctx: RequestContext, name: str | None = None) -> dict[str, Any]:
        return public(self._bus(ctx, name)[3])

    def list_event_buses(self, ctx: RequestContext, name_prefix: str | None = None, next_token: str | None = None,
                         limit: int | None = None) -> dict[str, Any]:
        buses = [public(b) for b in self.store.buses(ctx.account, ctx.region)
                 if b["Name"].startswith(name_prefix or "")]
        chunk, token = page(buses, next_token, limit)
        return public({"EventBuses": chunk, "NextToken": token})

    def update_event_bus(self, ctx: RequestContext, name: str | None = None, **changes: Any) -> dict[str, Any]:
        account, region, _, bus = self._bus(ctx, name)
        for key, member in (("kms_key_identifier", "KmsKeyIdentifier"), ("description", "Description"),
                            ("dead_letter_config", "DeadLetterConfig"), ("log_config", "LogConfig")):
            if changes.get(key) is not None:
                bus[member] = changes[key]
        bus["LastModifiedTime"] = self.clock.now()
        self.store.put_bus(account, region, bus)
        keys = ("Arn", "Name", "KmsKeyIdentifier", "Description", "DeadLetterConfig", "LogConfig")
        return public({k: bus.get(k) for k in keys})

    def delete_event_bus(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        account, region, bus = self._where(ctx, name)
        if bus == DEFAULT_BUS:
            raise Validation("Cannot delete event bus default.")
        self.store.delete_bus(account, region, bus)
        self._changed(account, region, bus)
        return {}

    def put_permission(self, ctx: RequestContext, event_bus_name: str | None = None, action: str | None = None,
                       principal: str | None = None, statement_id: str | None = None,
                       condition: dict[str, Any] | None = None, policy: str | None = None) -> dict[str, Any]:
        account, region, _, bus = self._bus(ctx, event_bus_name)
        if policy is not None:
            try:
                documents.loads(policy)
            except ValueError:
                raise Validation("Parameter Policy is not valid.") from None
            bus["Policy"] = policy
        else:
            if not (action and principal and statement_id):
                raise Validation("Parameter(s) Action, Principal and StatementId must be specified.")
            if action != "events:PutEvents":  # the only action PutPermission grants
                raise Validation("Provided value in parameter 'action' is not supported.")
            document = json.loads(bus.get("Policy") or '{"Version": "2012-10-17", "Statement": []}')
            statements = [s for s in document["Statement"] if s.get("Sid") != statement_id]
            statements.append(_statement(bus["Arn"], action, principal, statement_id, condition))
            document["Statement"] = statements
            bus["Policy"] = json.dumps(document)
        self.store.put_bus(account, region, bus)
        return {}

    def remove_permission(self, ctx: RequestContext, statement_id: str | None = None,
                          remove_all_permissions: bool = False, event_bus_name: str | None = None) -> dict[str, Any]:
        account, region, _, bus = self._bus(ctx, event_bus_name)
        if remove_all_permissions:
            bus.pop("Policy", None)
        else:
            document = json.loads(bus.get("Policy") or '{"Statement": []}')
            kept = [s for s in document["Statement"] if s.get("Sid") != statement_id]
            if len(kept) == len(document["Statement"]):
                raise rule_not_found_statement()
            document["Statement"] = kept
            bus["Policy"] = json.dumps(document) if kept else None
        self.store.put_bus(account, region, public(bus))
        return {}

    # -- rules --------------------------------------------------------------------------------

    def put_rule(self, ctx: RequestContext, name: str, schedule_expression: str | None = None,
                 event_pattern: str | None = None, state: str | None = None, description: str | None = None,
                 role_arn: str | None = None, tags: list[dict[str, str]] | None = None,
                 event_bus_name: str | None = None) -> dict[str, Any]:
        account, region, bus, _ = self._bus(ctx, event_bus_name)
        if not event_pattern and not schedule_expression:
            raise Validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        if schedule_expression:
            if bus != DEFAULT_BUS:
                raise Validation("ScheduleExpression is supported only on the default event bus.")
            try:
                parse_schedule(schedule_expression)
            except InvalidSchedule as error:
                raise Validation(str(error)) from None
        if event_pattern:
            compile_or_fail(event_pattern)
        existing = self.store.rule(account, region, bus, name)
        now = self.clock.now()
        doc = public({
            "Name": name, "Arn": rule_arn(account, region, bus, name), "EventPattern": event_pattern,
            "ScheduleExpression": schedule_expression, "State": state or "ENABLED", "Description": description,
            "RoleArn": role_arn, "EventBusName": bus, "CreatedBy": account,
            "_anchor": _anchor(existing, schedule_expression, state or "ENABLED", now),
        })
        with self.platform.db.tx():
            self.store.put_rule(account, region, bus, doc, scheduler.next_fire(self.platform, doc, now))
            if existing is None and tags:
                self.store.set_tags(doc["Arn"], tag_dict(tags))
        self._changed(account, region, bus)
        return {"RuleArn": doc["Arn"]}

    def describe_rule(self, ctx: RequestContext, name: str, event_bus_name: str | None = None) -> dict[str, Any]:
        return public(self._rule(ctx, name, event_bus_name)[3])

    def enable_rule(self, ctx: RequestContext, name: str, event_bus_name: str | None = None) -> dict[str, Any]:
        return self._set_state(ctx, name, event_bus_name, "ENABLED")

    def disable_rule(self, ctx: RequestContext, name: str, event_bus_name: str | None = None) -> dict[str, Any]:
        return self._set_state(ctx, name, event_bus_name, "DISABLED")

    def _set_state(self, ctx: RequestContext, name: str, bus_name: str | None, state: str) -> dict[str, Any]:
        account, region, bus, rule = self._rule(ctx, name, bus_name)
        now = self.clock.now()
        if rule.get("State") == "DISABLED" and state != "DISABLED":
            rule["_anchor"] = now
        rule["State"] = state
        self.store.put_rule(account, region, bus, rule, scheduler.next_fire(self.platform, rule, now))
        self._changed(account, region, bus)
        return {}

    def list_rules(self, ctx: RequestContext, name_prefix: str | None = None, event_bus_name: str | None = None,
                   next_token: str | None = None, limit: int | None = None) -> dict[str, Any]:
        account, region, bus, _ = self._bus(ctx, event_bus_name)
        rules = [public(r) for r in self.store.rules(account, region, bus, name_prefix or "")]
        chunk, token = page(rules, next_token, limit)
        return public({"Rules": chunk, "NextToken": token})

    def delete_rule(self, ctx: RequestContext, name: str, event_bus_name: str | None = None,
                    force: bool = False) -> dict[str, Any]:
        account, region, bus, _ = self._bus(ctx, event_bus_name)
        if self.store.rule(account, region, bus, name) is None:
            return {}  # AWS: deleting a rule that is gone succeeds
        if self.store.targets(account, region, bus, name):
            raise Validation("Rule can't be deleted since it has targets.")
        self.store.delete_rule(account, region, bus, name)
        self._changed(account, region, bus)
        return {}

    def list_rule_names_by_target(self, ctx: RequestContext, target_arn: str, event_bus_name: str | None = None,
                                  next_token: str | None = None, limit: int | None = None) -> dict[str, Any]:
        account, region, bus, _ = self._bus(ctx, event_bus_name)
        chunk, token = page(self.store.rules_for_target(account, region, bus, target_arn), next_token, limit)
        return public({"RuleNames": chunk, "NextToken": token})

    # -- targets ------------------------------------------------------------------------------

    def put_targets(self, ctx: RequestContext, rule: str, targets: list[dict[str, Any]],
                    event_bus_name: str | None = None) -> dict[str, Any]:
        account, region, bus, _ = self._rule(ctx, rule, event_bus_name)
        existing = {t["Id"] for t in self.store.targets(account, region, bus, rule)}
        if len(existing | {t["Id"] for t in targets}) > MAX_TARGETS_PER_RULE:
            raise LimitExceeded("The requested resource exceeds the maximum number allowed.")
        check_targets(targets)
        check_fifo_queues(self.platform, targets)
        with self.platform.db.tx():
            for target in targets:
                self.store.put_target(account, region, bus, rule, public(target))
        self._changed(account, region, bus)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def remove_targets(self, ctx: RequestContext, rule: str, ids: list[str], event_bus_name: str | None = None,
                       force: bool = False) -> dict[str, Any]:
        account, region, bus, _ = self._rule(ctx, rule, event_bus_name)
        with self.platform.db.tx():
            for target_id in ids:
                self.store.delete_target(account, region, bus, rule, target_id)
        self._changed(account, region, bus)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def list_targets_by_rule(self, ctx: RequestContext, rule: str, event_bus_name: str | None = None,
                             next_token: str | None = None, limit: int | None = None) -> dict[str, Any]:
        account, region, bus, _ = self._rule(ctx, rule, event_bus_name)
        chunk, token = page(self.store.targets(account, region, bus, rule), next_token, limit)
        return public({"Targets": chunk, "NextToken": token})

    # -- events -------------------------------------------------------------------------------

    def put_events(self, ctx: RequestContext, entries: list[dict[str, Any]],
                   endpoint_id: str | None = None) -> dict[str, Any]:
        if sum(entry_size(e) for e in entries) > MAX_REQUEST_BYTES:
            raise Validation(TOO_LARGE)
        results: list[dict[str, Any]] = []
        now = self.clock.now()
        with self.platform.db.tx():
            for entry in entries:
                try:
                    results.append({"EventId": self._put_one(ctx, entry, now)})
                except EntryError as error:
                    results.append(error.result())
        failed = sum(1 for r in results if "ErrorCode" in r)
        return {"FailedEntryCount": failed, "Entries": results}

    def _put_one(self, ctx: RequestContext, entry: dict[str, Any], now: float) -> str:
        detail = check_entry(entry)
        account, region, bus = self._where(ctx, entry.get("EventBusName"))
        if self.store.bus(account, region, bus) is None:
            raise EntryError("ResourceNotFoundException", f"Event bus {bus} does not exist.")
        event, when = envelope(entry, detail, account=account, region=region, now=now)
        route(self.platform, account, region, bus, event, event_time=when, ingestion=now)
        return str(event["id"])

    def test_event_pattern(self, ctx: RequestContext, event_pattern: str, event: str) -> dict[str, Any]:
        pattern = compile_or_fail(event_pattern)
        try:
            document = documents.loads(event)
        except ValueError:
            document = None
        if not isinstance(document, dict) or any(f not in document for f in EVENT_FIELDS):
            raise Validation("Parameter Event is not valid.")
        return {"Result": pattern.matches(document)}

    # -- tags ---------------------------------------------------------------------------------

    def _taggable(self, ctx: RequestContext, resource_arn: str) -> str:
        try:
            arn = arns.parse(resource_arn)
        except ValueError:
            raise Validation(f"Parameter {resource_arn} is not valid.") from None
        kind, _, rest = arn.resource.partition("/")
        if kind == "event-bus":
            if self.store.bus(arn.account, arn.region, rest) is None:
                raise bus_not_found(rest)
        elif kind == "rule":
            bus, _, name = rest.rpartition("/")
            bus = bus or DEFAULT_BUS
            if self.store.rule(arn.account, arn.region, bus, name) is None:
                raise rule_not_found(name, bus)
        else:
            raise Validation(f"Parameter {resource_arn} is not valid.")
        return resource_arn

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        arn = self._taggable(ctx, resource_arn)
        self.store.set_tags(arn, {**self.store.tags(arn), **tag_dict(tags)})
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        arn = self._taggable(ctx, resource_arn)
        self.store.set_tags(arn, {k: v for k, v in self.store.tags(arn).items() if k not in tag_keys})
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        tags = self.store.tags(self._taggable(ctx, resource_arn))
        return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


def _anchor(existing: dict[str, Any] | None, schedule: str | None, state: str, now: float) -> float:
    """When a rate schedule counts from: kept across updates that leave the schedule running."""
    if existing and existing.get("ScheduleExpression") == schedule and existing.get("State") != "DISABLED" \
            and state != "DISABLED" and "_anchor" in existing:
        return float(existing["_anchor"])
    return now


def _statement(bus_arn_: str, action: str, principal: str, sid: str, condition: dict[str, Any] | None) -> dict[str, Any]:
    who: Any = "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"}
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Principal": who, "Action": action,
                                 "Resource": bus_arn_}
    if condition:
        statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
    return statement


def rule_not_found_statement() -> Exception:
    from overcast.services.events.errors import ResourceNotFound

    return ResourceNotFound("Statement with the provided id does not exist.")
