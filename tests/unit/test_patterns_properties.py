"""Properties of the matcher, checked with generated patterns and events."""

from __future__ import annotations

import fnmatch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overcast.patterns import RuleIndex, compile_pattern

FIELDS = ("source", "detail-type", "region")
WORDS = st.sampled_from(["a", "ab", "abc", "b", "ba", "x.y", ""])
NUMBERS = st.integers(min_value=-2000, max_value=2000).map(lambda n: n / 4)


def condition() -> st.SearchStrategy[object]:
    return st.one_of(
        WORDS,
        NUMBERS,
        st.builds(lambda w: {"prefix": w}, WORDS.filter(bool)),
        st.builds(lambda w: {"suffix": w}, WORDS.filter(bool)),
        st.builds(lambda w: {"equals-ignore-case": w}, WORDS),
        st.builds(lambda w: {"anything-but": w}, WORDS),
        st.builds(lambda w: {"wildcard": w + "*"}, WORDS),
        st.builds(lambda n: {"numeric": [">", n]}, NUMBERS),
        st.builds(lambda b: {"exists": b}, st.booleans()),
    )


PATTERNS = st.dictionaries(
    st.sampled_from(FIELDS), st.lists(condition(), min_size=1, max_size=3), min_size=1, max_size=3
).map(lambda fields: {**fields, "detail": {"n": fields.pop("region")}} if "region" in fields else fields)

VALUES = st.one_of(WORDS, NUMBERS, st.none(), st.lists(WORDS, max_size=3))
EVENTS = st.fixed_dictionaries(
    {}, optional={"source": VALUES, "detail-type": VALUES, "detail": st.fixed_dictionaries({}, optional={"n": VALUES})}
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PATTERNS, min_size=1, max_size=25), st.lists(EVENTS, min_size=1, max_size=10))
def test_the_index_agrees_with_trying_every_pattern(patterns: list[dict[str, object]],
                                                    events: list[dict[str, object]]) -> None:
    compiled = [compile_pattern(p) for p in patterns]
    index = RuleIndex()
    for key, pattern in enumerate(compiled):
        index.add(key, pattern)
    for event in events:
        assert index.matching(event) == [k for k, p in enumerate(compiled) if p.matches(event)]


@settings(deadline=None)
@given(st.text(max_size=8), st.text(max_size=8))
def test_an_exact_string_matches_only_itself(wanted: str, value: str) -> None:
    expected = wanted == value or _same_ip(wanted, value)
    assert compile_pattern({"k": [wanted]}).matches({"k": value}) is expected


def _same_ip(a: str, b: str) -> bool:
    from overcast.patterns.matchers import ip_value

    return ip_value(a) is not None and ip_value(a) == ip_value(b)


@settings(deadline=None)
@given(st.lists(st.sampled_from("ab*/."), max_size=8).map("".join).filter(lambda p: "**" not in p),
       st.text(alphabet="ab/.", max_size=8))
def test_wildcard_is_a_glob_with_star_only(glob: str, value: str) -> None:
    assert compile_pattern({"k": [{"wildcard": glob}]}).matches({"k": value}) is fnmatch.fnmatchcase(value, glob)


@settings(deadline=None)
@given(st.sampled_from([">", ">=", "<", "<=", "="]), NUMBERS, NUMBERS)
def test_numeric_comparisons(operator: str, bound: float, value: float) -> None:
    expected = {">": value > bound, ">=": value >= bound, "<": value < bound, "<=": value <= bound,
                "=": value == bound}[operator]
    assert compile_pattern({"k": [{"numeric": [operator, bound]}]}).matches({"k": value}) is expected


@settings(deadline=None)
@given(NUMBERS, NUMBERS, NUMBERS)
def test_numeric_ranges(low: float, high: float, value: float) -> None:
    if low >= high:
        return
    pattern = compile_pattern({"k": [{"numeric": [">", low, "<=", high]}]})
    assert pattern.matches({"k": value}) is (low < value <= high)


@settings(deadline=None)
@given(st.lists(WORDS, max_size=4), WORDS)
def test_array_values_match_on_any_element(values: list[str], wanted: str) -> None:
    assert compile_pattern({"k": [wanted]}).matches({"k": values}) is (wanted in values)
