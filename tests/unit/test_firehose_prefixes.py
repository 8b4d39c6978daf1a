"""Firehose's S3 prefixes: Java DateTimeFormatter patterns, the default time folders, random
strings, the error output type, AWS's object names, and the validation of expressions."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from overcast.services.firehose.errors import InvalidArgument
from overcast.services.firehose.prefixes import check_prefixes, error_key, evaluate, format_time, object_key

MOMENT = dt.datetime(2024, 3, 9, 7, 5, 2, tzinfo=dt.UTC)


def test_java_patterns_and_quoted_literals():
    assert format_time("yyyy/MM/dd/HH/", MOMENT) == "2024/03/09/07/"
    assert format_time("yyyy-MM-dd'T'HH:mm:ss", MOMENT) == "2024-03-09T07:05:02"
    assert format_time("yy''", MOMENT) == "24'"


def test_default_time_folders_unless_the_prefix_has_a_timestamp():
    assert evaluate(None, MOMENT) == "2024/03/09/07/"
    assert evaluate("logs/", MOMENT) == "logs/2024/03/09/07/"
    assert evaluate("logs/year=!{timestamp:yyyy}/", MOMENT) == "logs/year=2024/"
    assert re.fullmatch(r"r/[A-Za-z0-9]{11}/2024/03/09/07/", evaluate("r/!{firehose:random-string}/", MOMENT))


def test_object_and_error_keys():
    key = object_key("p/", "hose", 3, MOMENT, ".gz")
    assert re.fullmatch(r"p/2024/03/09/07/hose-3-2024-03-09-07-05-02-[0-9a-f-]{36}\.gz", key)
    assert error_key(None, "hose", 1, MOMENT, "processing-failed").startswith("processing-failed/2024/03/09/07/hose-1-")
    assert error_key("e/!{firehose:error-output-type}/!{timestamp:yyyy}/", "hose", 1, MOMENT,
                     "processing-failed").startswith("e/processing-failed/2024/hose-1-")


@pytest.mark.parametrize(("prefix", "error_prefix"), [
    ("a/!{timestamp:yyyy}/", None),                       # expressions need an error output prefix
    ("a/!{firehose:error-output-type}/", "e/"),           # only the error prefix may name the error type
    ("a/!{other:x}/", "e/"),                              # unknown namespace
    ("a/!{firehose:nope}/", "e/"),                        # unknown firehose value
    ("a/!{timestamp:yyyy", "e/"),                         # unclosed expression
    ("a/!{timestamp:yyyy-QQ}/", "e/"),                    # pattern letters overcast cannot evaluate
])
def test_invalid_prefixes(prefix, error_prefix):
    with pytest.raises(InvalidArgument):
        check_prefixes(prefix, error_prefix)


def test_valid_prefixes():
    check_prefixes("a/!{timestamp:yyyy}/", "e/!{firehose:error-output-type}/")
    check_prefixes("plain/", None)
    check_prefixes(None, None)
