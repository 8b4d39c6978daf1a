"""Filter patterns, with the examples of AWS's "Filter pattern syntax" documentation."""

import json

import pytest

from overcast.services.logs.filter_pattern import FilterPatternError, compile_pattern, split_fields

# AWS's example log events for unstructured terms.
ERRORS = [
    "[ERROR 400] BAD REQUEST",
    "[ERROR 401] UNAUTHORIZED REQUEST",
    "[ERROR 419] MISSING ARGUMENTS",
    "[ERROR 420] INVALID ARGUMENTS",
]
INTERNAL = "[ERROR 500] INTERNAL SERVER ERROR"


def matching(pattern, messages):
    match = compile_pattern(pattern)
    return [m for m in messages if match(m)]


@pytest.mark.parametrize(("pattern", "expected"), [
    ("ERROR", ERRORS),
    ("ERROR ARGUMENTS", ERRORS[2:]),
    ("?ERROR ?ARGUMENTS", ERRORS),
    ("ERROR -ARGUMENTS", ERRORS[:2]),
    ("?ARGUMENTS ?UNAUTHORIZED", ERRORS[1:]),
    ('"ERROR" "ARGUMENTS"', ERRORS[2:]),
    ('?"BAD REQUEST" ?"MISSING"', [ERRORS[0], ERRORS[2]]),
    ("-ERROR", []),
    ("%UNAUTHORIZED|MISSING%", ERRORS[1:3]),
    ("%AUTHORIZED%", [ERRORS[1]]),
])
def test_unstructured_terms(pattern, expected):
    assert matching(pattern, ERRORS) == expected


def test_exact_phrase():
    assert matching('"INTERNAL SERVER ERROR"', [*ERRORS, INTERNAL]) == [INTERNAL]
    assert matching('"SERVER INTERNAL"', [INTERNAL]) == []


def test_terms_are_case_sensitive_substrings():
    assert matching("error", ERRORS) == []
    assert matching("ERR", ERRORS) == ERRORS
    assert matching("Exception", ["java.lang.NullPointerException: x"]) == ["java.lang.NullPointerException: x"]


@pytest.mark.parametrize("pattern", ["", "   ", '" "', None])
def test_match_everything(pattern):
    assert matching(pattern, [*ERRORS, "", "anything"]) == [*ERRORS, "", "anything"]


# AWS's example JSON log event.
EVENT = json.dumps({
    "eventType": "UpdateTrail",
    "sourceIPAddress": "111.111.111.111",
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
    "SomeObject": None,
    "ThisFlag": True,
})


@pytest.mark.parametrize(("pattern", "expected"), [
    ('{ $.eventType = "UpdateTrail" }', True),
    ('{ $.eventType = "CreateTrail" }', False),
    ('{ $.eventType != "CreateTrail" }', True),
    ("{ $.sourceIPAddress != 123.123.* }", True),
    ("{ $.sourceIPAddress = 111.111.* }", True),
    ('{ $.arrayKey[0] = "value" }', True),
    ('{ $.arrayKey[1] = "value" }', False),
    ("{ $.objectList[1].id = 2 }", True),
    ("{ $.objectList[1].id = 3 }", False),
    ("{ $.SomeObject IS NULL }", True),
    ("{ $.eventType IS NULL }", False),
    ("{ $.SomeOtherObject NOT EXISTS }", True),
    ("{ $.SomeObject NOT EXISTS }", False),
    ("{ $.ThisFlag IS TRUE }", True),
    ("{ $.ThisFlag IS FALSE }", False),
    ('{ $.eventType = "Update*" }', True),
    ('{ $.eventType = "*Trail" }', True),
    ('{ $.eventType = * }', True),
    ('{ $.missing = * }', False),
    ('{ $.arrayKey = "value" }', False),  # a selector naming an array or object never matches
    ('{ $.objectList[0] = "a" }', False),
    ('{ $.eventType = %^Upd.*l$% }', True),
    ('{ $.eventType = "UpdateTrail" && $.sourceIPAddress != 123.123.* }', True),
])
def test_json_patterns(pattern, expected):
    assert compile_pattern(pattern)(EVENT) is expected


NUMBERS = json.dumps({"bandwidth": 80, "latency": 40, "refreshRate": 60, "responseTime": 5, "errorCode": 400,
                      "number": [0.001], "negative": -3})


@pytest.mark.parametrize(("pattern", "expected"), [
    ("{ $.bandwidth > 75 }", True),
    ("{ $.latency < 50 }", True),
    ("{ $.refreshRate >= 60 }", True),
    ("{ $.responseTime <= 5 }", True),
    ("{ $.errorCode = 400 }", True),
    ("{ $.errorCode != 500 }", True),
    ("{ $.number[0] = 1e-3 }", True),
    ("{ $.number[0] != 1e+3 }", True),
    ("{ $.negative < -2 }", True),
    ("{ $.bandwidth > 80 }", False),
    ("{ $.latency >= 41 }", False),
])
def test_json_numeric_comparisons(pattern, expected):
    assert compile_pattern(pattern)(NUMBERS) is expected


