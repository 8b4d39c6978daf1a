"""InvalidEventPatternException messages, word for word and place for place.

The first table holds messages recorded from real EventBridge (reason and Jackson location); the
second, reasons event-ruler gives for other malformed patterns (checked without the location).
"""

from __future__ import annotations

import pytest

from overcast.patterns import InvalidEventPattern, compile_pattern

P = "Event pattern is not valid. Reason: "


def at(pattern: str, column: int) -> str:
    return f'\n at [Source: (String)"{pattern}"; line: 1, column: {column}]'


RECORDED = [
    ('{"int": 42}', '"int" must be an object or an array', 11),
    ('{"string": "my-value"}', '"string" must be an object or an array', 13),
    ('{"resources": []}', "Empty arrays are not allowed", 17),
    ('{"source": ["aws.health"], "detail": {}}', "Empty objects are not allowed", 40),
    ('{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}', "Unrecognized match type NUMERIC", 36),
    ('{"my_key": [{"EXISTS": true}]}', "Unrecognized match type EXISTS", 28),
    ('{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}', "Bad numeric range operator: >", 49),
    ('{"detail": {"c-count": [{"numeric": [">", 0, "<"]}]}}', "Value of < must be numeric", 50),
    ('{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}',
     "Consecutive wildcard characters at pos 26", 72),
    ('{"detail-type": [{"equals-ignore-case": ["ec2 instance state-change notification"]}]}',
     "equals-ignore-case match pattern must be a string", 42),
    ('{"detail-type": [{"equals-ignore-case": {"prefix": "ec2"}}]}',
     "equals-ignore-case match pattern must be a string", 42),
    ('{"detail": {"state": [{"anything-but": {"equals-ignore-case": 123}}]}}',
     "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.", 66),
    ('{"EventBusArn": [{"wildcard": 123}]}', "wildcard match pattern must be a string", 34),
    ('{"EventBusArn": [{"wildcard": ["arn:aws:events:us-east-1:**:event-bus/*"]}]}',
     "wildcard match pattern must be a string", 32),
    ('{"detail": {"FilePath": [{"anything-but": {"wildcard": 123}}]}}', "wildcard match pattern must be a string", 59),
    ('{"detail": {"FileName": [{"anything-but": {"suffix": 123}}]}}', "prefix/suffix match pattern must be a string", 57),
    ('{"detail": {"state": [{"anything-but": {"prefix": 123}}]}}', "prefix/suffix match pattern must be a string", 54),
    ('{"time": [{"prefix": ["2022-07-13"]}]}', "prefix match pattern must be a string", 23),
    ('{"time": [{"prefix": 123}]}', "prefix match pattern must be a string", 25),
    ('{"FileName": [{"suffix": 123}]}', "suffix match pattern must be a string", 29),
    ('{"FileName": [{"suffix": [".png"]}]}', "suffix match pattern must be a string", 27),
    ('{"detail": {"FileName": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]}}',
     "Value of anything-but must be an array or single string/number value.", 55),
    ('{"detail": {"FileName": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]}}',
     "Value of anything-but must be an array or single string/number value.", 55),
    ('{"detail": {"sourceIPAddress": [{"cidr": ["bad-type"]}]}}', "prefix match pattern must be a string", 43),
    ("this is valid json but not a dict", "Unrecognized token 'this': was expecting (JSON String, Number, Array, "
     "Object or token 'null', 'true' or 'false')", 5),
    ("{'bad': 'quotation'}", "Unexpected character (''' (code 39)): was expecting double-quote to start field name", 2),
    ('{"not": closed mark"', "Unrecognized token 'closed': was expecting (JSON String, Number, Array, Object or "
     "token 'null', 'true' or 'false')", 15),
    ('["not", "a", "dict", "but valid json"]', "Filter is not an object", 2),
]

