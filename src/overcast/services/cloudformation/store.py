"""CloudFormation's state in SQLite: stacks, resources, events, change sets, exports.

Documents are JSON; keys starting with `_` are overcast's bookkeeping and never reach the wire.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from overcast.platform import Platform
from overcast.services.cloudformation.errors import stack_not_found


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def iso(epoch: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{int(epoch * 1000) % 1000:03d}Z"


class StackStore:
    """Rows of every stack of this platform."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db

    # -- stacks -------------------------------------------------------------------------------

    def new_stack_id(self, account: str, region: str, name: str) -> str:
        return f"arn:aws:cloudformation:{region}:{account}:stack/{name}/{uuid.uuid4()}"

    def insert(self, account: str, region: str, stack: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO cfn_stacks(id, account, region, name, status, created, doc) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (stack["StackId"], account, region, stack["StackName"], stack["StackStatus"],
             stack["CreationTime"], json.dumps(stack)),
        )

    def save(self, stack: dict[str, Any]) -> None:
        deleted = 1 if stack["StackStatus"] == "DELETE_COMPLETE" else 0
        self.db.execute("UPDATE cfn_stacks SET status = ?, deleted = ?, doc = ? WHERE id = ?",
                        (stack["StackStatus"], deleted, json.dumps(stack), stack["StackId"]))

    def find(self, account: str, region: str, name_or_id: str) -> dict[str, Any] | None:
        """A live stack by name, or any stack (deleted ones too) by its id."""
        if name_or_id.startswith("arn:"):
            row = self.db.query_one("SELECT doc FROM cfn_stacks WHERE id = ?", (name_or_id,))
        else:
            row = self.db.query_one("SELECT doc FROM cfn_stacks WHERE account = ? AND region = ? AND name = ? "
                                    "AND deleted = 0 ORDER BY created DESC LIMIT 1", (account, region, name_or_id))
        return json.loads(row["doc"]) if row else None

    def get(self, account: str, region: str, name_or_id: str) -> dict[str, Any]:
        stack = self.find(account, region, name_or_id)
        if stack is None:
            raise stack_not_found(name_or_id)
        return stack

    def by_id(self, stack_id: str) -> dict[str, Any]:
        row = self.db.query_one("SELECT doc FROM cfn_stacks WHERE id = ?", (stack_id,))
        if row is None:
            raise stack_not_found(stack_id)
        return json.loads(row["doc"])  # type: ignore[no-any-return]

    def stacks(self, account: str, region: str, include_deleted: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT doc FROM cfn_stacks WHERE account = ? AND region = ?"
        if not include_deleted:
            sql += " AND deleted = 0"
        rows = self.db.query(sql + " ORDER BY created DESC", (account, region))
        return [json.loads(r["doc"]) for r in rows]

    def in_progress(self) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM cfn_stacks WHERE status LIKE '%IN_PROGRESS' "
                             "AND status != 'REVIEW_IN_PROGRESS'")
        return [json.loads(r["doc"]) for r in rows]

    # -- resources ----------------------------------------------------------------------------

    def resources(self, stack_id: str) -> dict[str, dict[str, Any]]:
        rows = self.db.query("SELECT logical_id, doc FROM cfn_resources WHERE stack_id = ?", (stack_id,))
        return {r["logical_id"]: json.loads(r["doc"]) for r in rows}

    def put_resource(self, stack_id: str, resource: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO cfn_resources(stack_id, logical_id, doc) VALUES (?, ?, ?)",
                        (stack_id, resource["LogicalResourceId"], json.dumps(resource)))

    def drop_resource(self, stack_id: str, logical_id: str) -> None:
        self.db.execute("DELETE FROM cfn_resources WHERE stack_id = ? AND logical_id = ?", (stack_id, logical_id))

    # -- events -------------------------------------------------------------------------------

    def add_event(self, stack: dict[str, Any], logical_id: str, physical_id: str | None, resource_type: str,
                  status: str, reason: str | None = None, properties: Any = None) -> None:
        now = self.platform.clock.now()
        if logical_id == stack["StackName"] and resource_type == "AWS::CloudFormation::Stack":
            event_id = str(uuid.uuid4())
        else:
            event_id = f"{logical_id}-{status}-{iso(now)}"
        event: dict[str, Any] = {
            "StackId": stack["StackId"], "EventId": event_id, "StackName": stack["StackName"],
            "LogicalResourceId": logical_id, "PhysicalResourceId": physical_id or "",
            "ResourceType": resource_type, "Timestamp": now, "ResourceStatus": status,
        }
        if reason:
            event["ResourceStatusReason"] = reason
        if properties is not None:
            event["ResourceProperties"] = json.dumps(properties)
        if stack.get("_token"):
            event["ClientRequestToken"] = stack["_token"]
        self.db.execute("INSERT INTO cfn_events(stack_id, doc) VALUES (?, ?)", (stack["StackId"], json.dumps(event)))
        for topic in stack.get("NotificationARNs") or []:
            self._notify(topic, event)

    def _notify(self, topic: str, event: dict[str, Any]) -> None:
        """Stack events go to the stack's notification topics, in AWS's key='value' lines."""
        from overcast import delivery as targets

        fields = [("StackId", event["StackId"]), ("Timestamp", iso(event["Timestamp"])), ("EventId", event["EventId"]),
                  ("LogicalResourceId", event["LogicalResourceId"]), ("Namespace", event["StackId"].split(":")[4]),
                  ("PhysicalResourceId", event["PhysicalResourceId"]), ("PrincipalId", event["StackId"].split(":")[4]),
                  ("ResourceProperties", event.get("ResourceProperties", "null")),
                  ("ResourceStatus", event["ResourceStatus"]),
                  ("ResourceStatusReason", event.get("ResourceStatusReason", "")),
                  ("ResourceType", event["ResourceType"]), ("StackName", event["StackName"]),
                  ("ClientRequestToken", event.get("ClientRequestToken", "null"))]
        message = "".join(f"{key}='{value}'\n" for key, value in fields)
        targets.record(self.platform, topic, message, options={"Subject": "AWS CloudFormation Notification"})

    def events(self, stack_id: str, before: int | None = None, limit: int = 100) -> tuple[list[dict[str, Any]], int | None]:
        """A page of the stack's events, newest first, and the position of the next page (stable
        while new events arrive: pages are keyed by sequence number, not offset)."""
        rows = self.db.query("SELECT seq, doc FROM cfn_events WHERE stack_id = ? AND seq < ? ORDER BY seq DESC "
                             "LIMIT ?", (stack_id, before if before is not None else 2**62, limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        return [json.loads(r["doc"]) for r in rows], (rows[-1]["seq"] if more else None)

    # -- change sets --------------------------------------------------------------------------

    def put_change_set(self, change_set: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO cfn_change_sets(id, stack_id, name, created, doc) VALUES (?, ?, ?, ?, ?)",
            (change_set["ChangeSetId"], change_set["StackId"], change_set["ChangeSetName"],
             change_set["CreationTime"], json.dumps(change_set)),
        )

    def change_set(self, stack_id: str | None, name_or_id: str) -> dict[str, Any] | None:
        if name_or_id.startswith("arn:"):
            row = self.db.query_one("SELECT doc FROM cfn_change_sets WHERE id = ?", (name_or_id,))
        else:
            row = self.db.query_one("SELECT doc FROM cfn_change_sets WHERE stack_id = ? AND name = ?",
                                    (stack_id, name_or_id))
        return json.loads(row["doc"]) if row else None

    def change_sets(self, stack_id: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM cfn_change_sets WHERE stack_id = ? ORDER BY created", (stack_id,))
        return [json.loads(r["doc"]) for r in rows]

    def drop_change_set(self, change_set_id: str) -> None:
        self.db.execute("DELETE FROM cfn_change_sets WHERE id = ?", (change_set_id,))

    def drop_change_sets(self, stack_id: str) -> None:
        self.db.execute("DELETE FROM cfn_change_sets WHERE stack_id = ?", (stack_id,))

    # -- exports ------------------------------------------------------------------------------

    def export(self, account: str, region: str, name: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT * FROM cfn_exports WHERE account = ? AND region = ? AND name = ?",
                                (account, region, name))
        return dict(row) if row else None

    def exports(self, account: str, region: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT * FROM cfn_exports WHERE account = ? AND region = ? ORDER BY name",
                             (account, region))
        return [dict(r) for r in rows]

    def set_exports(self, account: str, region: str, stack_id: str, exports: dict[str, str]) -> None:
        self.db.execute("DELETE FROM cfn_exports WHERE stack_id = ?", (stack_id,))
        self.db.executemany(
            "INSERT INTO cfn_exports(account, region, name, value, stack_id) VALUES (?, ?, ?, ?, ?)",
            [(account, region, name, value, stack_id) for name, value in exports.items()],
        )

    def importers(self, account: str, region: str, export_name: str) -> list[str]:
        """Names of the live stacks importing `export_name`."""
        return [s["StackName"] for s in self.stacks(account, region)
                if export_name in s.get("_imports", []) and s["StackStatus"] != "DELETE_COMPLETE"]
