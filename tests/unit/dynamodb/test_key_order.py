"""Property: stored key bytes sort exactly as DynamoDB orders keys (N numerically, S by UTF-8 bytes,
B as unsigned bytes) — in Python and in SQLite, which compares BLOBs with memcmp."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from overcast.services.dynamodb.keys import encode_number, encode_value, successor
from overcast.services.dynamodb.types import canonical_number


@st.composite
def numbers(draw):
    """Numbers within DynamoDB's range: up to 38 significant digits, magnitude 1E-130 .. <1E126."""
    digits = draw(st.integers(min_value=1, max_value=38))
    mantissa = draw(st.integers(min_value=0, max_value=10**digits - 1))
    if mantissa == 0:
        return "0"
    sign = draw(st.sampled_from(["", "-"]))
    shift = len(str(mantissa)) - 1  # adjusted exponent = shift + exponent, within -130 .. 125
    exponent = draw(st.integers(min_value=-130 - shift, max_value=125 - shift))
    return canonical_number(format(Decimal(f"{sign}{mantissa}E{exponent}"), "f"))


@settings(max_examples=200)
@given(numbers(), numbers())
def test_number_bytes_order_like_numbers(a, b):
    x, y = Decimal(a), Decimal(b)
    ea, eb = encode_number(a), encode_number(b)
    assert (ea < eb) == (x < y)
    assert (ea == eb) == (x == y)


@given(st.lists(numbers(), min_size=1, max_size=30))
def test_sqlite_orders_encoded_numbers_numerically(values):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE k (sk BLOB PRIMARY KEY, n TEXT) WITHOUT ROWID")
    db.executemany("INSERT OR IGNORE INTO k VALUES (?, ?)", [(encode_number(v), v) for v in values])
    ordered = [Decimal(r[0]) for r in db.execute("SELECT n FROM k ORDER BY sk")]
    assert ordered == sorted({Decimal(v) for v in values})


@given(st.text(st.characters(exclude_categories=["Cs"])), st.text(st.characters(exclude_categories=["Cs"])))
def test_string_bytes_order_like_utf8(a, b):
    assert (encode_value("S", a) < encode_value("S", b)) == (a.encode() < b.encode())


@given(st.binary(min_size=1, max_size=8), st.binary(max_size=8))
def test_begins_with_range_holds_exactly_the_prefixed_keys(prefix, other):
    upper = successor(prefix)
    inside = other >= prefix and (upper is None or other < upper)
    assert inside == other.startswith(prefix)


def test_equal_numbers_share_their_bytes():
    assert encode_value("N", "1.0") == encode_value("N", "1") == encode_value("N", "1E0") == encode_value("N", "0.1e1")
    assert encode_value("N", "-0.5") < encode_value("N", "-0") < encode_value("N", "1E-130") < encode_value("N", "0.5")
