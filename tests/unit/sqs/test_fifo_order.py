"""The order a FIFO receive serves message groups in (AWS: group by group, recently served last)."""

from __future__ import annotations

from overcast.services.sqs.fifo import group_by_group, sequence_number


def _rows(*groups: str) -> list[dict]:
    return [{"seq": i + 1, "group_id": g, "name": f"{g}-{i + 1}"} for i, g in enumerate(groups)]


def test_groups_fill_in_turn():
    rows = _rows("g1", "g2", "g1", "g1")
    assert [r["name"] for r in group_by_group(rows, {}, 4)] == ["g1-1", "g1-3", "g1-4", "g2-2"]
    assert [r["name"] for r in group_by_group(rows, {}, 2)] == ["g1-1", "g1-3"]


def test_recently_served_groups_go_last():
    rows = _rows("a", "b", "a", "b")
    assert [r["group_id"] for r in group_by_group(rows, {"a": 5}, 1)] == ["b"]
    assert [r["group_id"] for r in group_by_group(rows, {"a": 5, "b": 6}, 1)] == ["a"]


def test_sequence_numbers_are_twenty_digits_and_time_ordered():
    early, late = sequence_number(999_999, 1_800_000_000.0), sequence_number(1, 1_800_000_000.001)
    assert len(early) == len(late) == 20 and int(late) > int(early)
