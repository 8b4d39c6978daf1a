"""Pipes and their states (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes.html).

A pipe is a JSON document (what DescribePipe returns, less its state) and a CurrentState. Writes put
the pipe in a transitional state (CREATING, UPDATING, STARTING, STOPPING, DELETING); the pipes'
manager (`runner.py`) completes the transition on the platform's loop and starts or stops the
pipe's poller, as AWS completes it asynchronously."""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform
from overcast.services.pipes.errors import pipe_not_found

CHANGED = "pipes:changed"

RUNNING, STOPPED, CREATING, UPDATING, DELETING, STARTING, STOPPING = (
    "RUNNING", "STOPPED", "CREATING", "UPDATING", "DELETING", "STARTING", "STOPPING")
#: where a transition ends when the pipe cannot run (its role may not read the source, under
#: `--iam enforce`), with a StateReason; the pipe may then be updated, started or deleted again
CREATE_FAILED, UPDATE_FAILED, START_FAILED = "CREATE_FAILED", "UPDATE_FAILED", "START_FAILED"
FAILED_AFTER = {CREATING: CREATE_FAILED, UPDATING: UPDATE_FAILED, STARTING: START_FAILED}
#: states a pipe settles in; in every other one a write is refused (ConflictException)
STEADY = (RUNNING, STOPPED, CREATE_FAILED, UPDATE_FAILED, START_FAILED)


class PipeStore:
    """The pipes of every account and region, in the `pipes` table."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db

    def _changed(self) -> None:
        self.platform.signals.notify(CHANGED)

    @staticmethod
    def _view(row: Any) -> dict[str, Any]:
        doc = json.loads(row["doc"])
        doc["CurrentState"] = row["state"]
        return doc

    def find(self, account: str, region: str, name: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT * FROM pipes WHERE account=? AND region=? AND name=?", (account, region, name))
        return self._view(row) if row else None

    def get(self, account: str, region: str, name: str) -> dict[str, Any]:
        """The pipe, or NotFoundException."""
        pipe = self.find(account, region, name)
        if pipe is None:
            raise pipe_not_found(name)
        return pipe

    def by_arn(self, arn: str) -> dict[str, Any] | None:
        parts = arn.split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("pipe/"):
            return None
        return self.find(parts[4], parts[3], parts[5][len("pipe/"):])

    def all(self, account: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
        if account is None:
            rows = self.db.query("SELECT * FROM pipes ORDER BY rowid")
        else:
            rows = self.db.query("SELECT * FROM pipes WHERE account=? AND region=? ORDER BY name", (account, region))
        return [self._view(r) for r in rows]

    def put(self, account: str, region: str, doc: dict[str, Any], state: str) -> None:
        """Insert or replace the pipe `doc["Name"]`, in `state`; committed before returning."""
        stored = json.dumps({k: v for k, v in doc.items() if k != "CurrentState"})
        self.db.execute(
            "INSERT INTO pipes(account, region, name, state, doc) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(account, region, name) DO UPDATE SET state=excluded.state, doc=excluded.doc",
            (account, region, doc["Name"], state, stored))
        self._changed()

    def set_state(self, arn: str, state: str, reason: str | None = None) -> None:
        """Move the pipe to `state`; `reason` is its StateReason (a failed state's), which any other
        state clears."""
        pipe = self.by_arn(arn)
        if pipe is not None:
            parts = arn.split(":", 5)
            if reason is not None:
                pipe["StateReason"] = reason
            else:
                pipe.pop("StateReason", None)
            self.put(parts[4], parts[3], pipe, state)

    def remove(self, arn: str) -> None:
        parts = arn.split(":", 5)
        self.db.execute("DELETE FROM pipes WHERE account=? AND region=? AND name=?",
                        (parts[4], parts[3], parts[5][len("pipe/"):]))
        self._changed()
