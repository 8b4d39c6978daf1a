"""Step Functions state: state machines, executions and their history, task tokens.

Every write is its own transaction or the caller's: an execution's history event and the
interpreter's checkpoint that follows it are committed together (`Executions.transition`), so a
restart resumes from the last committed state transition.
"""

from __future__ import annotations

import json
from collections.abc import Container
from dataclasses import dataclass
from typing import Any

from overcast import arns
from overcast.platform import Platform
from overcast.storage.db import Row

#: notified when an execution starts, a task token is answered, or an execution is stopped
WAKE_SIGNAL = "stepfunctions:wake"
TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def partition(region: str) -> str:
    """The AWS partition a region belongs to (`aws-cn` for China, `aws-us-gov`, the ISO ones)."""
    for prefix, name in (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-isob-", "aws-iso-b"),
                         ("us-iso-", "aws-iso"), ("eu-isoe-", "aws-iso-e"), ("us-isof-", "aws-iso-f")):
        if region.startswith(prefix):
            return name
    return "aws"


def machine_arn(account: str, region: str, name: str) -> str:
    return arns.build("states", region, account, f"stateMachine:{name}", partition=partition(region))


def execution_arn(machine: str, name: str, express: bool = False) -> str:
    """`arn:aws:states:r:a:execution:<machine>:<name>` (`express:` for EXPRESS executions)."""
    head, _, machine_name = machine.partition(":stateMachine:")
    return f"{head}:{'express' if express else 'execution'}:{machine_name}:{name}"


@dataclass
class Machine:
    arn: str
    account: str
    region: str
    name: str
    doc: dict[str, Any]
    tags: dict[str, str]

    @classmethod
    def of(cls, row: Row) -> Machine:
        return cls(row["arn"], row["account"], row["region"], row["name"], json.loads(row["doc"]),
                   json.loads(row["tags"]))


@dataclass
class Execution:
    arn: str
    machine_arn: str
    name: str
    status: str
    doc: dict[str, Any]
    definition: dict[str, Any]
    checkpoint: dict[str, Any]

    @classmethod
    def of(cls, row: Row) -> Execution:
        return cls(row["arn"], row["machine_arn"], row["name"], row["status"], json.loads(row["doc"]),
                   json.loads(row["definition"]), json.loads(row["checkpoint"]))


class Machines:
    """State machines of every account and region (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db

    def find(self, arn: str) -> Machine | None:
        row = self.db.query_one("SELECT * FROM sfn_machines WHERE arn=?", (arn,))
        return None if row is None else Machine.of(row)

    def all(self, account: str, region: str) -> list[Machine]:
        rows = self.db.query("SELECT * FROM sfn_machines WHERE account=? AND region=? ORDER BY name",
                             (account, region))
        return [Machine.of(r) for r in rows]

    def save(self, machine: Machine) -> None:
        self.db.execute("INSERT OR REPLACE INTO sfn_machines (arn, account, region, name, doc, tags) "
                        "VALUES (?,?,?,?,?,?)", (machine.arn, machine.account, machine.region, machine.name,
                                                 json.dumps(machine.doc), json.dumps(machine.tags)))

    def delete(self, arn: str) -> None:
        self.db.execute("DELETE FROM sfn_machines WHERE arn=?", (arn,))


class Executions:
    """Executions, their history and checkpoints (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.clock = platform.clock

    def find(self, arn: str) -> Execution | None:
        row = self.db.query_one("SELECT * FROM sfn_executions WHERE arn=?", (arn,))
        return None if row is None else Execution.of(row)

    def of_machine(self, machine: str, status: str | None = None) -> list[Execution]:
        sql = "SELECT * FROM sfn_executions WHERE machine_arn=?" + (" AND status=?" if status else "")
        rows = self.db.query(sql + " ORDER BY started DESC, rowid DESC", (machine, status) if status else (machine,))
        return [Execution.of(r) for r in rows]

    def running(self, skip: Container[str] = ()) -> list[Execution]:
        """The RUNNING executions but those in `skip` (which are not read and parsed at all)."""
        arns = [r["arn"] for r in self.db.query("SELECT arn FROM sfn_executions WHERE status='RUNNING'")]
        return [e for arn in arns if arn not in skip and (e := self.find(arn)) is not None]

    def create(self, execution: Execution) -> None:
        self.db.execute("INSERT INTO sfn_executions (arn, machine_arn, name, status, started, doc, definition, "
                        "checkpoint) VALUES (?,?,?,?,?,?,?,?)",
                        (execution.arn, execution.machine_arn, execution.name, execution.status,
                         execution.doc["startDate"], json.dumps(execution.doc), json.dumps(execution.definition),
                         json.dumps(execution.checkpoint)))

    def save(self, execution: Execution) -> None:
        self.db.execute("UPDATE sfn_executions SET status=?, doc=? WHERE arn=?",
                        (execution.status, json.dumps(execution.doc), execution.arn))

    def append(self, execution: str, kind: str, details: dict[str, Any] | None, previous: int | None) -> int:
        """Append one history event (AWS's `type`, its `<type>EventDetails` member); its id."""
        last = self.db.scalar("SELECT MAX(id) FROM sfn_history WHERE execution=?", (execution,)) or 0
        event: dict[str, Any] = {"timestamp": self.clock.now(), "type": kind, "id": last + 1,
                                 "previousEventId": last if previous is None else previous}
        if details is not None:
            event[detail_member(kind)] = details
        self.db.execute("INSERT INTO sfn_history (execution, id, doc) VALUES (?,?,?)",
                        (execution, last + 1, json.dumps(event)))
        return int(last + 1)

    def history(self, execution: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM sfn_history WHERE execution=? ORDER BY id", (execution,))
        return [json.loads(r["doc"]) for r in rows]

    def add_token(self, token: str, execution: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO sfn_tokens (token, execution, outcome) VALUES (?,?,NULL)",
                        (token, execution))

    def token(self, token: str) -> Row | None:
        return self.db.query_one("SELECT * FROM sfn_tokens WHERE token=?", (token,))

    def answer_token(self, token: str, outcome: dict[str, Any]) -> None:
        self.db.execute("UPDATE sfn_tokens SET outcome=? WHERE token=?", (json.dumps(outcome), token))

    def drop_token(self, token: str) -> None:
        self.db.execute("DELETE FROM sfn_tokens WHERE token=?", (token,))


#: event types whose details member is not `<lowerCamelType>EventDetails`
_DETAIL_MEMBERS = {
    "ChoiceStateEntered": "stateEnteredEventDetails", "ChoiceStateExited": "stateExitedEventDetails",
}


def detail_member(kind: str) -> str:
    """AWS's details member of a history event: the state events share `stateEntered/ExitedEventDetails`."""
    if kind.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if kind.endswith("StateExited"):
        return "stateExitedEventDetails"
    if kind in _DETAIL_MEMBERS:
        return _DETAIL_MEMBERS[kind]
    return kind[0].lower() + kind[1:] + "EventDetails"