# AWS's example for compound expressions.
COMPOUND = json.dumps({
    "user": {"id": 1, "email": "John.Stiles@example.com"},
    "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
    "actions": ["GET", "PUT", "DELETE"],
    "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
})


@pytest.mark.parametrize(("pattern", "expected"), [
    ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
    ('{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }',
     True),
    ('{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }',
     False),
    ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
    ("{ $.coordinates[2][0] = 7 }", True),
])
def test_json_compound_expressions(pattern, expected):
    assert compile_pattern(pattern)(COMPOUND) is expected


def test_json_pattern_never_matches_text():
    assert compile_pattern('{ $.eventType = "UpdateTrail" }')("eventType UpdateTrail") is False
    assert compile_pattern("{ $.x NOT EXISTS }")("not json") is False


# AWS's example space-delimited log event.
APACHE = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'


def test_space_delimited_fields_split_like_aws():
    assert split_fields(APACHE) == ["127.0.0.1", "Prod", "frank", "10/Oct/2000:13:25:15 -0700",
                                    "GET /index.html HTTP/1.0", "404", "1534"]


@pytest.mark.parametrize(("pattern", "expected"), [
    ("[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]", True),
    ("[..., request =*.html*, status_code = 4*, bytes]", True),
    ("[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]", True),
    ("[ip, server, username, timestamp, request, status_code, bytes > 1000]", True),
    ("[ip, server, username, timestamp, request, status_code, bytes > 2000]", False),
    ("[ip, user, username, timestamp, request =*.php*, status_code, bytes]", False),
    ("[ip = 127.0.0.1, ...]", True),
    ("[ip, user = Prod, ...]", True),
    ("[ip, user = Test, ...]", False),
    ("[a, b, c, d, e, f, g, h]", False),  # more fields than the event has
])
def test_space_delimited_patterns(pattern, expected):
    assert compile_pattern(pattern)(APACHE) is expected


@pytest.mark.parametrize(("pattern", "messages"), [
    ("[w1=ERROR, w2]", ["ERROR disk full"]),
    ("[w1=ERROR || W1=WARNING, w2]", ["ERROR disk full", "WARNING low disk"]),
    ("[w1!=ERROR && w1!=WARNING, w2]", ["INFO all good"]),
])
def test_space_delimited_pattern_matching_in_order(pattern, messages):
    events = ["ERROR disk full", "WARNING low disk", "INFO all good"]
    assert matching(pattern, events) == messages


@pytest.mark.parametrize("pattern", [
    "{ $.eventType = ",
    '{ $.eventType = "x"',
    "{ eventType = 1 }",
    '{ $.latency > "fast" }',
    "[a, b",
    "[a, b = 1 && zz = 2]",
    '"unterminated',
    "{ $.x = %a(b)% }",
    "{ $.x = 1 } extra",
])
def test_invalid_patterns(pattern):
    with pytest.raises(FilterPatternError):
        compile_pattern(pattern)


def test_space_delimited_extracted_values_like_aws():
    from overcast.services.logs.filter_pattern import extracted_values

    match = compile_pattern("[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]")
    assert extracted_values(match, APACHE) == {
        "$ip": "127.0.0.1", "$user": "Prod", "$username": "frank", "$timestamp": "10/Oct/2000:13:25:15 -0700",
        "$request": "GET /index.html HTTP/1.0", "$status_code": "404", "$bytes": "1534"}
    assert extracted_values(compile_pattern("[..., status_code, bytes]"), APACHE) == {
        "$status_code": "404", "$bytes": "1534"}
    assert extracted_values(compile_pattern("ERROR"), "all good") is None
    assert extracted_values(compile_pattern("good"), "all good") == {}


def test_prefilter_hints_never_exclude_a_match():
    from overcast.services.logs.filter_pattern import Prefilter, prefilter

    assert prefilter(compile_pattern('ERROR "bad thing" -DEBUG %x+%')) == Prefilter(all_of=("ERROR", "bad thing"))
    assert prefilter(compile_pattern("?ERROR ?WARN")) == Prefilter(any_of=("ERROR", "WARN"))
    assert prefilter(compile_pattern("?ERROR ?%WARN%")) == Prefilter()  # a regex alternative: no hint
    assert prefilter(compile_pattern('?ERROR ?" "')) == Prefilter()  # a blank alternative matches all
    assert prefilter(compile_pattern("{ $.a NOT EXISTS }")) == Prefilter(any_of=("{", "["))
    assert prefilter(compile_pattern("[a, b]")) == Prefilter()
    assert prefilter(compile_pattern("")) == Prefilter()
