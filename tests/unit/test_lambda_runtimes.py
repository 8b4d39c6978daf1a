"""Lambda's runtime catalogue: AWS's deprecation table read by date, the check CreateFunction and
UpdateFunctionConfiguration make, and the runtime a deprecated one runs on in legacy mode."""

from __future__ import annotations

import datetime as dt

import botocore.session
import pytest

from overcast.services.lambda_ import runtimes
from overcast.services.lambda_.config import PYTHON_RUNTIMES, check_runtime
from overcast.services.lambda_.errors import InvalidParameterValue

TODAY = dt.date(2026, 12, 7)
NO_LONGER = ("The runtime parameter of {} is no longer supported for creating or updating AWS Lambda functions. "
             "We recommend you use a supported runtime while creating or updating functions.")


def test_every_runtime_of_the_api_model_is_catalogued():
    enum = botocore.session.get_session().get_service_model("lambda").shape_for("Runtime").enum
    assert set(enum) <= set(runtimes.CATALOGUE)
    assert runtimes.api_enum() == tuple(enum)


def test_families():
    assert runtimes.family("nodejs14.x") == "nodejs"
    assert runtimes.family("nodejs") == "nodejs"
    assert runtimes.family("python3.8") == "python"
    assert runtimes.family("provided.al2023") == "provided"
    assert runtimes.family("java21") == "java" and runtimes.family("dotnet8") == "dotnet"
    assert runtimes.family("ruby3.3") == "ruby" and runtimes.family("go1.x") == "go"
    assert runtimes.family("cobol1.0") is None
    assert {"python3.8", "python3.12", "python3.14"} <= PYTHON_RUNTIMES
    assert not any(name.startswith("nodejs") for name in PYTHON_RUNTIMES)


def test_dates_are_consistent():
    for runtime in runtimes.CATALOGUE.values():
        dates = [d for d in (runtime.deprecated, runtime.block_create, runtime.block_update) if d]
        assert dates == sorted(dates), runtime.name
        assert len(dates) in (0, 3), runtime.name


@pytest.mark.parametrize("name, day, blocked", [
    ("nodejs14.x", dt.date(2024, 1, 8), False),
    ("nodejs14.x", dt.date(2024, 1, 9), True),
    # AWS still let you create nodejs16.x functions in late 2025: its block date came in 2026
    ("nodejs16.x", dt.date(2025, 11, 30), False),
    ("nodejs16.x", TODAY, True),
    ("python3.8", TODAY, True),
    ("python3.12", TODAY, False),
    ("nodejs22.x", TODAY, False),
    ("nodejs22.x", dt.date(2027, 6, 1), True),
    ("nodejs26.x", dt.date(2040, 1, 1), False),  # no date published: supported
])
def test_block_create_by_date(name, day, blocked):
    assert runtimes.CATALOGUE[name].blocks_create(day) is blocked


def test_check_runtime_refuses_a_blocked_runtime_with_aws_message():
    with pytest.raises(InvalidParameterValue) as info:
        check_runtime("nodejs14.x", TODAY)
    assert info.value.message == NO_LONGER.format("nodejs14.x")
    assert info.value.code == "InvalidParameterValueException"
    check_runtime("nodejs16.x", dt.date(2025, 11, 30))  # accepted then


def test_check_runtime_update_uses_the_update_block_date():
    between = dt.date(2026, 3, 1)  # nodejs16.x: creation blocked on 2026-02-28, updates on 2026-03-31
    with pytest.raises(InvalidParameterValue):
        check_runtime("nodejs16.x", between)
    check_runtime("nodejs16.x", between, updating=True)
    with pytest.raises(InvalidParameterValue):
        check_runtime("nodejs16.x", dt.date(2026, 3, 31), updating=True)


def test_legacy_mode_accepts_deprecated_runtimes():
    for name in ("nodejs14.x", "nodejs16.x", "python3.8", "python2.7", "java8", "go1.x"):
        check_runtime(name, TODAY, legacy=True)


def test_unknown_runtime_is_refused_with_the_enum_even_in_legacy_mode():
    for legacy in (False, True):
        with pytest.raises(InvalidParameterValue) as info:
            check_runtime("nodejs99.x", TODAY, legacy=legacy)
        message = info.value.message
        assert message.startswith("Value nodejs99.x at 'runtime' failed to satisfy constraint: Member must satisfy "
                                  "enum value set: [nodejs, nodejs4.3, ")
        assert message.endswith("] or be a valid ARN")
        assert "python3.12, " in message and "provided.al2023, " in message


def test_runtimes_overcast_cannot_run_are_still_created():
    for name in ("java21", "dotnet8", "ruby3.3"):
        check_runtime(name, TODAY)
    check_runtime("arn:aws:lambda:us-east-1:123456789012:runtime:my-runtime", TODAY)


@pytest.mark.parametrize("name, runs_on", [
    ("nodejs14.x", "nodejs22.x"),
    ("nodejs16.x", "nodejs22.x"),
    ("nodejs", "nodejs22.x"),
    ("python3.8", "python3.12"),
    ("python2.7", "python3.12"),
    ("provided", "provided.al2023"),
    ("go1.x", "provided.al2023"),
    ("python3.13", "python3.13"),  # a supported runtime runs on itself
])
def test_successor_is_the_oldest_creatable_runtime_of_the_family(name, runs_on):
    assert runtimes.successor(name, TODAY) == runs_on


def test_successor_moves_with_the_date():
    assert runtimes.successor("nodejs14.x", dt.date(2025, 11, 30)) == "nodejs16.x"


def test_legacy_note():
    assert runtimes.legacy_note("nodejs14.x", TODAY) == \
        "overcast: nodejs14.x is deprecated on AWS; running it on nodejs22.x"
    assert runtimes.legacy_note("python3.8", TODAY) == \
        "overcast: python3.8 is deprecated on AWS; running it on python3.12"
    assert runtimes.legacy_note("python3.12", TODAY) is None
    assert runtimes.legacy_note(None, TODAY) is None


def test_today_is_utc():
    assert runtimes.today_utc(dt.datetime(2026, 12, 7, 23, 59, tzinfo=dt.UTC).timestamp()) == TODAY


def test_legacy_flag_and_environment_variable():
    from overcast.cli import build_parser
    from overcast.config import Config

    assert Config.from_env({}).legacy_runtimes is False
    assert Config.from_env({"OVERCAST_LEGACY_RUNTIMES": "1"}).legacy_runtimes is True
    assert Config.from_env({}, legacy_runtimes=True).legacy_runtimes is True
    assert build_parser().parse_args(["up", "--legacy-runtimes"]).legacy_runtimes is True
    assert build_parser().parse_args(["up"]).legacy_runtimes is False


def test_with_legacy_note_leads_the_init_lines():
    now = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC).timestamp()
    init = [(int(now * 1000) - 5, "init line")]
    assert runtimes.with_legacy_note("python3.12", now, init) is init
    assert runtimes.with_legacy_note("nodejs14.x", now, init) == [
        (int(now * 1000) - 5, "overcast: nodejs14.x is deprecated on AWS; running it on nodejs22.x"), *init]
    assert runtimes.with_legacy_note("nodejs14.x", now, []) == [
        (int(now * 1000), "overcast: nodejs14.x is deprecated on AWS; running it on nodejs22.x")]
