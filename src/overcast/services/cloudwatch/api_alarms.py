"""CloudWatch's alarm operations: metric and composite alarms, their history, state and actions
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Operations.html)."""

from __future__ import annotations

import base64
from typing import Any

from botocore import xform_name

from overcast import documents
from overcast.context import RequestContext
from overcast.errors import ClientError
from overcast.services.cloudwatch import alarm_texts as texts
from overcast.services.cloudwatch.alarm_eval import AlarmEvaluator
from overcast.services.cloudwatch.alarm_rule import RuleError, alarm_name, parse
from overcast.services.cloudwatch.alarms import COMPOSITE, METRIC, Alarm, AlarmStore
from overcast.services.cloudwatch.api_base import ApiBase
from overcast.services.cloudwatch.errors import (
    InvalidNextToken,
    InvalidParameterCombination,
    InvalidParameterValue,
    ResourceNotFound,
    validation,
)

METRIC_MEMBERS = ("AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
                  "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit",
                  "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
                  "EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId")
COMPOSITE_MEMBERS = ("AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
                     "AlarmRule", "ActionsSuppressor", "ActionsSuppressorWaitPeriod",
                     "ActionsSuppressorExtensionPeriod")
TREAT_MISSING = ("breaching", "notBreaching", "ignore", "missing")
STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")


class InvalidFormat(ClientError):
    code = "InvalidFormat"


