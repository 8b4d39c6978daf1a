"""Secrets Manager's pure rules: ListSecrets' word matching, GetRandomPassword, rotation schedules."""

from __future__ import annotations

import datetime as dt
import string

import pytest

from overcast.services.secretsmanager import listing, password, rotation
from overcast.services.secretsmanager.errors import InvalidNextTokenException, InvalidParameterException


def _doc(name: str, description: str = "", tags: dict[str, str] | None = None) -> dict:
    return {"Name": name, "Description": description, "CreatedDate": 0.0,
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()]}


def test_filters_prefix_words_and_negation():
    docs = [_doc("prod/db-password", "Main Database", {"env": "prod"}), _doc("dev/apiKey", "", {"env": "dev"})]

    def names(*filters):
        return [d["Name"] for d in listing.matching(docs, list(filters))]

    assert names({"Key": "name", "Values": ["prod/"]}) == ["prod/db-password"]
    assert names({"Key": "name", "Values": ["Prod/"]}) == []
    assert names({"Key": "description", "Values": ["data"]}) == ["prod/db-password"]
    assert names({"Key": "all", "Values": ["KEY"]}) == ["dev/apiKey"]  # camel case splits words
    assert names({"Key": "tag-value", "Values": ["!prod"]}) == ["dev/apiKey"]
    assert names({"Key": "name", "Values": ["dev", "prod"]}) == ["prod/db-password", "dev/apiKey"]
    with pytest.raises(InvalidParameterException):
        listing.matching(docs, [{"Key": "name", "Values": []}])


def test_pages():
    assert listing.page(list(range(5)), None, 2) == ([0, 1], "2")
    assert listing.page(list(range(5)), "4", 2) == ([4], None)
    with pytest.raises(InvalidNextTokenException):
        listing.page([1], "nope", 2)


def test_passwords():
    for _ in range(20):
        made = password.generate(8)
        assert len(made) == 8
        for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits, password.PUNCTUATION):
            assert set(made) & set(group)
    assert set(password.generate(50, exclude_punctuation=True, exclude_numbers=True)) <= set(string.ascii_letters)
    with pytest.raises(InvalidParameterException):
        password.generate(3)
    with pytest.raises(InvalidParameterException):
        password.generate(10, exclude_lowercase=True, exclude_uppercase=True, exclude_numbers=True,
                          exclude_punctuation=True)


def test_rotation_rules():
    start = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC).timestamp()
    assert rotation.next_rotation({"AutomaticallyAfterDays": 30}, start) == start + 30 * 86400
    assert rotation.next_rotation({"ScheduleExpression": "rate(6 hours)"}, start) == start + 6 * 3600
    cron = rotation.next_rotation({"ScheduleExpression": "cron(0 16 1,15 * ? *)"}, start)
    assert cron is not None
    assert dt.datetime.fromtimestamp(cron, dt.UTC) == dt.datetime(2026, 1, 1, 16, tzinfo=dt.UTC)
    assert rotation.next_rotation(None, start) is None
    for rules in ({"ScheduleExpression": "rate(1 hour)"}, {"ScheduleExpression": "nonsense"},
                  {"Duration": "25h"}, {"AutomaticallyAfterDays": 2, "ScheduleExpression": "rate(2 days)"}):
        with pytest.raises(InvalidParameterException):
            rotation.check_rules(rules)