# event-ruler reports these inside a block that reports again: the location appears twice
TWICE = [
    ('{"detail": {"state": [{"anything-but": {"equals-ignore-case": [123, 456]}}]}}',
     "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.", 67),
    ('{"detail": {"state": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]}}',
     "wildcard match pattern must be a string", 57),
    ('{"detail": {"FileName": [{"anything-but": {"suffix": [123, ".txt"]}}]}}',
     "prefix/suffix match pattern must be a string", 58),
    ('{"detail": {"state": [{"anything-but": {"prefix": [123, "test"]}}]}}',
     "prefix/suffix match pattern must be a string", 55),
]

# raised outside event-ruler's error helper: no location
UNLOCATED = [
    ('{"detail": {"ip": [{"cidr": "bad"}]}}', "Malformed CIDR, one '/' required"),
    ('{"detail": {"ip": [{"cidr": "10.0.0.0/xx"}]}}', "Malformed CIDR, mask bits must be an integer"),
    ('{"detail": {"ip": [{"cidr": "xx.11.xx/24"}]}}', "Nonstandard IP address: xx.11.xx"),
    ('{"detail": {"ip": [{"cidr": "xxxx:db8:1234:1a00::/64"}]}}', "Nonstandard IP address: xxxx:db8:1234:1a00::"),
    ('{"detail": {"ip": [{"cidr": "10.0.0.0/32"}]}}', "IPv4 mask bits must be < 32"),
    ('{"detail": {"ip": [{"cidr": "2001:db8::/128"}]}}', "IPv6 mask bits must be < 128"),
    ('{"detail": {"n": [{"anything-but": 6e9}]}}', "Value must be between -5.0E9 and 5.0E9, inclusive"),
]

REASONS = [
    ('{"a": [[1]]}', "Match value must be String, number, true, false, or null"),
    ('{"a": [{}]}', "Match expression name not found"),
    ('{"a": [{"prefix": "x", "suffix": "y"}]}', "Only one key allowed in match expression"),
    ('{"a": [{"exists": "yes"}]}', "exists match pattern must be either true or false."),
    ('{"a": [{"numeric": 5}]}', "Value of numeric must be an array."),
    ('{"a": [{"numeric": [5]}]}', "Invalid member in numeric match: 5"),
    ('{"a": [{"numeric": ["!=", 5]}]}', "Unrecognized numeric range operator: !="),
    ('{"a": [{"numeric": ["=", "5"]}]}', "Value of equals must be numeric"),
    ('{"a": [{"numeric": ["=", 5, 6]}]}', "Too many elements in numeric expression"),
    ('{"a": [{"numeric": [">", 5, 6]}]}', "Bad value in numeric range: 6"),
    ('{"a": [{"numeric": [">", 5, "<", 9, 1]}]}', "Too many terms in numeric range expression"),
    ('{"a": [{"numeric": [">", 5, "<", 5]}]}', "Bottom must be less than top"),
    ('{"a": [{"numeric": [">", 5e10]}]}', "Value must be between -5.0E9 and 5.0E9, inclusive"),
    ('{"a": [{"anything-but": {}}]}', "Anything-But expression name not found"),
    ('{"a": [{"anything-but": {"numeric": [1]}}]}', "Unsupported anything-but pattern: numeric"),
    ('{"a": [{"anything-but": null}]}', "Value of anything-but must be an array or single string/number value."),
    ('{"a": [{"anything-but": ["x", 1]}]}', "Inside anything but list, either all values are number or string, "
     "mixed type is not supported"),
    ('{"a": [{"anything-but": []}]}', "Inside anything but list, either all values are number or string, "
     "mixed type is not supported"),
    ('{"a": [{"anything-but": [null]}]}', "Inside anything but list, start|null|boolean is not supported."),
    ('{"a": [{"anything-but": {"prefix": ""}}]}', "Null prefix/suffix not allowed"),
    ('{"a": [{"anything-but": {"wildcard": "a**"}}]}', "Consecutive wildcard characters at pos 2"),
    ('{"a": [{"wildcard": "a\\\\b"}]}', "Invalid escape character at pos 2"),
    ('{"a": [{"prefix": {"equals-ignore-case": "x", "b": 1}}]}', "Only one key allowed in match expression"),
    ('{"a": [{"prefix": {"wildcard": "x"}}]}', "Unsupported prefix pattern: wildcard"),
    ('{"a": [{"suffix": {}}]}', "Suffix expression name not found"),
    ('{"a": [{"regex": "x"}]}', "Unrecognized match type regex"),
    ('{"$or": {"a": ["x"]}}', "It must be an Array followed with $or."),
    ('{"$or": [{"a": ["x"]}]}', "There must have at least 2 Objects in $or relationship."),
    ('{"$or": [{"a": ["x"]}, "b"]}', "Only JSON object is allowed in array of $or relationship."),
    ('{"$or": [{"a": ["x"]}, {"numeric": ["b"]}]}', "numeric is Ruler reserved fieldName which cannot be used "
     "inside $or."),
    ('{"a": ["x"],}', "Unexpected character ('}' (code 125)): was expecting double-quote to start field name"),
    ('{"a" ["x"]}', "Unexpected character ('[' (code 91)): was expecting a colon to separate field name and value"),
    ('{"a": ["x"] "b": ["y"]}', "Unexpected character ('\"' (code 34)): was expecting comma to separate Object "
     "entries"),
    ('{"a": ["x" "y"]}', "Unexpected character ('\"' (code 34)): was expecting comma to separate Array entries"),
    ('{"a": ["x",]}', "Unexpected character (']' (code 93)): expected a value"),
    ("", "Filter is not an object"),
]


