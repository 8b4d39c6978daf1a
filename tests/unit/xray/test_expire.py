"""X-Ray keeps trace data for 30 days
(https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-traces):
the store's hourly expiry drops older segments in every account and region, from the index."""

from __future__ import annotations

from typing import Any

from overcast.config import Config
from overcast.platform import Platform
from overcast.services.xray.models import EXPIRE, FIRST_OWNER, NEXT_OWNER, RETENTION_SECONDS, SegmentStore
from overcast.testing import FakeClock

T0 = 1_700_000_000.0


def _segment(trace: str, seg: str, start: float) -> dict[str, Any]:
    return {"trace_id": trace, "id": seg, "name": "svc", "start_time": start, "end_time": start + 1}


def _stored(platform: Platform) -> set[tuple[str, str, str]]:
    rows = platform.db.query("SELECT account, region, id FROM xray_segments")
    return {(r["account"], r["region"], r["id"]) for r in rows}


def test_expire_drops_old_segments_in_every_account_and_region() -> None:
    platform = Platform(Config(in_memory=True), clock=FakeClock(start=T0))
    store = platform.component(SegmentStore)
    old, new = T0 - RETENTION_SECONDS - 60, T0 - RETENTION_SECONDS + 60
    docs, kept = [], set()
    for n, (account, region) in enumerate([("111111111111", "us-east-1"), ("111111111111", "eu-west-1"),
                                            ("222222222222", "us-east-1")]):
        docs.append((account, region, _segment("1-5f000000-" + "a" * 24, f"{n:016x}", old)))
        docs.append((account, region, _segment("1-5f000001-" + "b" * 24, f"{n + 100:016x}", new)))
        kept.add((account, region, f"{n + 100:016x}"))
    store.put(docs)
    assert len(_stored(platform)) == 6
    store.expire()
    assert _stored(platform) == kept
    platform.close()


def test_expire_reads_only_indexes() -> None:
    """Each statement is a seek or a range on an index, never a scan of the table (which after a
    long run is most of the database)."""
    platform = Platform(Config(in_memory=True), clock=FakeClock(start=T0))
    for sql, params in [(FIRST_OWNER, ()), (NEXT_OWNER, ("a", "b")), (EXPIRE, ("a", "b", 0.0))]:
        plan = " ".join(row[3] for row in platform.db.query("EXPLAIN QUERY PLAN " + sql, params))
        assert "INDEX" in plan, (sql, plan)
        assert "SCAN xray_segments" not in plan.replace("SCAN xray_segments USING COVERING INDEX", ""), plan
    platform.close()