def _members(kwargs: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The model's members among the keyword arguments (botocore's snake_case names mapped back)."""
    return {name: kwargs[xform_name(name)] for name in names if kwargs.get(xform_name(name)) is not None}


class AlarmOperations(ApiBase):
    """PutMetricAlarm, PutCompositeAlarm, DescribeAlarms, DescribeAlarmsForMetric,
    DescribeAlarmHistory, DeleteAlarms, SetAlarmState, EnableAlarmActions, DisableAlarmActions."""

    @property
    def alarms(self) -> AlarmStore:
        return self.platform.component(AlarmStore)

    # -- writes --------------------------------------------------------------------------------

    def put_metric_alarm(self, ctx: RequestContext, alarm_name: str, **kwargs: Any) -> dict[str, Any]:
        config = _members(kwargs, METRIC_MEMBERS)
        _check_metric_alarm(config)
        config.setdefault("ActionsEnabled", True)
        self._save(ctx, alarm_name, METRIC, config, kwargs.get("tags"))
        return {}

    def put_composite_alarm(self, ctx: RequestContext, alarm_name: str, alarm_rule: str,
                            **kwargs: Any) -> dict[str, Any]:
        config = _members({**kwargs, "alarm_rule": alarm_rule}, COMPOSITE_MEMBERS)
        try:
            rule = parse(alarm_rule)
        except RuleError:
            raise validation(f"Error in alarm rule: {alarm_rule}") from None
        missing = [r for r in rule.alarms() if self.alarms.get(ctx.account, ctx.region, alarm_name_of(r)) is None]
        if missing:
            raise validation(f"Could not save the composite alarm as alarms [{', '.join(missing)}] in the alarm "
                             "rule do not exist")
        if alarm_name in {alarm_name_of(r) for r in rule.alarms()}:
            raise validation("A composite alarm cannot refer to itself in its alarm rule.")
        config.setdefault("ActionsEnabled", True)
        self._save(ctx, alarm_name, COMPOSITE, config, kwargs.get("tags"))
        return {}

    def _save(self, ctx: RequestContext, name: str, kind: str, config: dict[str, Any],
              tags: list[dict[str, str]] | None) -> None:
        existing = self.alarms.get(ctx.account, ctx.region, name)
        if existing is not None and existing.kind != kind:
            raise InvalidParameterCombination(f"An alarm named {name} of another type already exists.")
        alarm, created = self.alarms.save(ctx.account, ctx.region, name, kind, config)
        if tags:
            self.tag_arn(alarm.arn, tags)
        word = "created" if created else "updated"
        body = dict(config)
        self.alarms.add_history(alarm, "ConfigurationUpdate", f'Alarm "{name}" {word}',
                                {"version": "1.0", "type": "Create" if created else "Update",
                                 ("createdAlarm" if created else "updatedAlarm"): _camel(body)},
                                self.platform.clock.now())

    def delete_alarms(self, ctx: RequestContext, alarm_names: list[str]) -> dict[str, Any]:
        found = [a for a in (self.alarms.get(ctx.account, ctx.region, n) for n in alarm_names) if a is not None]
        with self.db.tx():
            self.alarms.delete(found)
            for alarm in found:
                self.untag_all(alarm.arn)
        return {}

    def _alarm_exists(self, ctx: RequestContext, name: str) -> bool:
        """For the tag operations: whether the alarm `name` exists."""
        return self.alarms.get(ctx.account, ctx.region, name) is not None

    def set_alarm_state(self, ctx: RequestContext, alarm_name: str, state_value: str, state_reason: str,
                        state_reason_data: str | None = None) -> dict[str, Any]:
        alarm = self._alarm(ctx, alarm_name)
        if state_value not in STATES:
            raise validation(f"1 validation error detected: Value '{state_value}' at 'stateValue' failed to satisfy "
                             "constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]")
        if state_reason_data is not None:
            try:
                documents.loads(state_reason_data)
            except ValueError:
                raise InvalidFormat("Invalid JSON: StateReasonData") from None
        now = self.platform.clock.now()
        self.platform.component(AlarmEvaluator).transition(alarm, state_value, state_reason, state_reason_data, now)
        return {}

    def enable_alarm_actions(self, ctx: RequestContext, alarm_names: list[str]) -> dict[str, Any]:
        return self._actions_enabled(ctx, alarm_names, True)

    def disable_alarm_actions(self, ctx: RequestContext, alarm_names: list[str]) -> dict[str, Any]:
        return self._actions_enabled(ctx, alarm_names, False)

    def _actions_enabled(self, ctx: RequestContext, names: list[str], enabled: bool) -> dict[str, Any]:
        with self.platform.db.tx():
            for name in names:
                alarm = self.alarms.get(ctx.account, ctx.region, name)
                if alarm is not None:
                    alarm.config["ActionsEnabled"] = enabled
                    self.alarms.set_config(alarm)
        return {}

    # -- reads ---------------------------------------------------------------------------------

    def describe_alarms(self, ctx: RequestContext, alarm_names: list[str] | None = None,
                        alarm_name_prefix: str | None = None, alarm_types: list[str] | None = None,
                        children_of_alarm_name: str | None = None, parents_of_alarm_name: str | None = None,
                        state_value: str | None = None, action_prefix: str | None = None,
                        max_records: int | None = None, next_token: str | None = None) -> dict[str, Any]:
        if alarm_names and alarm_name_prefix:
            raise InvalidParameterCombination("AlarmNames and AlarmNamePrefix cannot be specified together.")
        if (children_of_alarm_name or parents_of_alarm_name) and (alarm_names or alarm_name_prefix or state_value
                                                                  or action_prefix):
            raise InvalidParameterCombination(
                "If you specify ChildrenOfAlarmName or ParentsOfAlarmName, you cannot specify any other parameters "
                "in the request except for MaxRecords and NextToken.")
        # without AlarmTypes only metric alarms are returned (ChildrenOf/ParentsOf look at both kinds)
        kinds = alarm_types or ([METRIC, COMPOSITE] if children_of_alarm_name or parents_of_alarm_name else [METRIC])
        alarms = self.alarms.all(ctx.account, ctx.region)
        if alarm_names:
            wanted = set(alarm_names)
            alarms = [a for a in alarms if a.name in wanted]
        if alarm_name_prefix:
            alarms = [a for a in alarms if a.name.startswith(alarm_name_prefix)]
        if state_value:
            alarms = [a for a in alarms if a.state == state_value]
        if action_prefix:
            alarms = [a for a in alarms if any(x.startswith(action_prefix) for x in
                                               [*a.actions_for("ALARM"), *a.actions_for("OK"),
                                                *a.actions_for("INSUFFICIENT_DATA")])]
        if children_of_alarm_name:
            alarms = self._children(ctx, children_of_alarm_name, alarms)
        if parents_of_alarm_name:
            alarms = [a for a in alarms if a.kind == COMPOSITE and parents_of_alarm_name in _referenced(a)]
        alarms = [a for a in alarms if a.kind in kinds]
        page, token = _page(alarms, max_records or 50, next_token)
        out: dict[str, Any] = {"MetricAlarms": [metric_alarm(a) for a in page if a.kind == METRIC],
                               "CompositeAlarms": [composite_alarm(a) for a in page if a.kind == COMPOSITE]}
        if token:
            out["NextToken"] = token
        return out

    def _children(self, ctx: RequestContext, name: str, alarms: list[Alarm]) -> list[Alarm]:
        parent = self.alarms.get(ctx.account, ctx.region, name)
        if parent is None or parent.kind != COMPOSITE:
            return []
        referenced = _referenced(parent)
        return [a for a in alarms if a.name in referenced]

    def describe_alarms_for_metric(self, ctx: RequestContext, metric_name: str, namespace: str,
                                   statistic: str | None = None, extended_statistic: str | None = None,
                                   dimensions: list[dict[str, str]] | None = None, period: int | None = None,
                                   unit: str | None = None) -> dict[str, Any]:
        wanted_dims = sorted((d["Name"], d["Value"]) for d in dimensions or [])

        def matches(c: dict[str, Any]) -> bool:
            if c.get("MetricName") != metric_name or c.get("Namespace") != namespace:
                return False
            if dimensions is not None and sorted((d["Name"], d["Value"]) for d in c.get("Dimensions") or []) \
                    != wanted_dims:
                return False
            return all(value is None or c.get(key) == value for key, value in (
                ("Statistic", statistic), ("ExtendedStatistic", extended_statistic), ("Period", period),
                ("Unit", unit)))

        alarms = [a for a in self.alarms.all(ctx.account, ctx.region) if a.kind == METRIC and matches(a.config)]
        return {"MetricAlarms": [metric_alarm(a) for a in alarms]}

    def describe_alarm_history(self, ctx: RequestContext, alarm_name: str | None = None,
                               alarm_types: list[str] | None = None, history_item_type: str | None = None,
                               start_date: Any = None, end_date: Any = None, max_records: int | None = None,
                               next_token: str | None = None, scan_by: str | None = None,
                               **_: Any) -> dict[str, Any]:
        # without AlarmTypes only metric alarms' items come back (AWS's documented default)
        rows = self.alarms.history(ctx.account, ctx.region, name=alarm_name, kinds=alarm_types or [METRIC],
                                   item_type=history_item_type, start=_epoch(start_date), end=_epoch(end_date),
                                   ascending=scan_by == "TimestampAscending")
        page, token = _page(rows, max_records or 100, next_token)
        items = [{"AlarmName": r["name"], "AlarmType": r["kind"], "Timestamp": r["ts"],
                  "HistoryItemType": r["item_type"], "HistorySummary": r["summary"], "HistoryData": r["data"]}
                 for r in page]
        out: dict[str, Any] = {"AlarmHistoryItems": items}
        if token:
            out["NextToken"] = token
        return out

    def _alarm(self, ctx: RequestContext, name: str) -> Alarm:
        alarm = self.alarms.get(ctx.account, ctx.region, name)
        if alarm is None:
            raise ResourceNotFound(f"Alarm {name} not found")
        return alarm


def alarm_name_of(reference: str) -> str:
    return alarm_name(reference)


def _referenced(alarm: Alarm) -> set[str]:
    try:
        return {alarm_name(r) for r in parse(alarm.config.get("AlarmRule", "")).alarms()}
    except RuleError:
        return set()


def _check_metric_alarm(c: dict[str, Any]) -> None:
    """AWS's checks of PutMetricAlarm beyond its model."""
    if c.get("Metrics") and (c.get("MetricName") or c.get("Namespace") or c.get("Statistic")
                             or c.get("ExtendedStatistic") or c.get("Dimensions") or c.get("Period")):
        raise InvalidParameterCombination("The parameters MetricName, Namespace, Statistic, ExtendedStatistic, "
                                          "Dimensions, Period and Unit cannot be set together with Metrics.")
    if not c.get("Metrics"):
        for member in ("MetricName", "Namespace", "Period"):
            if c.get(member) is None:
                raise validation(f"{member} must not be null")
        if bool(c.get("Statistic")) == bool(c.get("ExtendedStatistic")):
            raise InvalidParameterCombination("Exactly one of Statistic or ExtendedStatistic must be specified.")
    elif sum(1 for q in c["Metrics"] if q.get("ReturnData", True)) != 1:
        raise validation("Exactly one element of the metrics list should return data.")
    for member in ("EvaluationPeriods", "ComparisonOperator"):
        if c.get(member) is None:
            raise validation(f"{member} must not be null")
    if c.get("DatapointsToAlarm") is not None and c["DatapointsToAlarm"] > c["EvaluationPeriods"]:
        raise validation("DatapointsToAlarm must be less than or equal to EvaluationPeriods")
    if c.get("TreatMissingData") is not None and c["TreatMissingData"] not in TREAT_MISSING:
        raise InvalidParameterValue(f"The value {c['TreatMissingData']} is not valid for TreatMissingData. "
                                    "Valid values are: breaching, notBreaching, ignore, missing.")
    if c.get("ComparisonOperator") in texts.COMPARISONS and c.get("Threshold") is None and not c.get("ThresholdMetricId"):
        raise validation("Threshold must not be null")


