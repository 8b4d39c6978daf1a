"""Alarm evaluation and state changes (state side): what AWS's alarm engine does each minute.

A metric alarm looks at its last `EvaluationPeriods` complete periods through `get_metric_data` (the
one query engine), compares each datapoint with its threshold, fills missing periods as
`TreatMissingData` says, and goes to ALARM when at least `DatapointsToAlarm` of them breach
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation).
Periods follow the platform clock: with `OVERCAST_TIME_SCALE` < 1 an alarm's period lasts its scaled
length (at least one second, over the high-resolution data the platform then records).

A state change is recorded in the alarm's history, put on EventBridge's default bus as a
`CloudWatch Alarm State Change` event, and (actions enabled) delivered to the alarm's actions for the
new state through the outbox (docs/delivery.md); composite alarms over it are evaluated again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from typing import Any

from overcast import arns, delivery
from overcast.metrics import scaled_period
from overcast.platform import Platform
from overcast.services.cloudwatch import alarm_texts as texts
from overcast.services.cloudwatch.alarm_rule import RuleError, alarm_name, parse
from overcast.services.cloudwatch.alarms import COMPOSITE, METRIC, SIGNAL, Alarm, AlarmStore
from overcast.services.cloudwatch.store import get_metric_data, metric_store

log = logging.getLogger("overcast.cloudwatch")

ALARM, OK, INSUFFICIENT = "ALARM", "OK", "INSUFFICIENT_DATA"
#: real seconds the loop waits at most between two looks at the alarms table
MAX_WAIT = 5.0


def query_period(platform: Platform, period: int) -> int:
    """The period, in real seconds, an alarm of `period` AWS seconds queries on this clock."""
    return scaled_period(period, platform.clock.scale)


def breaches(value: float, operator: str, threshold: float) -> bool:
    if operator == "GreaterThanOrEqualToThreshold":
        return value >= threshold
    if operator == "GreaterThanThreshold":
        return value > threshold
    if operator == "LessThanThreshold":
        return value < threshold
    if operator == "LessThanOrEqualToThreshold":
        return value <= threshold
    return False


class AlarmEvaluator:
    """Evaluates due alarms and carries out state changes; one per platform."""

    SIGNAL = SIGNAL

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.alarms = platform.component(AlarmStore)
        self.store = metric_store(platform)
        self._pruned = 0.0

    def next_wait(self) -> float:
        due = self.alarms.next_due()
        if due is None:
            return MAX_WAIT
        return max(0.02, min(MAX_WAIT, due - self.platform.clock.now()))

    def interval(self, alarm: Alarm) -> float:
        """Real seconds between evaluations: AWS evaluates every minute (every period when shorter)."""
        period = int(alarm.config.get("Period") or _metrics_period(alarm.config) or 60)
        return max(0.05, self.platform.clock.scaled(min(60, period)))

    async def evaluate_due(self) -> None:
        now = self.platform.clock.now()
        if now - self._pruned > 3600:
            self._pruned = now
            self.alarms.prune_history(now)
        for alarm in self.alarms.due(now):
            try:
                if alarm.kind == METRIC:
                    self.evaluate_metric(alarm, now)
                else:
                    self.evaluate_composite(alarm, now)
            except Exception:  # one broken alarm must not stop the others
                log.exception("evaluating alarm %s failed", alarm.arn)
            self.alarms.schedule(alarm, now + self.interval(alarm))

    # -- metric alarms -------------------------------------------------------------------------

    def evaluate_metric(self, alarm: Alarm, now: float) -> None:
        c = alarm.config
        aws_period = int(c.get("Period") or _metrics_period(c) or 60)
        n = int(c.get("EvaluationPeriods") or 1)
        m = int(c.get("DatapointsToAlarm") or n)
        # at a time scale the periods shrink (the platform's own metrics are recorded per scaled
        # minute); custom metrics put at standard resolution have only 1-minute rows: without data in
        # the scaled periods they are read per real minute
        periods = [query_period(self.platform, aws_period)]
        if not _platform_metric(c):
            periods.append(min(aws_period, 60))
        for period in dict.fromkeys(periods):
            end = float(math.floor(now / period) * period)
            start = end - n * period
            values, samples, return_id = self._query(alarm, period, start, end, now)
            if values:
                break
        slots = [float(start + i * period) for i in range(n)]
        present = [(t, values[t]) for t in reversed(slots) if t in values]  # most recent first
        operator, threshold = c.get("ComparisonOperator", ""), float(c.get("Threshold") or 0.0)
        treat = c.get("TreatMissingData") or "missing"
        data = self._reason_data(c, aws_period, start, now, slots, values, samples, return_id is not None)
        if not present:
            if treat == "ignore":
                return
            if treat == "missing":
                self.transition(alarm, INSUFFICIENT, texts.insufficient_reason(n), data, now)
            else:
                state = ALARM if treat == "breaching" else OK
                self.transition(alarm, state, texts.missing_reason(n, treat == "breaching"), data, now)
            return
        breaching = [p for p in present if breaches(p[1], operator, threshold)]
        missing_breach = n - len(present) if treat == "breaching" else 0
        explicit = c.get("DatapointsToAlarm")
        if len(breaching) + missing_breach >= m:
            reason = texts.crossed_reason(breaching or present, breaching=True, operator=operator,
                                          threshold=threshold, evaluated=n,
                                          datapoints_to_alarm=int(explicit) if explicit else None)
            self.transition(alarm, ALARM, reason, data, now)
            return
        calm = [p for p in present if not breaches(p[1], operator, threshold)]
        if not calm:
            return  # too few datapoints to decide either way: the state stays
        reason = texts.crossed_reason(calm, breaching=False, operator=operator, threshold=threshold, evaluated=n,
                                      datapoints_to_alarm=int(explicit) if explicit else None)
        self.transition(alarm, OK, reason, data, now)

    def _query(self, alarm: Alarm, period: int, start: float, end: float, now: float
               ) -> tuple[dict[float, float], dict[float, float], str | None]:
        """{timestamp: value} of the alarm's metric (or returned expression), {timestamp: samples}
        (single-metric alarms), and the Id of the returned query (metric-math alarms)."""
        c = alarm.config
        if c.get("Metrics"):
            queries = [_with_period(q, period) for q in c["Metrics"]]
            wanted = next((q["Id"] for q in queries if q.get("ReturnData", True)), queries[0]["Id"])
            for q in queries:
                q["ReturnData"] = q["Id"] == wanted
            results = get_metric_data(self.store, alarm.account, alarm.region, queries, start, end, now=now)
            result = results[0] if results else {"Timestamps": [], "Values": []}
            return dict(zip(_stamps(result), result["Values"], strict=True)), {}, wanted
        metric = {"Namespace": c.get("Namespace"), "MetricName": c.get("MetricName"),
                  "Dimensions": c.get("Dimensions") or []}
        stat: dict[str, Any] = {"Metric": metric, "Period": period,
                                "Stat": c.get("ExtendedStatistic") or c.get("Statistic") or "Average"}
        if c.get("Unit"):
            stat["Unit"] = c["Unit"]
        queries = [{"Id": "v", "MetricStat": stat, "ReturnData": True},
                   {"Id": "n", "MetricStat": {**stat, "Stat": "SampleCount"}, "ReturnData": True}]
        results = get_metric_data(self.store, alarm.account, alarm.region, queries, start, end, now=now)
        by_id = {r["Id"]: r for r in results}
        values = dict(zip(_stamps(by_id["v"]), by_id["v"]["Values"], strict=True))
        samples = dict(zip(_stamps(by_id["n"]), by_id["n"]["Values"], strict=True))
        return values, samples, None

    @staticmethod
    def _reason_data(c: dict[str, Any], period: int, start: float, now: float, slots: list[float],
                     values: dict[float, float], samples: dict[float, float], math_alarm: bool) -> dict[str, Any]:
        """StateReasonData as AWS gives it for a threshold evaluation."""
        data: dict[str, Any] = {"version": "1.0", "queryDate": texts.json_time(now),
                                "startDate": texts.json_time(start)}
        if not math_alarm:
            if c.get("ExtendedStatistic"):
                data["extendedStatistic"] = c["ExtendedStatistic"]
            else:
                data["statistic"] = c.get("Statistic")
        data["period"] = period
        data["recentDatapoints"] = [values[t] for t in slots if t in values]
        data["threshold"] = float(c.get("Threshold") or 0.0)
        evaluated = []
        for t in reversed(slots):
            point: dict[str, Any] = {"timestamp": texts.json_time(t)}
            if t in values:
                if t in samples:
                    point["sampleCount"] = samples[t]
                point["value"] = values[t]
            evaluated.append(point)
        data["evaluatedDatapoints"] = evaluated
        return data

    # -- composite alarms ----------------------------------------------------------------------

    def evaluate_composite(self, alarm: Alarm, now: float, trigger: Alarm | None = None) -> None:
        try:
            rule = parse(alarm.config.get("AlarmRule", ""))
        except RuleError:
            return
        children: dict[str, Alarm | None] = {}

        def state_of(reference: str) -> str | None:
            if reference not in children:
                children[reference] = self.alarms.get(alarm.account, alarm.region, alarm_name(reference))
            child = children[reference]
            return child.state if child is not None else None

        state = ALARM if rule.evaluate(state_of) else OK
        if state == alarm.state:
            return
        chosen = trigger or next((a for a in children.values() if a is not None), None)
        if chosen is None:
            reason = f"Composite alarm rule evaluated to {'TRUE' if state == ALARM else 'FALSE'}."
            data: dict[str, Any] = {"triggeringAlarms": []}
        else:
            moment = dt.datetime.fromtimestamp(chosen.transitioned, dt.UTC)
            reason = f"{chosen.arn} transitioned to {chosen.state} at {moment:%A %d %B, %Y %H:%M:%S} UTC"
            data = {"triggeringAlarms": [{"arn": chosen.arn, "state": {
                "value": chosen.state, "timestamp": texts.json_time(chosen.transitioned)}}]}
        self.transition(alarm, state, reason, data, now)

    def _parents(self, child: Alarm, now: float, depth: int) -> None:
        if depth > 5:
            return
        for parent in self.alarms.composites(child.account, child.region):
            try:
                referenced = {alarm_name(r) for r in parse(parent.config.get("AlarmRule", "")).alarms()}
            except RuleError:
                continue
            if child.name in referenced:
                before = parent.state
                self.evaluate_composite(parent, now, trigger=child)
                if parent.state != before:
                    self._parents(parent, now, depth + 1)

    # -- state changes -------------------------------------------------------------------------

    def transition(self, alarm: Alarm, state: str, reason: str, reason_data: dict[str, Any] | str | None,
                   now: float, *, force: bool = False) -> bool:
        """Move `alarm` to `state` (nothing happens when it is already there, unless `force`):
        history, the EventBridge event, the actions, the composite alarms over it. `reason_data` as
        text (SetAlarmState's StateReasonData) is kept as given."""
        if state == alarm.state and not force:
            return False
        previous = (alarm.state, alarm.reason, alarm.reason_data, alarm.state_updated)
        if isinstance(reason_data, str):
            data_text: str | None = reason_data
            reason_data = json.loads(reason_data)
        else:
            data_text = texts.dumps(reason_data) if reason_data is not None else None
        with self.platform.db.tx():
            self.alarms.set_state(alarm, state, reason, data_text, now)
            self.alarms.add_history(alarm, "StateUpdate", f"Alarm updated from {previous[0]} to {state}",
                                    _state_history(previous, alarm, reason_data), now)
            self._event(alarm, previous)
            if alarm.actions_enabled:
                for action in alarm.actions_for(state):
                    self._act(alarm, action, previous, now)
        if alarm.kind == METRIC or state != previous[0]:
            self._parents(alarm, now, 0)
        return True

    def _event(self, alarm: Alarm, previous: tuple[str, str, str | None, float]) -> None:
        """`CloudWatch Alarm State Change` on the default event bus of the alarm's account and region."""
        bus = arns.build("events", alarm.region, alarm.account, "event-bus/default")
        entry = {"Source": "aws.cloudwatch", "DetailType": "CloudWatch Alarm State Change",
                 "Detail": texts.dumps(texts.state_change_detail(alarm, previous)), "Resources": [alarm.arn]}
        delivery.record(self.platform, bus, texts.dumps(entry))

    def _act(self, alarm: Alarm, action: str, previous: tuple[str, str, str | None, float], now: float) -> None:
        try:
            service = arns.parse(action).service
        except ValueError:
            service = ""
        refused = self._refused(alarm, action, service)
        if refused is not None:
            self.alarms.add_history(alarm, "Action", f"Failed to execute action {action}. Received error: '{refused}'",
                                    {"actionState": "Failed", "stateUpdateTimestamp": int(alarm.state_updated * 1000),
                                     "error": refused}, now)
            return
        if service == "sns":
            message = texts.notification(alarm, previous[0], now)
            delivery.record(self.platform, action, texts.dumps(message),
                            options={"Subject": texts.subject(alarm, alarm.state)})
            details: dict[str, Any] = {"actionState": "Succeeded",
                                       "stateUpdateTimestamp": int(alarm.state_updated * 1000),
                                       "notificationResource": action,
                                       "publishedMessage": texts.dumps(message)}
        elif service == "lambda":
            delivery.record(self.platform, action, texts.dumps(texts.lambda_event(alarm, previous, now)))
            details = {"actionState": "Succeeded", "stateUpdateTimestamp": int(alarm.state_updated * 1000),
                       "notificationResource": action}
        else:
            self.alarms.add_history(alarm, "Action", f"Failed to execute action {action}",
                                    {"actionState": "Failed", "stateUpdateTimestamp": int(alarm.state_updated * 1000),
                                     "error": "overcast carries out SNS and Lambda alarm actions only"}, now)
            return
        self.alarms.add_history(alarm, "Action", f"Successfully executed action {action}", details, now)

    def _refused(self, alarm: Alarm, action: str, service: str) -> str | None:
        """Why IAM refuses the action (`--iam enforce`, docs/iam.md), or None. A topic of the alarm's
        own account is published to with the account's authority (the default topic policy allows
        it); another account's topic must allow `cloudwatch.amazonaws.com`; a function's policy must
        allow `lambda.alarms.cloudwatch.amazonaws.com`, with the alarm as `aws:SourceArn`
        ([AWS](https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html))."""
        if self.platform.iam is None or self.platform.config.iam == "off" or service not in ("sns", "lambda"):
            return None
        if service == "sns":
            same = action.split(":")[4:5] == [alarm.account]
            auth = delivery.as_account(alarm.account, alarm.arn) if same else \
                delivery.as_service("cloudwatch.amazonaws.com", alarm.arn, alarm.account)
        else:
            auth = delivery.as_service("lambda.alarms.cloudwatch.amazonaws.com", alarm.arn, alarm.account)
        if self.platform.iam.delivery_refusal(action, auth) is None:
            return None
        verb = "SNS:Publish" if service == "sns" else "lambda:InvokeFunction"
        return f"Resource: {alarm.arn} is not authorized to perform: {verb} on resource: {action}"


def _state_history(previous: tuple[str, str, str | None, float], alarm: Alarm,
                   reason_data: Any) -> dict[str, Any]:
    """HistoryData of a StateUpdate item."""
    old: dict[str, Any] = {"stateValue": previous[0], "stateReason": previous[1]}
    if previous[2]:
        old["stateReasonData"] = json.loads(previous[2])
    new: dict[str, Any] = {"stateValue": alarm.state, "stateReason": alarm.reason}
    if reason_data is not None:
        new["stateReasonData"] = reason_data
    return {"version": "1.0", "oldState": old, "newState": new}


def _stamps(result: dict[str, Any]) -> list[float]:
    out = []
    for t in result["Timestamps"]:
        out.append(t.timestamp() if isinstance(t, dt.datetime) else float(t))
    return out


def _with_period(query: dict[str, Any], period: int) -> dict[str, Any]:
    q = dict(query)
    if q.get("MetricStat"):
        q["MetricStat"] = {**q["MetricStat"], "Period": period}
    if q.get("Period"):
        q["Period"] = period
    return q


def _platform_metric(config: dict[str, Any]) -> bool:
    """Whether the alarm watches metrics the platform publishes itself (namespaces `AWS/...`)."""
    namespaces = [config.get("Namespace") or ""] + [
        q["MetricStat"]["Metric"].get("Namespace") or "" for q in config.get("Metrics") or [] if q.get("MetricStat")]
    return any(ns.startswith("AWS/") for ns in namespaces)


def _metrics_period(config: dict[str, Any]) -> int | None:
    for q in config.get("Metrics") or []:
        if q.get("ReturnData", True) and q.get("MetricStat"):
            return int(q["MetricStat"]["Period"])
    for q in config.get("Metrics") or []:
        if q.get("MetricStat"):
            return int(q["MetricStat"]["Period"])
        if q.get("Period"):
            return int(q["Period"])
    return None


__all__ = ["ALARM", "COMPOSITE", "INSUFFICIENT", "OK", "AlarmEvaluator", "query_period"]