def reason_of(pattern: str) -> InvalidEventPattern:
    with pytest.raises(InvalidEventPattern) as info:
        compile_pattern(pattern)
    return info.value


@pytest.mark.parametrize(("pattern", "reason", "column"), RECORDED)
def test_message_and_location_are_awss(pattern: str, reason: str, column: int) -> None:
    assert str(reason_of(pattern)) == P + reason + at(pattern, column)


@pytest.mark.parametrize(("pattern", "reason", "column"), TWICE)
def test_some_messages_carry_the_location_twice(pattern: str, reason: str, column: int) -> None:
    assert str(reason_of(pattern)) == P + reason + at(pattern, column) * 2


@pytest.mark.parametrize(("pattern", "reason"), UNLOCATED)
def test_cidr_and_single_number_problems_have_no_location(pattern: str, reason: str) -> None:
    assert str(reason_of(pattern)) == P + reason


@pytest.mark.parametrize(("pattern", "reason"), REASONS)
def test_event_ruler_reasons(pattern: str, reason: str) -> None:
    assert reason_of(pattern).reason == reason


def test_multi_line_patterns_report_line_and_column() -> None:
    pattern = '{\n  "detail": {\n    "slug": "x"\n  }\n}'
    error = reason_of(pattern)
    assert error.reason == '"slug" must be an object or an array'
    assert str(error).endswith("; line: 3, column: 14]")


def test_long_patterns_are_quoted_up_to_500_characters() -> None:
    pattern = '{"a": ["' + "x" * 600 + '"], "b": 1}'
    message = str(reason_of(pattern))
    assert f"[truncated {len(pattern) - 500} chars]; line: 1, column: " in message


def test_too_many_or_combinations_are_refused() -> None:
    alternatives = ", ".join(f'{{"f{i}": ["x"]}}' for i in range(11))
    pattern = "{" + ", ".join(f'"n{j}": {{"$or": [{alternatives}]}}' for j in range(3)) + "}"
    with pytest.raises(InvalidEventPattern, match="too complex"):
        compile_pattern(pattern)
    assert len(compile_pattern('{"$or": [' + alternatives + "]}").branches) == 11


def test_nothing_after_the_pattern_object_is_read() -> None:
    # event-ruler stops reading at the end of the pattern object, as Jackson lets it
    assert compile_pattern('{"a": ["x"]} trailing').matches({"a": "x"})