def _state(alarm: Alarm) -> dict[str, Any]:
    out: dict[str, Any] = {"StateValue": alarm.state, "StateReason": alarm.reason}
    if alarm.reason_data:
        out["StateReasonData"] = alarm.reason_data
    out["StateUpdatedTimestamp"] = alarm.state_updated
    out["StateTransitionedTimestamp"] = alarm.transitioned
    return out


def metric_alarm(alarm: Alarm) -> dict[str, Any]:
    """The API's MetricAlarm structure."""
    c = alarm.config
    out: dict[str, Any] = {"AlarmName": alarm.name, "AlarmArn": alarm.arn}
    if c.get("AlarmDescription") is not None:
        out["AlarmDescription"] = c["AlarmDescription"]
    out["AlarmConfigurationUpdatedTimestamp"] = alarm.config_updated
    out["ActionsEnabled"] = alarm.actions_enabled
    for key in ("OKActions", "AlarmActions", "InsufficientDataActions"):
        out[key] = list(c.get(key) or [])
    out.update(_state(alarm))
    for key in ("MetricName", "Namespace", "Statistic", "ExtendedStatistic"):
        if c.get(key) is not None:
            out[key] = c[key]
    if not c.get("Metrics"):
        out["Dimensions"] = list(c.get("Dimensions") or [])
    for key in ("Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator",
                "TreatMissingData", "EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId"):
        if c.get(key) is not None:
            out[key] = c[key]
    return out


