"""The loop that moves data points down CloudWatch's retention tiers (state side).

AWS keeps data points with a period under 60 seconds for 3 hours, 60-second points for 15 days,
5-minute points for 63 days and 1-hour points for 455 days, aggregating each tier into the next as
it ages (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#metrics-retention).
Each round merges the rows older than their tier's retention into rows of the next tier (sample
count, sum, minimum, maximum and value distribution, so percentiles stay possible) and deletes
what is older than 455 days. It also compacts rows of the same period that separate puts wrote.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from overcast.services.cloudwatch.points import TIERS, MetricStore, decode_dist, encode_dist, metric_store
from overcast.services.cloudwatch.stats import Aggregate, point_dist

if TYPE_CHECKING:
    from overcast.platform import Platform

#: Rows handled per transaction, so a large backlog never blocks the event loop for long.
BATCH = 5000
#: The loop runs once per AWS minute (platform clock), sooner while a backlog remains.
ROUND_AWS_SECONDS = 60
#: Periods that started less than this long ago are left alone by compaction (puts still arrive;
#: a late one only adds a row that the next round merges).
COMPACT_AFTER = 120


def _merge(rows: Iterable[Any], res: int) -> dict[tuple[int, int, str], Aggregate]:
    merged: dict[tuple[int, int, str], Aggregate] = {}
    for row in rows:
        key = (row["metric_id"], int(row["ts"]) // res * res, row["unit"])
        agg = merged.get(key)
        if agg is None:
            agg = merged[key] = Aggregate()
        agg.add(row["n"], row["total"], row["lo"], row["hi"],
                point_dist(row["n"], row["total"], row["lo"], row["hi"], decode_dist(row["dist"])))
    return merged


def _rewrite(store: MetricStore, where: str, params: tuple[Any, ...], res: int) -> int:
    """Replace the rows matching `where` (at most BATCH) by their merge at resolution `res`."""
    db = store.db
    with db.tx():
        rows = db.query(f"SELECT rowid, * FROM cw_points WHERE {where} ORDER BY rowid LIMIT {BATCH}", params)
        if not rows:
            return 0
        db.executemany("DELETE FROM cw_points WHERE rowid = ?", [(r["rowid"],) for r in rows])
        merged = _merge(rows, res)
        db.executemany(
            "INSERT INTO cw_points(metric_id, res, ts, unit, n, total, lo, hi, dist) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(metric_id, res, ts, unit, agg.n, agg.total, agg.lo, agg.hi,
              encode_dist(agg.dist) if agg.dist is not None and agg.lo < agg.hi else None)
             for (metric_id, ts, unit), agg in merged.items()])
    return len(rows)


def roll_up(store: MetricStore, now: float) -> int:
    """One pass over every tier; returns how many rows it rewrote or deleted."""
    work = 0
    for (res, keep), (next_res, _) in itertools.pairwise(TIERS):
        work += _rewrite(store, "res = ? AND ts < ?", (res, now - keep), next_res)
    last_res, last_keep = TIERS[-1]
    work += store.db.execute("DELETE FROM cw_points WHERE res = ? AND ts < ?", (last_res, now - last_keep)).rowcount
    work += compact(store, now)
    return work


def compact(store: MetricStore, now: float) -> int:
    """Merge rows of the same metric, tier, period and unit written by separate puts.

    Each round looks only at the periods that became old enough since the previous round (reads
    merge rows anyway; this keeps the table small, not the answers right).
    """
    until = now - COMPACT_AFTER
    since = store.compacted_until if store.compacted_until is not None else until - TIERS[0][1]
    dupes = store.db.query(
        "SELECT metric_id, res, ts, unit FROM cw_points WHERE res IN (1, 60) AND ts >= ? AND ts < ? "
        f"GROUP BY metric_id, res, ts, unit HAVING COUNT(*) > 1 LIMIT {BATCH}", (since, until))
    if len(dupes) < BATCH:
        store.compacted_until = until
    work = 0
    for d in dupes:
        work += _rewrite(store, "metric_id = ? AND res = ? AND ts = ? AND unit = ?",
                         (d["metric_id"], d["res"], d["ts"], d["unit"]), d["res"])
    return work


async def rollup_loop(platform: Platform) -> None:
    """One round of roll-up, then wait an AWS minute (or go on at once while a backlog remains)."""
    work = roll_up(metric_store(platform), platform.clock.now())
    if work < BATCH:
        await platform.signals.wait("cloudwatch:rollup", platform.clock.scaled(ROUND_AWS_SECONDS))
