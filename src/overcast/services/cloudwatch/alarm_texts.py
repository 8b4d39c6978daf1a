"""The words and documents of alarms, as AWS writes them (state side).

- StateReason texts: "Threshold Crossed: 1 datapoint [2.0 (07/12/26 10:00:00)] was greater than or
  equal to the threshold (1.0)." (with DatapointsToAlarm: "1 out of the last 3 datapoints [...] was
  ... (minimum 1 datapoint for OK -> ALARM transition).")
- dates: datapoints in reasons as dd/mm/yy HH:MM:SS (UTC); JSON dates as 2026-12-07T10:00:00.000+0000.
- the SNS notification (`notification`), the event a Lambda action receives (`lambda_event`,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-actions-Lambda)
  and the `CloudWatch Alarm State Change` event (`state_change_detail`,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from functools import lru_cache
from typing import Any

from overcast.services.cloudwatch.alarms import COMPOSITE, Alarm

COMPARISONS = {
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "GreaterThanThreshold": "greater than",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}
#: the Statistic of a notification's Trigger (AWS spells them in capitals)
TRIGGER_STATISTICS = {"SampleCount": "SAMPLE_COUNT", "Average": "AVERAGE", "Sum": "SUM", "Minimum": "MINIMUM",
                      "Maximum": "MAXIMUM"}


def point_time(ts: float) -> str:
    """A datapoint's time in a StateReason: 07/12/26 10:00:00 (day/month/year, UTC)."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%d/%m/%y %H:%M:%S")


def json_time(ts: float) -> str:
    """A time in AWS's alarm documents: 2026-12-07T10:00:00.000+0000."""
    moment = dt.datetime.fromtimestamp(ts, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def number(value: float) -> str:
    """A number as AWS prints it in texts (Java's Double.toString for the usual range)."""
    return repr(float(value))


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def crossed_reason(points: list[tuple[float, float]], *, breaching: bool, operator: str, threshold: float,
                   evaluated: int, datapoints_to_alarm: int | None) -> str:
    """ "Threshold Crossed: ..." for `points` (timestamp, value), most recent first."""
    words = COMPARISONS.get(operator, operator)
    relation = words if breaching else f"not {words}"
    listed = ", ".join(f"{number(v)} ({point_time(t)})" for t, v in points)
    verb = "was" if len(points) == 1 else "were"
    if datapoints_to_alarm is None:
        return (f"Threshold Crossed: {_count(len(points), 'datapoint')} [{listed}] {verb} {relation} the "
                f"threshold ({number(threshold)}).")
    needed = datapoints_to_alarm if breaching else 1
    transition = "OK -> ALARM" if breaching else "ALARM -> OK"
    return (f"Threshold Crossed: {len(points)} out of the last {evaluated} datapoints [{listed}] {verb} "
            f"{relation} the threshold ({number(threshold)}) (minimum {_count(needed, 'datapoint')} for "
            f"{transition} transition).")


def missing_reason(periods: int, breaching: bool) -> str:
    """No data at all, with TreatMissingData breaching or notBreaching."""
    treated = "Breaching" if breaching else "NonBreaching"
    verb = "was" if periods == 1 else "were"
    return (f"Threshold Crossed: no datapoints were received for {_count(periods, 'period')} and "
            f"{_count(periods, 'missing datapoint')} {verb} treated as [{treated}].")


def insufficient_reason(periods: int) -> str:
    verb = "was" if periods == 1 else "were"
    return f"Insufficient Data: {_count(periods, 'datapoint')} {verb} unknown."


@lru_cache(maxsize=64)
def region_name(region: str) -> str:
    """A region's long name as notifications give it ("US East (N. Virginia)"), from botocore."""
    from botocore.loaders import Loader

    for partition in Loader().load_data("endpoints").get("partitions", []):
        described = partition.get("regions", {}).get(region)
        if described and described.get("description"):
            return str(described["description"])
    return region


# -- actions' documents ------------------------------------------------------------------------


def subject(alarm: Alarm, state: str) -> str:
    """The SNS Subject: ALARM: "name" in US East (N. Virginia) (SNS allows 100 characters)."""
    text = f'{state}: "{alarm.name}" in {region_name(alarm.region)}'
    return text if len(text) <= 100 else text[:97] + "..."


def notification(alarm: Alarm, old_state: str, now: float) -> dict[str, Any]:
    """The JSON message an alarm publishes to its SNS actions."""
    c = alarm.config
    message: dict[str, Any] = {
        "AlarmName": alarm.name,
        "AlarmDescription": c.get("AlarmDescription"),
        "AWSAccountId": alarm.account,
        "AlarmConfigurationUpdatedTimestamp": json_time(alarm.config_updated),
        "NewStateValue": alarm.state,
        "NewStateReason": alarm.reason,
        "StateChangeTime": json_time(now),
        "Region": region_name(alarm.region),
        "AlarmArn": alarm.arn,
        "OldStateValue": old_state,
        "OKActions": list(c.get("OKActions") or []),
        "AlarmActions": list(c.get("AlarmActions") or []),
        "InsufficientDataActions": list(c.get("InsufficientDataActions") or []),
    }
    if alarm.kind == COMPOSITE:
        message["AlarmRule"] = c.get("AlarmRule")
        return message
    message["Trigger"] = trigger(c)
    return message


def trigger(c: dict[str, Any]) -> dict[str, Any]:
    """A metric alarm's Trigger section of its notification."""
    out: dict[str, Any] = {}
    if c.get("Metrics"):
        out["Metrics"] = [_trigger_query(q) for q in c["Metrics"]]
    else:
        out["MetricName"] = c.get("MetricName")
        out["Namespace"] = c.get("Namespace")
        if c.get("ExtendedStatistic"):
            out["StatisticType"] = "ExtendedStatistic"
            out["ExtendedStatistic"] = c["ExtendedStatistic"]
        else:
            out["StatisticType"] = "Statistic"
            out["Statistic"] = TRIGGER_STATISTICS.get(c.get("Statistic", ""), c.get("Statistic"))
        out["Unit"] = c.get("Unit")
        out["Dimensions"] = [{"value": d["Value"], "name": d["Name"]} for d in c.get("Dimensions") or []]
        out["Period"] = c.get("Period")
    out["EvaluationPeriods"] = c.get("EvaluationPeriods")
    if c.get("DatapointsToAlarm") is not None:
        out["DatapointsToAlarm"] = c["DatapointsToAlarm"]
    out["ComparisonOperator"] = c.get("ComparisonOperator")
    out["Threshold"] = float(c.get("Threshold") or 0.0)
    out["TreatMissingData"] = c.get("TreatMissingData") or "missing"
    out["EvaluateLowSampleCountPercentile"] = c.get("EvaluateLowSampleCountPercentile") or ""
    return out


def _trigger_query(q: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Id": q["Id"]}
    if q.get("Expression") is not None:
        out["Expression"] = q["Expression"]
    if q.get("Label") is not None:
        out["Label"] = q["Label"]
    if q.get("MetricStat"):
        stat = q["MetricStat"]
        metric = stat["Metric"]
        out["MetricStat"] = {
            "Metric": {"Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in metric.get("Dimensions") or []],
                       "MetricName": metric.get("MetricName"), "Namespace": metric.get("Namespace")},
            "Period": stat.get("Period"), "Stat": stat.get("Stat")}
        if stat.get("Unit"):
            out["MetricStat"]["Unit"] = stat["Unit"]
    out["ReturnData"] = q.get("ReturnData", True)
    return out


def _state_block(state: str, reason: str, reason_data: str | None, ts: float) -> dict[str, Any]:
    block: dict[str, Any] = {"value": state, "reason": reason}
    if reason_data:
        block["reasonData"] = reason_data
    block["timestamp"] = json_time(ts)
    return block


def configuration(alarm: Alarm) -> dict[str, Any]:
    """The `configuration` of Lambda alarm events and state-change events."""
    c = alarm.config
    out: dict[str, Any] = {}
    if c.get("AlarmDescription") is not None:
        out["description"] = c["AlarmDescription"]
    if alarm.kind == COMPOSITE:
        out["alarmRule"] = c.get("AlarmRule")
        return out
    if c.get("Metrics"):
        out["metrics"] = [_event_query(q) for q in c["Metrics"]]
    else:
        out["metrics"] = [{
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, alarm.arn)),
            "metricStat": {
                "metric": {"namespace": c.get("Namespace"), "name": c.get("MetricName"),
                           "dimensions": {d["Name"]: d["Value"] for d in c.get("Dimensions") or []}},
                "period": c.get("Period"),
                "stat": c.get("ExtendedStatistic") or c.get("Statistic"),
            },
            "returnData": True,
        }]
    return out