def composite_alarm(alarm: Alarm) -> dict[str, Any]:
    """The API's CompositeAlarm structure."""
    c = alarm.config
    out: dict[str, Any] = {"ActionsEnabled": alarm.actions_enabled}
    for key in ("AlarmActions",):
        out[key] = list(c.get(key) or [])
    out["AlarmArn"] = alarm.arn
    out["AlarmConfigurationUpdatedTimestamp"] = alarm.config_updated
    if c.get("AlarmDescription") is not None:
        out["AlarmDescription"] = c["AlarmDescription"]
    out["AlarmName"] = alarm.name
    out["AlarmRule"] = c.get("AlarmRule")
    out["InsufficientDataActions"] = list(c.get("InsufficientDataActions") or [])
    out["OKActions"] = list(c.get("OKActions") or [])
    out.update(_state(alarm))
    for key in ("ActionsSuppressor", "ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod"):
        if c.get(key) is not None:
            out[key] = c[key]
    return out


def _camel(config: dict[str, Any]) -> dict[str, Any]:
    return {k[:1].lower() + k[1:]: v for k, v in config.items()}


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    return value.timestamp() if hasattr(value, "timestamp") else float(value)


def _page(items: list[Any], size: int, token: str | None) -> tuple[list[Any], str | None]:
    start = 0
    if token:
        try:
            start = int(base64.b64decode(token).decode())
        except ValueError:
            raise InvalidNextToken("The service cannot find the next token provided.") from None
    page = items[start:start + size]
    more = start + size < len(items)
    return page, base64.b64encode(str(start + size).encode()).decode() if more else None
