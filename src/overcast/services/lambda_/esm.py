"""Event source mappings: what they are (the configuration AWS returns) and their state machine
(docs/aws-behaviour.md#the-mapping-api-and-its-states). The pollers that run them live in the engine (`invocation/esm/`)."""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform
from overcast.services.lambda_.errors import ResourceNotFound

CHANGED = "lambda:esm"

#: steady states, and the transitions the engine completes
CREATING, ENABLING, ENABLED, DISABLING, DISABLED, UPDATING, DELETING = (
    "Creating", "Enabling", "Enabled", "Disabling", "Disabled", "Updating", "Deleting")


def not_found(uuid: str) -> ResourceNotFound:
    return ResourceNotFound(f"The resource you requested does not exist. (Service: Lambda, Status Code: 404, "
                            f"Request ID: {uuid})")


class MappingStore:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db

    def _changed(self) -> None:
        self.platform.signals.notify(CHANGED)

    def get(self, uuid: str, account: str | None = None) -> dict[str, Any]:
        row = self.db.query_one("SELECT * FROM lambda_esm WHERE uuid=?", (uuid,))
        if row is None or (account is not None and row["account"] != account):
            raise not_found(uuid)
        return self._view(row)

    @staticmethod
    def _view(row: Any) -> dict[str, Any]:
        config = json.loads(row["config"])
        config["State"] = row["state"]
        if row["source_arn"].split(":")[2:3] != ["sqs"]:  # AWS reports no LastProcessingResult for SQS
            config["LastProcessingResult"] = row["last_result"]
        return config

    def all(self, account: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
        if account is None:
            rows = self.db.query("SELECT * FROM lambda_esm ORDER BY rowid")
        else:
            rows = self.db.query("SELECT * FROM lambda_esm WHERE account=? AND region=? ORDER BY rowid",
                                 (account, region))
        return [self._view(r) for r in rows]

    def insert(self, account: str, region: str, function: str, qualifier: str | None, config: dict[str, Any],
               state: str) -> None:
        self.db.execute(
            "INSERT INTO lambda_esm(uuid, account, region, function, qualifier, source_arn, config, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (config["UUID"], account, region, function, qualifier, config["EventSourceArn"],
             json.dumps({k: v for k, v in config.items() if k not in ("State", "LastProcessingResult")}), state))
        self._changed()

    def save(self, config: dict[str, Any], state: str | None = None) -> None:
        stored = {k: v for k, v in config.items() if k not in ("State", "LastProcessingResult")}
        if state is None:
            self.db.execute("UPDATE lambda_esm SET config=? WHERE uuid=?", (json.dumps(stored), config["UUID"]))
        else:
            self.db.execute("UPDATE lambda_esm SET config=?, state=? WHERE uuid=?",
                            (json.dumps(stored), state, config["UUID"]))
        self._changed()

    def set_state(self, uuid: str, state: str) -> None:
        self.db.execute("UPDATE lambda_esm SET state=? WHERE uuid=?", (state, uuid))
        self._changed()

    def set_result(self, uuid: str, result: str) -> None:
        self.db.execute("UPDATE lambda_esm SET last_result=? WHERE uuid=? AND last_result != ?", (result, uuid, result))

    def remove(self, uuid: str) -> None:
        with self.db.tx():
            self.db.execute("DELETE FROM lambda_esm WHERE uuid=?", (uuid,))
            self.db.execute("DELETE FROM lambda_esm_checkpoints WHERE uuid=?", (uuid,))
        self._changed()

    def function_of(self, uuid: str) -> tuple[str, str, str, str | None]:
        row = self.db.query_one("SELECT account, region, function, qualifier FROM lambda_esm WHERE uuid=?", (uuid,))
        if row is None:
            raise not_found(uuid)
        return row["account"], row["region"], row["function"], row["qualifier"]

    # -- checkpoints --------------------------------------------------------------------------

    def checkpoints(self, uuid: str) -> dict[str, dict[str, Any]]:
        rows = self.db.query("SELECT * FROM lambda_esm_checkpoints WHERE uuid=?", (uuid,))
        return {r["shard"]: {"sequence": r["sequence"], "finished": bool(r["finished"]),
                             "state": json.loads(r["state"]) if r["state"] else None} for r in rows}

    def checkpoint(self, uuid: str, shard: str, sequence: str | None, *, finished: bool = False,
                   state: Any = None) -> None:
        self.db.execute(
            "INSERT INTO lambda_esm_checkpoints(uuid, shard, sequence, finished, state) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(uuid, shard) DO UPDATE SET sequence=excluded.sequence, finished=excluded.finished, "
            "state=excluded.state",
            (uuid, shard, sequence, int(finished), json.dumps(state) if state is not None else None))