def _event_query(q: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q["Id"]}
    if q.get("MetricStat"):
        stat, metric = q["MetricStat"], q["MetricStat"]["Metric"]
        out["metricStat"] = {"metric": {"namespace": metric.get("Namespace"), "name": metric.get("MetricName"),
                                        "dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}},
                             "period": stat.get("Period"), "stat": stat.get("Stat")}
    if q.get("Expression") is not None:
        out["expression"] = q["Expression"]
    if q.get("Label") is not None:
        out["label"] = q["Label"]
    out["returnData"] = q.get("ReturnData", True)
    return out


def state_change_detail(alarm: Alarm, previous: tuple[str, str, str | None, float]) -> dict[str, Any]:
    """The `detail` of the `CloudWatch Alarm State Change` event (and `alarmData` of Lambda's)."""
    old_state, old_reason, old_data, old_ts = previous
    return {
        "alarmName": alarm.name,
        "state": _state_block(alarm.state, alarm.reason, alarm.reason_data, alarm.state_updated),
        "previousState": _state_block(old_state, old_reason, old_data, old_ts),
        "configuration": configuration(alarm),
    }


def lambda_event(alarm: Alarm, previous: tuple[str, str, str | None, float], now: float) -> dict[str, Any]:
    """What a Lambda function named in an alarm's actions receives."""
    return {
        "source": "aws.cloudwatch",
        "alarmArn": alarm.arn,
        "accountId": alarm.account,
        "time": json_time(now),
        "region": alarm.region,
        "alarmData": state_change_detail(alarm, previous),
    }


def dumps(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"))
