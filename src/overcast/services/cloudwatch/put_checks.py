"""PutMetricData's rules beyond the model (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).

At most 1000 datums per call, 150 values and 30 dimensions per datum; Value, Values and
StatisticValues exclusive; Counts as many as Values; values finite and within ±2^360; timestamps up
to two weeks back and two hours ahead; StorageResolution 1 or 60; namespaces starting `AWS/` are
AWS's own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from overcast.services.cloudwatch.errors import (
    InvalidParameterCombination,
    InvalidParameterValue,
    MissingParameter,
)
from overcast.services.cloudwatch.store import Datum, StatisticSet

MAX_DATUMS = 1000
MAX_VALUES = 150
MAX_DIMENSIONS = 30
LIMIT = 2.0 ** 360
TINY = 2.0 ** -260
PAST = 14 * 86400
FUTURE = 2 * 3600


def epoch(value: Any) -> float:
    """A timestamp argument (datetime or number) as epoch seconds."""
    return value.timestamp() if isinstance(value, datetime) else float(value)


def check_namespace(namespace: str | None) -> str:
    """A namespace PutMetricData accepts (AWS/ is AWS's own)."""
    if not namespace:
        raise MissingParameter("The parameter Namespace is required.")
    if namespace.startswith("AWS/"):
        raise InvalidParameterValue(f"The value {namespace} for parameter Namespace is invalid.")
    return namespace


def check_number(value: Any, where: str) -> float:
    """A finite number within ±2^360 (and not below 2^-260 in magnitude, zero aside)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameterValue(f"The value {value!r} for parameter {where} is invalid.")
    number = float(value)
    if not math.isfinite(number) or abs(number) > LIMIT or (number != 0 and abs(number) < TINY):
        raise InvalidParameterValue(f"The value {_show(number)} for parameter {where} is invalid.")
    return number


def check_numbers(values: Sequence[Any], where: str) -> list[float]:
    """`check_number` of each of `values` (`where.member.N`). A list of floats that are all within the
    bounds passes in one sweep; otherwise each is checked in order, so the first bad one is reported."""
    if all(type(v) is float and (-LIMIT <= v <= LIMIT) and (v == 0 or not -TINY < v < TINY) for v in values):
        return list(values)  # (NaN fails every comparison, so it takes the slow path)
    return [check_number(v, f"{where}.member.{i}") for i, v in enumerate(values, 1)]


def _show(number: float) -> str:
    return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity") \
        if math.isinf(number) else repr(number)


def check_dimensions(dimensions: Sequence[Mapping[str, str]] | None, where: str) -> dict[str, str]:
    dims = dimensions or []
    if len(dims) > MAX_DIMENSIONS:
        raise InvalidParameterValue(f"The collection {where} must not have a size greater than {MAX_DIMENSIONS}.")
    out: dict[str, str] = {}
    for index, dim in enumerate(dims, 1):
        name = dim["Name"]
        if name in out:
            raise InvalidParameterValue(f"The value {name} for parameter {where}.member.{index}.Name is duplicated.")
        out[name] = dim["Value"]
    return out


def _values(datum: Mapping[str, Any], where: str) -> tuple[list[float], list[float] | None, StatisticSet | None]:
    has = [name for name in ("Value", "StatisticValues", "Values") if datum.get(name) is not None]
    if len(has) > 1:
        raise InvalidParameterCombination(f"The parameters {where}.{has[0]} and {where}.{has[1]} are mutually "
                                          "exclusive and you have specified both.")
    if datum.get("Value") is not None:
        return [check_number(datum["Value"], f"{where}.Value")], None, None
    if datum.get("StatisticValues") is not None:
        s = datum["StatisticValues"]
        stats = StatisticSet(*(check_number(s[k], f"{where}.StatisticValues.{k}")
                               for k in ("SampleCount", "Sum", "Minimum", "Maximum")))
        if stats.sample_count <= 0 or stats.minimum > stats.maximum:
            raise InvalidParameterValue(f"The parameter {where}.StatisticValues is invalid.")
        return [], None, stats
    raw_values, counts = datum.get("Values") or [], datum.get("Counts")
    if not isinstance(raw_values, list) or (counts is not None and not isinstance(counts, list)):
        raise InvalidParameterValue(f"The parameter {where}.Values is invalid.")
    values = check_numbers(raw_values, f"{where}.Values")
    if len(values) > MAX_VALUES:
        raise InvalidParameterValue(f"The collection {where}.Values must not have a size greater than {MAX_VALUES}.")
    if counts:
        if len(counts) != len(values):
            raise InvalidParameterValue(f"The parameters {where}.Values and {where}.Counts must be of the same size.")
        counts = check_numbers(counts, f"{where}.Counts")
    if not values:
        raise MissingParameter(f"The parameter {where}.Value is required.")
    return values, counts, None


def timestamp_problem(datum: Mapping[str, Any], where: str, now: float) -> str | None:
    """AWS's complaint about a datum's timestamp, if any (AWS lists every datum's, one per line)."""
    if datum.get("Timestamp") is None:
        return None
    timestamp = epoch(datum["Timestamp"])
    if timestamp < now - PAST:
        return f"The parameter {where}.Timestamp must specify a time within the past two weeks."
    if timestamp > now + FUTURE:
        return f"The parameter {where}.Timestamp must specify a time no more than two hours in the future."
    return None


def check_timestamps(entries: Sequence[tuple[str, Mapping[str, Any]]], now: float) -> None:
    """Refuse the call when any datum's timestamp is out of range, listing each one, as AWS does."""
    problems = [p for where, d in entries if (p := timestamp_problem(d, where, now)) is not None]
    if problems:
        raise InvalidParameterValue("\n".join(problems))


def to_datum(account: str, region: str, namespace: str, datum: Mapping[str, Any], where: str,
             now: float) -> Datum:
    """A checked MetricDatum as the store takes it (timestamps checked by `check_timestamps`)."""
    timestamp = epoch(datum["Timestamp"]) if datum.get("Timestamp") is not None else now
    resolution = datum.get("StorageResolution")
    if resolution is not None and resolution not in (1, 60):
        raise InvalidParameterValue(f"The value {resolution} for parameter {where}.StorageResolution is invalid.")
    dims = check_dimensions(datum.get("Dimensions"), f"{where}.Dimensions")
    if not datum.get("MetricName"):
        raise MissingParameter(f"The parameter {where}.MetricName is required.")
    values, counts, stats = _values(datum, where)
    return Datum(account, region, namespace, datum["MetricName"], dims, timestamp, values, counts, stats,
                 datum.get("Unit"), int(resolution or 60))
