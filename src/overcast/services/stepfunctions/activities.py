"""Activities ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html)):
a Task whose Resource is an activity ARN schedules a task (committed, with its token) that one
worker takes with GetActivityTask, then answers with SendTaskSuccess/Failure/Heartbeat."""

from __future__ import annotations

import json
from typing import Any

from overcast import arns
from overcast.platform import Platform
from overcast.services.stepfunctions.models import partition
from overcast.storage.db import Row


def activity_arn(account: str, region: str, name: str) -> str:
    return arns.build("states", region, account, f"activity:{name}", partition=partition(region))


class Activities:
    """Activities and their waiting tasks (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db

    def find(self, arn: str) -> Row | None:
        return self.db.query_one("SELECT * FROM sfn_activities WHERE arn=?", (arn,))

    def all(self, account: str, region: str) -> list[Row]:
        return self.db.query("SELECT * FROM sfn_activities WHERE account=? AND region=? ORDER BY name",
                             (account, region))

    def create(self, arn: str, account: str, region: str, name: str, created: float, tags: dict[str, str],
               encryption: dict[str, Any] | None = None) -> None:
        self.db.execute("INSERT INTO sfn_activities (arn, account, region, name, created, tags, encryption) "
                        "VALUES (?,?,?,?,?,?,?)", (arn, account, region, name, created, json.dumps(tags),
                                                   json.dumps(encryption or {"type": "AWS_OWNED_KEY"})))

    def delete(self, arn: str) -> None:
        self.db.execute("DELETE FROM sfn_activities WHERE arn=?", (arn,))

    def schedule(self, activity: str, token: str, payload: Any) -> None:
        seq = (self.db.scalar("SELECT MAX(seq) FROM sfn_activity_tasks") or 0) + 1
        self.db.execute("INSERT OR REPLACE INTO sfn_activity_tasks (token, activity, input, worker, seq) "
                        "VALUES (?,?,?,NULL,?)", (token, activity, json.dumps(payload), seq))

    def take(self, activity: str, worker: str) -> Row | None:
        """The oldest waiting task of `activity`, now taken by `worker` (inside the caller's transaction)."""
        row = self.db.query_one("SELECT * FROM sfn_activity_tasks WHERE activity=? AND worker IS NULL ORDER BY seq "
                                "LIMIT 1", (activity,))
        if row is not None:
            self.db.execute("UPDATE sfn_activity_tasks SET worker=? WHERE token=?", (worker, row["token"]))
        return row

    def worker(self, token: str) -> str | None:
        row = self.db.query_one("SELECT worker FROM sfn_activity_tasks WHERE token=?", (token,))
        return None if row is None else row["worker"]

    def done(self, token: str) -> None:
        self.db.execute("DELETE FROM sfn_activity_tasks WHERE token=?", (token,))
