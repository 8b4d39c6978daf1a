"""X-Ray keeps trace data for 30 days
(https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-traces):
the store's hourly expiry drops older segments in every account and region, from the index."""

from __future__ import annotations

from typing import Any

from overcast.config import Config
from overcast.platform import Platform
from overcast.services.xray.models import (
    EXPIRE,
    FIRST_OWNER,
    NEXT_ACCOUNT,
    NEXT_REGION,
    RETENTION_SECONDS,
    SegmentStore,
)
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
    owners = [("111111111111", "us-east-1"), ("111111111111", "eu-west-1"), ("222222222222", "us-east-1"),
              ("333333333333", "ap-south-1"), ("333333333333", "eu-west-1")]
    for n, (account, region) in enumerate(owners):
        docs.append((account, region, _segment("1-5f000000-" + "a" * 24, f"{n:016x}", old)))
        docs.append((account, region, _segment("1-5f000001-" + "b" * 24, f"{n + 100:016x}", new)))
        kept.add((account, region, f"{n + 100:016x}"))
    store.put(docs)
    assert len(_stored(platform)) == 10
    store.expire()
    assert _stored(platform) == kept
    platform.close()


def test_expire_reads_only_indexes() -> None:
    """Each statement is a seek or a range on an index, never a scan of the table (which after a
    long run is most of the database)."""
    platform = Platform(Config(in_memory=True), clock=FakeClock(start=T0))
    plans = {sql: " ".join(row[3] for row in platform.db.query("EXPLAIN QUERY PLAN " + sql, params))
             for sql, params in [(FIRST_OWNER, ()), (NEXT_REGION, ("a", "b")), (NEXT_ACCOUNT, ("a",)),
                                 (EXPIRE, ("a", "b", 0.0))]}
    # the first pair: the index's first entry (a scan of it that LIMIT 1 stops at once)
    assert plans[FIRST_OWNER] == "SCAN xray_segments USING COVERING INDEX xray_segments_by_time"
    assert plans[NEXT_REGION] == "SEARCH xray_segments USING COVERING INDEX xray_segments_by_time (account=? AND region>?)"
    assert plans[NEXT_ACCOUNT] == "SEARCH xray_segments USING COVERING INDEX xray_segments_by_time (account>?)"
    assert plans[EXPIRE] == "SEARCH xray_segments USING INDEX xray_segments_by_time (account=? AND region=? AND start_time<?)"
    platform.close()
