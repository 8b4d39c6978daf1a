"""Lambda functions, versions and aliases, and the resolution of a qualifier to what runs.

A function's `$LATEST` configuration is stored as the FunctionConfiguration document AWS returns,
plus private keys starting with `_` (the code's content hash, resolved layers). Published versions
are frozen copies; aliases point at versions (with optional weighted routing).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from overcast.platform import Platform
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.errors import ResourceNotFound
from overcast.services.lambda_.names import FunctionRef, function_arn
from overcast.services.lambda_.states import (
    LATEST,
    SETTLE_SECONDS,
    busy,
    check_revision,
    lambda_timestamp,
    new_revision,
    serving,
    settle,
    start_creating,
    start_updating,
)
from overcast.services.lambda_.versions import VersionStore

__all__ = ["LATEST", "FunctionStore", "Resolved", "alias_arn", "check_revision", "lambda_timestamp", "public"]

CHANGED = "lambda:functions"  # signal notified when any function changes
POLICY = "policy"  # the per-qualifier setting holding a version's or alias's resource policy


def public(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if not k.startswith("_")}


@dataclass(frozen=True)
class Resolved:
    """What an invocation of a qualifier runs."""

    ref: FunctionRef
    config: dict[str, Any]        # the FunctionConfiguration of the executed version
    executed_version: str         # "$LATEST" or "3"
    invoked_arn: str              # the ARN the caller addressed (qualified when it was)
    qualifier: str                # the qualifier as addressed ($LATEST, version or alias)
    reserved: int | None


class FunctionStore(VersionStore):
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self._listeners: list[Callable[[str, str, str], None]] = []
        # Invocations resolve functions on every call: rows are cached until the next change.
        self._rows: dict[tuple[str, str, str], Any] = {}
        self._due: dict[tuple[str, str, str], float | None] = {}  # when $LATEST's transition ends
        self._reserved_totals: dict[tuple[str, str], int] = {}
        platform.on_reset(self._forget)

    def _forget(self) -> None:
        self._rows.clear()
        self._due.clear()
        self._reserved_totals.clear()

    def on_change(self, listener: Callable[[str, str, str], None]) -> None:
        """`listener(account, region, name)` after any change to a function."""
        self._listeners.append(listener)

    def _changed(self, ref: FunctionRef) -> None:
        self._rows.pop((ref.account, ref.region, ref.name), None)
        self._reserved_totals.clear()
        for listener in self._listeners:
            listener(ref.account, ref.region, ref.name)
        self.platform.signals.notify(CHANGED)

    # -- functions ----------------------------------------------------------------------------

    def _row(self, ref: FunctionRef) -> Any:
        key = (ref.account, ref.region, ref.name)
        row = self._rows.get(key)
        if row is None:
            row = self.db.query_one("SELECT * FROM lambda_functions WHERE account=? AND region=? AND name=?", key)
            if row is None:
                raise error("function_not_found", arn=f"{ref.arn}:{ref.qualifier or LATEST}")
            self._rows[key] = row
            self._due[key] = json.loads(row["config"]).get("_settles")
        due = self._due.get(key)
        if due is not None and self.platform.clock.now() >= due:
            self._settle_latest(ref)
            return self._row(ref)
        return row

    def _settle_latest(self, ref: FunctionRef) -> None:
        """$LATEST's transition has ended: Active/Successful with a new RevisionId, written once."""
        key = (ref.account, ref.region, ref.name)
        settled = False
        with self.db.tx():
            row = self.db.query_one("SELECT config FROM lambda_functions WHERE account=? AND region=? AND name=?", key)
            if row is not None:
                config = json.loads(row["config"])
                settled = settle(config, self.platform.clock.now())
                if settled:
                    self._write_latest(ref, config)
        self._rows.pop(key, None)
        self._due.pop(key, None)
        if row is not None and settled:  # environments of the replaced configuration may go now
            for listener in self._listeners:
                listener(ref.account, ref.region, ref.name)

    def _write_latest(self, ref: FunctionRef, config: dict[str, Any]) -> None:
        self.db.execute("UPDATE lambda_functions SET config=? WHERE account=? AND region=? AND name=?",
                        (json.dumps(config), ref.account, ref.region, ref.name))
        self._rows.pop((ref.account, ref.region, ref.name), None)
        self._due.pop((ref.account, ref.region, ref.name), None)

    def _later(self) -> float:
        return self.platform.clock.later(SETTLE_SECONDS)

    async def when_active(self, ref: FunctionRef) -> Resolved:
        """What `ref` runs once it has left `Pending` (AWS does not run a function being created)."""
        resolved = self.resolve(ref)
        while resolved.config.get("State") == "Pending" and resolved.config.get("_settles") is not None:
            await asyncio.sleep(max(0.0, resolved.config["_settles"] - self.platform.clock.now()) + 0.001)
            resolved = self.resolve(ref)
        return resolved

    def check_idle(self, ref: FunctionRef, config: dict[str, Any]) -> None:
        """AWS takes one change at a time: refuse another while a creation or update is under way."""
        if not busy(config, self.platform.clock.now()):
            return
        if config.get("State") == "Pending":
            raise error("function_state", state="Pending")
        raise error("update_in_progress", arn=ref.arn)

    def exists(self, ref: FunctionRef) -> bool:
        return self.db.query_one("SELECT 1 FROM lambda_functions WHERE account=? AND region=? AND name=?",
                                 (ref.account, ref.region, ref.name)) is not None

    def latest(self, ref: FunctionRef) -> dict[str, Any]:
        return json.loads(self._row(ref)["config"])  # a fresh copy: callers may change it

    def create(self, ref: FunctionRef, config: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
        if self.exists(ref):
            raise error("function_exists", name=ref.name)
        now = self.platform.clock.now()
        config.update({
            "FunctionName": ref.name,
            "FunctionArn": ref.arn,
            "Version": LATEST,
            "LastModified": lambda_timestamp(now),
            "RevisionId": new_revision(),
        })
        config["_generation"] = config["RevisionId"]
        start_creating(config, self._later())
        self.db.execute(
            "INSERT INTO lambda_functions(account, region, name, config, tags) VALUES (?, ?, ?, ?, ?)",
            (ref.account, ref.region, ref.name, json.dumps(config), json.dumps(tags)),
        )
        self._changed(ref)
        return config

    def update(self, ref: FunctionRef, change: Callable[[dict[str, Any]], None],
               revision_id: str | None = None) -> dict[str, Any]:
        """Apply `change` to $LATEST, with a new RevisionId (optimistic check of `revision_id`); the
        update is InProgress for a moment, and another one meanwhile is refused."""
        with self.db.tx():
            config = self.latest(ref)
            check_revision(config, revision_id)
            self.check_idle(ref, config)
            previous = json.loads(json.dumps(config))  # what invocations run until the update completes
            change(config)
            config["LastModified"] = lambda_timestamp(self.platform.clock.now())
            config["RevisionId"] = new_revision()
            config["_generation"] = config["RevisionId"]
            start_updating(config, self._later(), previous)
            self._write_latest(ref, config)
        self._changed(ref)
        return config

    def touch(self, ref: FunctionRef, qualifier: str | None = None) -> str:
        """A new RevisionId for $LATEST, a version or an alias (AWS issues one on permission and tag
        changes); returns it."""
        revision = new_revision()
        with self.db.tx():
            if qualifier in (None, LATEST):
                config = self.latest(ref)
                config["RevisionId"] = revision
                self._write_latest(ref, config)
            elif qualifier.isdigit():
                config = self.version(ref, qualifier)
                config["RevisionId"] = revision
                self._write_version(ref, qualifier, config)
            else:
                alias = self.alias(ref, qualifier)
                alias["RevisionId"] = revision
                self.db.execute("UPDATE lambda_aliases SET config=? WHERE account=? AND region=? AND name=? AND "
                                "alias=?", (json.dumps(alias), ref.account, ref.region, ref.name, qualifier))
        return revision

    def revision(self, ref: FunctionRef, qualifier: str | None = None) -> str:
        """The RevisionId of $LATEST, a version or an alias."""
        if qualifier in (None, LATEST) or qualifier.isdigit():
            return str(self.version(ref, qualifier or LATEST).get("RevisionId"))
        return str(self.alias(ref, qualifier).get("RevisionId"))

    def delete(self, ref: FunctionRef) -> None:
        with self.db.tx():
            self._row(ref)
            params = (ref.account, ref.region, ref.name)
            for table in ("lambda_functions", "lambda_versions", "lambda_aliases", "lambda_settings"):
                self.db.execute(f"DELETE FROM {table} WHERE account=? AND region=? AND name=?", params)
        self._changed(ref)

    def names(self, account: str, region: str) -> list[str]:
        rows = self.db.query("SELECT name FROM lambda_functions WHERE account=? AND region=? ORDER BY name",
                             (account, region))
        return [r["name"] for r in rows]

    def all_functions(self) -> list[tuple[str, str, str]]:
        return [(r["account"], r["region"], r["name"])
                for r in self.db.query("SELECT account, region, name FROM lambda_functions")]

    # -- tags, policy, concurrency ------------------------------------------------------------

    def tags(self, ref: FunctionRef) -> dict[str, str]:
        return json.loads(self._row(ref)["tags"])

    def set_tags(self, ref: FunctionRef, tags: dict[str, str]) -> None:
        self._row(ref)
        self.db.execute("UPDATE lambda_functions SET tags=? WHERE account=? AND region=? AND name=?",
                        (json.dumps(tags), ref.account, ref.region, ref.name))
        self._rows.pop((ref.account, ref.region, ref.name), None)

    def policy(self, ref: FunctionRef) -> dict[str, Any] | None:
        """The resource policy of `ref`'s qualifier: AWS keeps one per function, version and alias."""
        if ref.qualifier not in (None, LATEST):
            return self.setting(ref, POLICY, str(ref.qualifier))
        raw = self._row(ref)["policy"]
        return json.loads(raw) if raw else None

    def set_policy(self, ref: FunctionRef, policy: dict[str, Any] | None) -> None:
        if ref.qualifier not in (None, LATEST):
            self.put_setting(ref, POLICY, str(ref.qualifier), policy or None)
            return
        self.db.execute("UPDATE lambda_functions SET policy=? WHERE account=? AND region=? AND name=?",
                        (json.dumps(policy) if policy else None, ref.account, ref.region, ref.name))
        self._rows.pop((ref.account, ref.region, ref.name), None)

    def reserved(self, ref: FunctionRef) -> int | None:
        value = self._row(ref)["reserved"]
        return None if value is None else int(value)

    def set_reserved(self, ref: FunctionRef, value: int | None) -> None:
        self._row(ref)
        self.db.execute("UPDATE lambda_functions SET reserved=? WHERE account=? AND region=? AND name=?",
                        (value, ref.account, ref.region, ref.name))
        self._changed(ref)

    def total_reserved(self, account: str, region: str, excluding: str | None = None) -> int:
        key = (account, region)
        if excluding is None and key in self._reserved_totals:
            return self._reserved_totals[key]
        value = int(self.db.scalar(
            "SELECT COALESCE(SUM(reserved), 0) FROM lambda_functions WHERE account=? AND region=? AND name != ?",
            (account, region, excluding or ""),
        ) or 0)
        if excluding is None:
            self._reserved_totals[key] = value
        return value

    # -- aliases ------------------------------------------------------------------------------

    def alias(self, ref: FunctionRef, name: str) -> dict[str, Any]:
        row = self.db.query_one(
            "SELECT config FROM lambda_aliases WHERE account=? AND region=? AND name=? AND alias=?",
            (ref.account, ref.region, ref.name, name))
        if row is None:
            self._row(ref)
            raise error("alias_arn_not_found", arn=f"{ref.arn}:{name}")
        return json.loads(row["config"])

    def aliases(self, ref: FunctionRef) -> list[dict[str, Any]]:
        self._row(ref)
        rows = self.db.query("SELECT config FROM lambda_aliases WHERE account=? AND region=? AND name=? "
                             "ORDER BY alias", (ref.account, ref.region, ref.name))
        return [json.loads(r["config"]) for r in rows]

    def put_alias(self, ref: FunctionRef, config: dict[str, Any], *, create: bool) -> dict[str, Any]:
        name = config["Name"]
        exists = self.db.query_one(
            "SELECT 1 FROM lambda_aliases WHERE account=? AND region=? AND name=? AND alias=?",
            (ref.account, ref.region, ref.name, name)) is not None
        if create and exists:
            raise error("alias_exists", arn=f"{ref.arn}:{name}")
        self.db.execute(
            "INSERT OR REPLACE INTO lambda_aliases(account, region, name, alias, config) VALUES (?, ?, ?, ?, ?)",
            (ref.account, ref.region, ref.name, name, json.dumps(config)))
        self._changed(ref)
        return config

    def delete_alias(self, ref: FunctionRef, name: str) -> None:
        self._row(ref)
        self.db.execute("DELETE FROM lambda_aliases WHERE account=? AND region=? AND name=? AND alias=?",
                        (ref.account, ref.region, ref.name, name))
        self._changed(ref)

    # -- per-qualifier settings ---------------------------------------------------------------

    def setting(self, ref: FunctionRef, kind: str, qualifier: str) -> dict[str, Any] | None:
        row = self.db.query_one(
            "SELECT config FROM lambda_settings WHERE account=? AND region=? AND name=? AND kind=? AND qualifier=?",
            (ref.account, ref.region, ref.name, kind, qualifier))
        return json.loads(row["config"]) if row else None

    def settings(self, ref: FunctionRef, kind: str) -> list[tuple[str, dict[str, Any]]]:
        rows = self.db.query(
            "SELECT qualifier, config FROM lambda_settings WHERE account=? AND region=? AND name=? AND kind=? "
            "ORDER BY qualifier", (ref.account, ref.region, ref.name, kind))
        return [(r["qualifier"], json.loads(r["config"])) for r in rows]

    def put_setting(self, ref: FunctionRef, kind: str, qualifier: str, config: dict[str, Any] | None) -> None:
        if config is None:
            self.db.execute(
                "DELETE FROM lambda_settings WHERE account=? AND region=? AND name=? AND kind=? AND qualifier=?",
                (ref.account, ref.region, ref.name, kind, qualifier))
        else:
            self.db.execute(
                "INSERT OR REPLACE INTO lambda_settings(account, region, name, kind, qualifier, config) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (ref.account, ref.region, ref.name, kind, qualifier, json.dumps(config)))
        self._changed(ref)

    # -- resolution ---------------------------------------------------------------------------

    def resolve(self, ref: FunctionRef) -> Resolved:
        """The configuration an invocation of `ref` runs (alias weights applied)."""
        try:
            row = self._row(ref)
        except ResourceNotFound:  # Invoke names the function as addressed (no `:$LATEST` added)
            raise error("function_not_found", arn=ref.qualified_arn()) from None
        qualifier = ref.qualifier or LATEST
        if qualifier == LATEST:
            # _row settled a finished transition; during an update the previous code and configuration run
            config = serving(json.loads(row["config"]), self.platform.clock.now())
            executed = LATEST
        elif qualifier.isdigit():
            config = self.version(ref, qualifier)
            executed = qualifier
        else:
            try:
                alias = self.alias(ref, qualifier)
            except ResourceNotFound:
                raise error("function_not_found", arn=f"{ref.arn}:{qualifier}") from None
            executed = _pick(alias)
            config = self.version(ref, executed)
        invoked = ref.qualified_arn(ref.qualifier) if ref.qualifier else ref.arn
        reserved = None if row["reserved"] is None else int(row["reserved"])
        return Resolved(ref, config, executed, invoked, qualifier, reserved)


def _pick(alias: dict[str, Any]) -> str:
    weights = alias.get("RoutingConfig", {}).get("AdditionalVersionWeights") or {}
    draw = random.random()
    for version, weight in weights.items():
        if draw < weight:
            return str(version)
        draw -= weight
    return str(alias["FunctionVersion"])


def alias_arn(region: str, account: str, function: str, alias: str) -> str:
    return f"{function_arn(region, account, function)}:{alias}"
