"""The pattern language operator by operator: matching and non-matching events, from AWS's
documentation of EventBridge patterns and from event-ruler's behaviour as AWS runs it."""

from __future__ import annotations

import pytest

from overcast.patterns import compile_pattern

EC2 = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"},
}


def detail(**fields: object) -> dict[str, object]:
    return {**EC2, "detail": fields}


def matches(pattern: object, event: object) -> bool:
    return compile_pattern(pattern).matches(event)


CASES = [
    # exact values, AND across fields, OR inside a list
    ("exact", {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"],
               "detail": {"state": ["terminated"]}}, EC2, True),
    ("exact-or", {"source": ["aws.ec2", "aws.fargate"]}, EC2, True),
    ("exact-case", {"source": ["AWS.EC2"]}, EC2, False),
    ("exact-missing-field", {"detail": {"other": ["x"]}}, EC2, False),
    ("exact-and-fails", {"source": ["aws.ec2"], "detail": {"state": ["running"]}}, EC2, False),
    ("exact-number", {"detail": {"n": [5]}}, detail(n=5), True),
    ("exact-number-float", {"detail": {"n": [300]}}, detail(n=300.0), True),
    ("exact-number-exponent", {"detail": {"n": [3.0e2]}}, detail(n=300), True),
    ("exact-number-not-string", {"detail": {"n": [5]}}, detail(n="5"), False),
    ("exact-string-not-number", {"detail": {"n": ["5"]}}, detail(n=5), False),
    ("exact-big-number", {"account": [123456789012]}, {**EC2, "account": 123456789012}, True),
    ("exact-true", {"detail": {"b": [True]}}, detail(b=True), True),
    ("exact-true-not-string", {"detail": {"b": [True]}}, detail(b="true"), False),
    ("exact-true-not-one", {"detail": {"b": [True]}}, detail(b=1), False),
    ("exact-ip", {"detail": {"ip": ["2001:db8::1"]}}, detail(ip="2001:0db8:0:0:0:0:0:1"), True),
    # null and empty string
    ("null", {"detail": {"u": [None]}}, detail(u=None), True),
    ("null-missing", {"detail": {"u": [None]}}, detail(), False),
    ("null-not-empty", {"detail": {"u": [None]}}, detail(u=""), False),
    ("null-empty-array", {"resources": [None]}, {**EC2, "resources": []}, False),
    ("empty", {"detail": {"u": [""]}}, detail(u=""), True),
    ("empty-not-null", {"detail": {"u": [""]}}, detail(u=None), False),
    # prefix / suffix, with and without case
    ("prefix", {"time": [{"prefix": "2017-12-22"}]}, EC2, True),
    ("prefix-no", {"time": [{"prefix": "2017-10-02"}]}, EC2, False),
    ("prefix-number", {"detail": {"n": [{"prefix": "1"}]}}, detail(n=12), False),
    ("prefix-ignore-case", {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}},
     detail(service="eventbridge"), True),
    ("prefix-ignore-case-no", {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}},
     detail(service="lambda"), False),
    ("suffix", {"detail": {"FileName": [{"suffix": ".png"}]}}, detail(FileName="a.png"), True),
    ("suffix-case", {"detail": {"FileName": [{"suffix": ".png"}]}}, detail(FileName="a.PNG"), False),
    ("suffix-ignore-case", {"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}},
     detail(FileName="a.PNG"), True),
    # equals-ignore-case
    ("ignore-case", {"detail": {"name": [{"equals-ignore-case": "alice"}]}}, detail(name="ALICE"), True),
    ("ignore-case-no", {"detail": {"name": [{"equals-ignore-case": "alice"}]}}, detail(name="alicia"), False),
    # wildcard
    ("wildcard", {"detail": {"path": [{"wildcard": "dir/*.png"}]}}, detail(path="dir/a/b.png"), True),
    ("wildcard-empty-run", {"detail": {"path": [{"wildcard": "dir/*.png"}]}}, detail(path="dir/.png"), True),
    ("wildcard-no", {"detail": {"path": [{"wildcard": "dir/*.png"}]}}, detail(path="dir/a.jpg"), False),
    ("wildcard-whole-value", {"detail": {"path": [{"wildcard": "a*"}]}}, detail(path="ba"), False),
    ("wildcard-escaped-star", {"detail": {"p": [{"wildcard": "a\\*b"}]}}, detail(p="a*b"), True),
    ("wildcard-escaped-star-literal", {"detail": {"p": [{"wildcard": "a\\*b"}]}}, detail(p="axb"), False),
    ("wildcard-escaped-backslash", {"detail": {"p": [{"wildcard": "a\\\\*"}]}}, detail(p="a\\zz"), True),
    # anything-but
    ("but", {"detail": {"state": [{"anything-but": "initializing"}]}}, EC2, True),
    ("but-no", {"detail": {"state": [{"anything-but": "terminated"}]}}, EC2, False),
    ("but-missing", {"detail": {"x": [{"anything-but": "a"}]}}, EC2, False),
    ("but-null", {"detail": {"x": [{"anything-but": "a"}]}}, detail(x=None), True),
    ("but-number", {"detail": {"x-limit": [{"anything-but": 123}]}}, detail(**{"x-limit": 789}), True),
    ("but-number-no", {"detail": {"x-limit": [{"anything-but": 123}]}}, detail(**{"x-limit": 123.0}), False),
    ("but-number-string", {"detail": {"x-limit": [{"anything-but": 123}]}}, detail(**{"x-limit": "123"}), True),
    ("but-list", {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}, EC2, True),
    ("but-list-no", {"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}}, EC2, False),
    ("but-numbers", {"detail": {"x": [{"anything-but": [100, 200, 300]}]}}, detail(x=250), True),
    ("but-numbers-no", {"detail": {"x": [{"anything-but": [100, 200, 300]}]}}, detail(x=200), False),
    ("but-prefix", {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}, EC2, True),
    ("but-prefix-no", {"detail": {"state": [{"anything-but": {"prefix": "term"}}]}}, EC2, False),
    ("but-prefix-number", {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}, detail(state=12), True),
    ("but-prefix-list", {"detail": {"state": [{"anything-but": {"prefix": ["a", "term"]}}]}}, EC2, False),
    ("but-suffix", {"detail": {"f": [{"anything-but": {"suffix": ".png"}}]}}, detail(f="a.jpg"), True),
    ("but-suffix-no", {"detail": {"f": [{"anything-but": {"suffix": ".png"}}]}}, detail(f="a.png"), False),
    ("but-ignore-case", {"detail": {"state": [{"anything-but": {"equals-ignore-case": "TERMINATED"}}]}}, EC2, False),
    ("but-ignore-case-list", {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["X", "Y"]}}]}},
     EC2, True),
    ("but-wildcard", {"detail": {"p": [{"anything-but": {"wildcard": "*/lib/*"}}]}}, detail(p="/usr/bin/x"), True),
    ("but-wildcard-no", {"detail": {"p": [{"anything-but": {"wildcard": "*/lib/*"}}]}}, detail(p="/usr/lib/x"), False),
    ("but-wildcard-list", {"detail": {"p": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]}},
     detail(p="/usr/bin/x"), False),
    ("but-array-any-element", {"resources": [{"anything-but": "a"}]}, {**EC2, "resources": ["a", "b"]}, True),
    ("but-array-all-excluded", {"resources": [{"anything-but": "a"}]}, {**EC2, "resources": ["a", "a"]}, False),
    # numeric
    ("numeric", {"detail": {"c": [{"numeric": [">", 0, "<=", 5]}]}}, detail(c=5), True),
    ("numeric-open-low", {"detail": {"c": [{"numeric": [">", 0, "<=", 5]}]}}, detail(c=0), False),
    ("numeric-lt", {"detail": {"c": [{"numeric": ["<", 10]}]}}, detail(c=9.999), True),
    ("numeric-lt-no", {"detail": {"c": [{"numeric": ["<", 10]}]}}, detail(c=10), False),
    ("numeric-eq", {"detail": {"c": [{"numeric": ["=", 3.018e2]}]}}, detail(c=301.8), True),
    ("numeric-ge", {"detail": {"c": [{"numeric": [">=", -5, "<", 0]}]}}, detail(c=-5), True),
    ("numeric-string", {"detail": {"c": [{"numeric": [">", 0]}]}}, detail(c="5"), False),
    ("numeric-null", {"detail": {"c": [{"numeric": [">", 0]}]}}, detail(c=None), False),
    ("numeric-int-float", {"detail": {"c": [{"numeric": [">", 100]}]}}, detail(c=101.0), True),
    ("numeric-out-of-range", {"detail": {"c": [{"numeric": [">", 0]}]}}, detail(c=6e9), False),
    ("numeric-bool", {"detail": {"c": [{"numeric": [">", 0]}]}}, detail(c=True), False),
    # cidr
    ("cidr", {"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}, detail(ip="10.0.0.255"), True),
    ("cidr-no", {"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}, detail(ip="10.0.1.0"), False),
    ("cidr-v6", {"detail": {"ip": [{"cidr": "2001:db8:1234:1a00::/64"}]}}, detail(ip="2001:db8:1234:1a00::1"), True),
    ("cidr-v6-no", {"detail": {"ip": [{"cidr": "2001:db8:1234:1a00::/64"}]}}, detail(ip="2001:db8:1234:1a01::1"), False),
    ("cidr-not-ip", {"detail": {"ip": [{"cidr": "10.0.0.0/8"}]}}, detail(ip="hello"), False),
    ("cidr-v4-v6", {"detail": {"ip": [{"cidr": "10.0.0.0/8"}]}}, detail(ip="::10.0.0.1"), False),
    # exists (leaves only)
    ("exists", {"detail": {"state": [{"exists": True}]}}, EC2, True),
    ("exists-no", {"detail": {"c-count": [{"exists": True}]}}, EC2, False),
    ("exists-null", {"detail": {"u": [{"exists": True}]}}, detail(u=None), True),
    ("exists-object", {"detail": {"c-count": [{"exists": True}]}}, detail(**{"c-count": {"c1": 100}}), False),
    ("exists-empty-array", {"detail": {"list": [{"exists": True}]}}, detail(list=[]), False),
    ("absent", {"detail": {"c-count": [{"exists": False}]}}, EC2, True),
    ("absent-no", {"detail": {"state": [{"exists": False}]}}, EC2, False),
    ("absent-object", {"detail": {"c-count": [{"exists": False}]}}, detail(**{"c-count": {"c1": 100}}), True),
    ("absent-or-value", {"detail": {"h": [{"anything-but": ["roses"]}, {"exists": False}]}}, detail(), True),
    ("absent-or-value-present", {"detail": {"h": [{"anything-but": ["roses"]}, {"exists": False}]}},
     detail(h="roses"), False),
    # $or
    ("or", {"source": ["aws.ec2"], "$or": [{"detail": {"state": ["running"]}}, {"region": ["us-west-1"]}]},
     EC2, True),
    ("or-no", {"source": ["aws.ec2"], "$or": [{"detail": {"state": ["running"]}}, {"region": ["eu-west-1"]}]},
     EC2, False),
    ("or-nested", {"$or": [{"source": ["x"]}, {"$or": [{"region": ["y"]}, {"detail": {"state": ["terminated"]}}]}]},
     EC2, True),
    ("or-inside-object", {"detail": {"$or": [{"state": ["x"]}, {"instance-id": [{"prefix": "i-"}]}]}}, EC2, True),
    ("or-parallel", {"$or": [{"source": ["aws.ec2"]}, {"source": ["x"]}],
                     "detail": {"$or": [{"state": ["x"]}, {"state": ["y"]}]}}, EC2, False),
    # arrays
    ("array-intersection", {"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0", "x"]},
     EC2, True),
    ("array-no-intersection", {"resources": ["a", "b"]}, EC2, False),
    ("array-of-objects", {"detail": {"e": {"first": ["Anna"]}}},
     detail(e=[{"first": "John"}, {"first": "Anna"}]), True),
    ("array-same-element", {"detail": {"e": {"first": ["Anna"], "last": ["Smith"]}}},
     detail(e=[{"first": "Anna", "last": "Smith"}, {"first": "Peter", "last": "Jones"}]), True),
    ("array-different-elements", {"detail": {"e": {"first": ["Anna"], "last": ["Jones"]}}},
     detail(e=[{"first": "Anna", "last": "Smith"}, {"first": "Peter", "last": "Jones"}]), False),
    ("array-nested", {"detail": {"e": {"first": ["Peter"]}}},
     detail(e=[[{"first": "John"}], [{"first": "Peter"}]]), True),
    ("array-inner-lists", {"detail": {"e": {"tags": ["b"], "n": [1]}}},
     detail(e=[{"tags": ["a", "b"], "n": 1}, {"tags": ["c"], "n": 2}]), True),
    ("array-inner-lists-split", {"detail": {"e": {"tags": ["c"], "n": [1]}}},
     detail(e=[{"tags": ["a", "b"], "n": 1}, {"tags": ["c"], "n": 2}]), False),
    # nested objects and duplicate keys
    ("nested", {"detail": {"a": {"b": {"c": ["d"]}}}}, detail(a={"b": {"c": "d"}}), True),
    ("nested-wrong-shape", {"detail": {"a": {"b": ["x"]}}}, detail(a="x"), False),
    ("key-case", {"Source": ["aws.ec2"]}, EC2, False),
]


@pytest.mark.parametrize(("name", "pattern", "event", "expected"), CASES, ids=[c[0] for c in CASES])
def test_operator(name: str, pattern: dict[str, object], event: dict[str, object], expected: bool) -> None:
    assert matches(pattern, event) is expected


def test_a_repeated_key_keeps_the_last_value() -> None:
    pattern = '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}'
    assert matches(pattern, detail(location="eu-west"))  # the prefix condition is gone
    assert not matches(pattern, detail(location="us-east"))


def test_matches_json_text_and_rejects_what_is_not_json() -> None:
    pattern = compile_pattern({"body": {"type": ["order"]}})
    assert pattern.matches_json('{"body": {"type": "order"}}')
    assert not pattern.matches_json("not json")
    assert not pattern.matches("a string event")
