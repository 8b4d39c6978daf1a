"""The intrinsic functions, with the values AWS's documentation gives for its examples
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html)."""

from __future__ import annotations

import uuid

import pytest

from overcast.services.stepfunctions.intrinsics import IntrinsicError, evaluate
from overcast.services.stepfunctions.paths import select

DATA = {"name": "Arnav", "items": [1, 2, 3, 4, 5, 6, 7, 8, 9], "dup": [1, 2, 3, 3, 3, 3, 3, 3, 4],
        "json": '{"number": 20}', "obj": {"a": 1, "b": {"c": 2}}, "csv": "1,2,3,4,5", "n": 111}


def ev(expr):
    return evaluate(expr, lambda path: select(path, DATA))


@pytest.mark.parametrize(("expr", "expected"), [
    ("States.Format('Hello, my name is {}.', $.name)", "Hello, my name is Arnav."),
    ("States.Format('{} and \\{\\}', $.n)", "111 and {}"),
    ("States.StringToJson($.json)", {"number": 20}),
    ("States.JsonToString($.obj)", '{"a":1,"b":{"c":2}}'),
    ("States.Array('Foo', 2020, $.obj, null)", ["Foo", 2020, {"a": 1, "b": {"c": 2}}, None]),
    ("States.ArrayPartition($.items, 4)", [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
    ("States.ArrayContains($.items, 5)", True),
    ("States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
    ("States.ArrayGetItem($.items, 5)", 6),
    ("States.ArrayLength($.items)", 9),
    ("States.ArrayUnique($.dup)", [1, 2, 3, 4]),
    ("States.Base64Encode('Data to encode')", "RGF0YSB0byBlbmNvZGU="),
    ("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "Data to encode"),
    ("States.Hash('input data', 'SHA-1')", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
    ("States.JsonMerge($.obj, States.StringToJson($.json), false)", {"a": 1, "b": {"c": 2}, "number": 20}),
    ("States.MathAdd($.n, -1)", 110),
    ("States.StringSplit($.csv, ',')", ["1", "2", "3", "4", "5"]),
    ("States.StringSplit('This.is+a,test=string', '.+,=')", ["This", "is", "a", "test", "string"]),
])
def test_functions(expr, expected):
    assert ev(expr) == expected


def test_random_and_uuid():
    assert 1 <= ev("States.MathRandom(1, 999)") <= 999
    assert ev("States.MathRandom(1, 999, 1234)") == ev("States.MathRandom(1, 999, 1234)")
    assert uuid.UUID(ev("States.UUID()")).version == 4


@pytest.mark.parametrize("expr", ["States.Nope(1)", "States.Format('{} {}', $.n)", "States.ArrayRange(1, 2, 0)"])
def test_errors_are_intrinsic_failures(expr):
    with pytest.raises(IntrinsicError):
        ev(expr)
