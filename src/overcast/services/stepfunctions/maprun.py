"""Map Runs: the record of one Distributed Map state's run, as DescribeMapRun shows it
([AWS](https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html)).

Its counters (`itemCounts`, `executionCounts`) are committed as each child workflow execution
ends; UpdateMapRun changes `maxConcurrency` and the tolerated failure thresholds of a running one.
"""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform

COUNTERS = ("pending", "running", "succeeded", "failed", "timedOut", "aborted", "total", "resultsWritten",
            "failuresNotRedrivable", "pendingRedrive")


def map_run_arn(machine_arn: str, label: str, run_id: str) -> str:
    """`arn:aws:states:<r>:<a>:mapRun:<machine name>/<label>:<id>`."""
    head, _, name = machine_arn.partition(":stateMachine:")
    return f"{head}:mapRun:{name}/{label}:{run_id}"


def counts(total: int) -> dict[str, int]:
    return {**dict.fromkeys(COUNTERS, 0), "pending": total, "total": total}


class MapRuns:
    """Map Runs of every execution (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.clock = platform.clock

    def find(self, arn: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT doc FROM sfn_map_runs WHERE arn=?", (arn,))
        return None if row is None else json.loads(row["doc"])  # type: ignore[no-any-return]

    def of_execution(self, execution: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM sfn_map_runs WHERE execution=? ORDER BY started DESC, rowid DESC",
                             (execution,))
        return [json.loads(r["doc"]) for r in rows]

    def create(self, doc: dict[str, Any]) -> None:
        with self.db.tx():
            self.db.execute("INSERT INTO sfn_map_runs (arn, execution, started, doc) VALUES (?,?,?,?)",
                            (doc["mapRunArn"], doc["executionArn"], doc["startDate"], json.dumps(doc)))

    def save(self, doc: dict[str, Any]) -> None:
        with self.db.tx():
            self.db.execute("UPDATE sfn_map_runs SET doc=? WHERE arn=?", (json.dumps(doc), doc["mapRunArn"]))

    def count(self, arn: str, items: int, before: str | None, after: str) -> dict[str, Any]:
        """Move one child execution (and its `items`) from counter `before` to `after`; the new doc."""
        with self.db.tx():
            doc = self.find(arn)
            assert doc is not None
            for key, step in (("executionCounts", 1), ("itemCounts", items)):
                if before is not None:
                    doc[key][before] -= step
                doc[key][after] += step
            self.db.execute("UPDATE sfn_map_runs SET doc=? WHERE arn=?", (json.dumps(doc), arn))
        return doc

    def finish(self, arn: str, status: str, written: int = 0) -> dict[str, Any]:
        with self.db.tx():
            doc = self.find(arn)
            assert doc is not None
            doc.update(status=status, stopDate=self.clock.now())
            doc["itemCounts"]["resultsWritten"] = doc["executionCounts"]["resultsWritten"] = written
            self.db.execute("UPDATE sfn_map_runs SET doc=? WHERE arn=?", (json.dumps(doc), arn))
        return doc
