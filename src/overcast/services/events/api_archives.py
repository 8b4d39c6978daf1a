"""EventBridge archives and replays (the operations; the replay itself runs in `replay.py`)."""

from __future__ import annotations

import json
from typing import Any

from overcast import arns
from overcast.context import RequestContext
from overcast.services.events import replay as replays
from overcast.services.events.entries import epoch_of
from overcast.services.events.errors import (
    IllegalStatus,
    ResourceAlreadyExists,
    ResourceNotFound,
    Validation,
    compile_or_fail,
)
from overcast.services.events.store import page, rule_arn

ARCHIVES = "events_archives"
MANAGED_RULE_PREFIX = "Events-Archive-"
#: the ManagedBy AWS reports on an archive's rule
ARCHIVE_MANAGER = "prod.vhs.events.aws.internal"
REPLAYS = "events_replays"
ARCHIVE_SUMMARY = ("ArchiveName", "EventSourceArn", "State", "StateReason", "RetentionDays", "SizeBytes",
                   "EventCount", "CreationTime")
REPLAY_SUMMARY = ("ReplayName", "EventSourceArn", "State", "StateReason", "EventStartTime", "EventEndTime",
                  "EventLastReplayedTime", "ReplayStartTime", "ReplayEndTime")


def _public(doc: dict[str, Any], keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    items = doc.items() if keys is None else ((k, doc.get(k)) for k in keys)
    return {k: v for k, v in items if not k.startswith("_") and v is not None}


def _one_filter(operation: str, *filters: str | None) -> None:
    """AWS accepts at most one of NamePrefix, EventSourceArn and State on ListArchives/ListReplays."""
    if sum(1 for f in filters if f is not None) > 1:
        raise Validation(f"At most one filter is allowed for {operation}. "
                         "Use either : State, EventSourceArn, or NamePrefix.")


class ArchiveOperations:
    """Mixed into `EventsApi`: uses its `store`, `clock`, `platform`, `_bus` and `_changed`."""

    store: Any
    clock: Any
    platform: Any

    def _archive(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        archive = self.store.doc(ARCHIVES, ctx.account, ctx.region, name)
        if archive is None:
            raise ResourceNotFound(f"Archive {name} does not exist.")
        count, size = self.store.archive_stats(archive["ArchiveArn"])
        return {**archive, "EventCount": count, "SizeBytes": size}

    def _bus_of(self, ctx: RequestContext, source_arn: str) -> tuple[str, str, str]:
        account, region, bus, _ = self._bus(ctx, source_arn)  # type: ignore[attr-defined]
        return account, region, bus

    def create_archive(self, ctx: RequestContext, archive_name: str, event_source_arn: str,
                       description: str | None = None, event_pattern: str | None = None,
                       retention_days: int | None = None, kms_key_identifier: str | None = None) -> dict[str, Any]:
        account, region, bus = self._bus_of(ctx, event_source_arn)
        if self.store.doc(ARCHIVES, ctx.account, ctx.region, archive_name) is not None:
            raise ResourceAlreadyExists(f"Archive {archive_name} already exists.")
        if event_pattern:
            compile_or_fail(event_pattern)
        doc = _public({
            "ArchiveName": archive_name, "ArchiveArn": arns.build("events", ctx.region, ctx.account,
                                                                  f"archive/{archive_name}"),
            "EventSourceArn": event_source_arn, "Description": description, "EventPattern": event_pattern,
            "RetentionDays": retention_days or 0, "KmsKeyIdentifier": kms_key_identifier, "State": "ENABLED",
            "CreationTime": self.clock.now(),
        })
        with self.platform.db.tx():
            self.store.put_archive(ctx.account, ctx.region, doc)
            self._put_managed_rule(account, region, bus, archive_name, event_pattern)
        self._changed(account, region, bus)  # type: ignore[attr-defined]
        return _public(doc, ("ArchiveArn", "State", "StateReason", "CreationTime"))

    def _put_managed_rule(self, account: str, region: str, bus: str, archive_name: str,
                          event_pattern: str | None) -> None:
        """AWS keeps an archive's events through a rule it manages on the source bus,
        `Events-Archive-<name>`, whose pattern is the archive's plus `replay-name` absent (replayed
        events are not archived again). overcast archives in `fanout.route`; the rule is shown."""
        name = MANAGED_RULE_PREFIX + archive_name
        pattern = {**json.loads(event_pattern or "{}"), "replay-name": [{"exists": False}]}
        rule = {"Name": name, "Arn": rule_arn(account, region, bus, name), "EventPattern": json.dumps(pattern),
                "State": "ENABLED", "ManagedBy": ARCHIVE_MANAGER, "EventBusName": bus, "CreatedBy": account}
        self.store.put_rule(account, region, bus, rule, None)

    def describe_archive(self, ctx: RequestContext, archive_name: str) -> dict[str, Any]:
        return _public(self._archive(ctx, archive_name))

    def list_archives(self, ctx: RequestContext, name_prefix: str | None = None, event_source_arn: str | None = None,
                      state: str | None = None, next_token: str | None = None, limit: int | None = None) -> dict[str, Any]:
        _one_filter("ListArchives", name_prefix, event_source_arn, state)
        found = [self._archive(ctx, a["ArchiveName"]) for a in self.store.docs(ARCHIVES, ctx.account, ctx.region)]
        found = [_public(a, ARCHIVE_SUMMARY) for a in found if a["ArchiveName"].startswith(name_prefix or "")
                 and event_source_arn in (None, a["EventSourceArn"]) and state in (None, a["State"])]
        chunk, token = page(found, next_token, limit)
        return _public({"Archives": chunk, "NextToken": token})

    def update_archive(self, ctx: RequestContext, archive_name: str, description: str | None = None,
                       event_pattern: str | None = None, retention_days: int | None = None,
                       kms_key_identifier: str | None = None) -> dict[str, Any]:
        archive = self.store.doc(ARCHIVES, ctx.account, ctx.region, archive_name)
        if archive is None:
            raise ResourceNotFound(f"Archive {archive_name} does not exist.")
        if event_pattern:
            compile_or_fail(event_pattern)
        for key, value in (("Description", description), ("EventPattern", event_pattern),
                           ("RetentionDays", retention_days), ("KmsKeyIdentifier", kms_key_identifier)):
            if value is not None:
                archive[key] = value
        account, region, bus = self._bus_of(ctx, archive["EventSourceArn"])
        with self.platform.db.tx():
            self.store.put_archive(ctx.account, ctx.region, archive)
            self._put_managed_rule(account, region, bus, archive_name, archive.get("EventPattern"))
        self._changed(account, region, bus)  # type: ignore[attr-defined]
        return _public(archive, ("ArchiveArn", "State", "StateReason", "CreationTime"))

    def delete_archive(self, ctx: RequestContext, archive_name: str) -> dict[str, Any]:
        archive = self.store.doc(ARCHIVES, ctx.account, ctx.region, archive_name)
        if archive is None:
            raise ResourceNotFound(f"Archive {archive_name} does not exist.")
        source = arns.parse(archive["EventSourceArn"])
        with self.platform.db.tx():
            self.store.delete_archive(ctx.account, ctx.region, archive_name, archive["ArchiveArn"])
            self.store.delete_rule(source.account, source.region, source.resource.split("event-bus/", 1)[-1],
                                   MANAGED_RULE_PREFIX + archive_name)
        self._changed(ctx.account, ctx.region)  # type: ignore[attr-defined]
        return {}

    # -- replays ------------------------------------------------------------------------------

    def start_replay(self, ctx: RequestContext, replay_name: str, event_source_arn: str, event_start_time: Any,
                     event_end_time: Any, destination: dict[str, Any], description: str | None = None) -> dict[str, Any]:
        if self.store.doc(REPLAYS, ctx.account, ctx.region, replay_name) is not None:
            raise ResourceAlreadyExists(f"Replay {replay_name} already exists.")
        name = event_source_arn.rsplit("archive/", 1)[-1]
        archive = self.store.doc(ARCHIVES, ctx.account, ctx.region, name)
        if archive is None or archive["ArchiveArn"] != event_source_arn:
            raise Validation(f"Parameter EventSourceArn is not valid. Reason: Archive {name} does not exist.")
        if destination.get("Arn") != archive["EventSourceArn"]:
            raise Validation("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
        start, end = epoch_of(event_start_time), epoch_of(event_end_time)
        if start >= end:
            raise Validation("Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
        now = self.clock.now()
        doc = _public({
            "ReplayName": replay_name, "ReplayArn": arns.build("events", ctx.region, ctx.account, f"replay/{replay_name}"),
            "Description": description, "State": "STARTING", "EventSourceArn": event_source_arn,
            "Destination": destination, "EventStartTime": start, "EventEndTime": end, "ReplayStartTime": now,
        })
        doc["_due"] = replays.due_at(self.platform)
        self.store.put_replay(ctx.account, ctx.region, doc)
        self.platform.signals.notify(replays.SIGNAL)
        return _public(doc, ("ReplayArn", "State", "StateReason", "ReplayStartTime"))

    def _replay(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        replay = self.store.doc(REPLAYS, ctx.account, ctx.region, name)
        if replay is None:
            raise ResourceNotFound(f"Replay {name} does not exist.")
        return replay  # type: ignore[no-any-return]

    def describe_replay(self, ctx: RequestContext, replay_name: str) -> dict[str, Any]:
        return _public(self._replay(ctx, replay_name))

    def list_replays(self, ctx: RequestContext, name_prefix: str | None = None, state: str | None = None,
                     event_source_arn: str | None = None, next_token: str | None = None,
                     limit: int | None = None) -> dict[str, Any]:
        _one_filter("ListReplays", name_prefix, event_source_arn, state)
        found = [_public(r, REPLAY_SUMMARY) for r in self.store.docs(REPLAYS, ctx.account, ctx.region)
                 if r["ReplayName"].startswith(name_prefix or "") and state in (None, r["State"])
                 and event_source_arn in (None, r["EventSourceArn"])]
        chunk, token = page(found, next_token, limit)
        return _public({"Replays": chunk, "NextToken": token})

    def cancel_replay(self, ctx: RequestContext, replay_name: str) -> dict[str, Any]:
        replay = self._replay(ctx, replay_name)
        if replay["State"] not in ("STARTING", "RUNNING"):
            raise IllegalStatus(f"Replay {replay_name} is not in a valid state for this operation.")
        replay["State"] = "CANCELLING"
        self.store.put_replay(ctx.account, ctx.region, replay)
        self.platform.signals.notify(replays.SIGNAL)
        return _public(replay, ("ReplayArn", "State", "StateReason"))
