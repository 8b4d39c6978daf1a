"""Alarm evaluation on a real database and a FakeClock: AWS's state rules, reason texts and documents."""

import json

import pytest

from overcast.config import Config
from overcast.platform import Platform
from overcast.services.cloudwatch.alarm_eval import AlarmEvaluator, query_period
from overcast.services.cloudwatch.alarm_rule import RuleError, parse
from overcast.services.cloudwatch.alarms import COMPOSITE, METRIC, AlarmStore
from overcast.services.cloudwatch.store import metric_store
from overcast.testing import FakeClock

A, R = "000000000000", "us-east-1"
T0 = 1_783_418_400.0   # 2026-07-07 10:00:00 UTC, a minute boundary


@pytest.fixture
def env():
    clock = FakeClock(start=T0)
    platform = Platform(Config(in_memory=True), clock=clock)
    yield platform, clock
    platform.close()


def errors_alarm(**extra):
    return {"MetricName": "Errors", "Namespace": "AWS/Lambda", "Statistic": "Sum", "Period": 60,
            "EvaluationPeriods": 1, "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "Dimensions": [{"Name": "FunctionName", "Value": "f"}], "ActionsEnabled": True,
            "AlarmActions": ["arn:aws:sns:us-east-1:000000000000:alerts"], **extra}


def put(platform, ts, value):
    metric_store(platform).put(A, R, "AWS/Lambda", "Errors", {"FunctionName": "f"}, ts, values=[value])


def outbox(platform):
    return [(r["target_arn"], json.loads(r["payload"])) for r in platform.db.query("SELECT * FROM outbox ORDER BY id")]


def test_a_breaching_datapoint_sets_alarm_with_aws_texts_and_actions(env):
    platform, clock = env
    alarm, _ = platform.component(AlarmStore).save(A, R, "errs", METRIC, errors_alarm())
    put(platform, T0 + 5, 2.0)
    clock.advance(65)                      # the minute of T0 is complete
    evaluator = platform.component(AlarmEvaluator)
    evaluator.evaluate_metric(alarm, clock.now())
    assert alarm.state == "ALARM"
    assert alarm.reason == ("Threshold Crossed: 1 datapoint [2.0 (07/07/26 10:00:00)] was greater than or equal "
                            "to the threshold (1.0).")
    data = json.loads(alarm.reason_data)
    assert data["statistic"] == "Sum" and data["period"] == 60 and data["recentDatapoints"] == [2.0]
    assert data["evaluatedDatapoints"] == [{"timestamp": "2026-07-07T10:00:00.000+0000", "sampleCount": 1.0,
                                            "value": 2.0}]
    sent = outbox(platform)
    bus, event = sent[0]
    assert bus == "arn:aws:events:us-east-1:000000000000:event-bus/default"
    assert event["DetailType"] == "CloudWatch Alarm State Change" and event["Source"] == "aws.cloudwatch"
    detail = json.loads(event["Detail"])
    assert detail["state"]["value"] == "ALARM" and detail["previousState"]["value"] == "INSUFFICIENT_DATA"
    topic, message = sent[1]
    assert topic == "arn:aws:sns:us-east-1:000000000000:alerts"
    assert message["NewStateValue"] == "ALARM" and message["OldStateValue"] == "INSUFFICIENT_DATA"
    assert message["Region"] == "US East (N. Virginia)"
    assert message["Trigger"]["Statistic"] == "SUM" and message["Trigger"]["StatisticType"] == "Statistic"
    assert message["Trigger"]["Dimensions"] == [{"value": "f", "name": "FunctionName"}]
    history = platform.component(AlarmStore).history(A, R, name="errs", kinds=None, item_type=None, start=None,
                                                     end=None, ascending=True)
    assert [h["summary"] for h in history] == [
        "Alarm updated from INSUFFICIENT_DATA to ALARM",
        "Successfully executed action arn:aws:sns:us-east-1:000000000000:alerts"]


def test_missing_data_follows_treat_missing_data(env):
    platform, clock = env
    store = platform.component(AlarmStore)
    evaluator = platform.component(AlarmEvaluator)
    clock.advance(65)
    for treat, state, reason in (
            ("missing", "INSUFFICIENT_DATA", None),
            ("notBreaching", "OK", "Threshold Crossed: no datapoints were received for 1 period and 1 missing "
                                   "datapoint was treated as [NonBreaching]."),
            ("breaching", "ALARM", "Threshold Crossed: no datapoints were received for 1 period and 1 missing "
                                   "datapoint was treated as [Breaching].")):
        alarm, _ = store.save(A, R, f"a-{treat}", METRIC, errors_alarm(TreatMissingData=treat))
        evaluator.evaluate_metric(alarm, clock.now())
        assert alarm.state == state
        if reason:
            assert alarm.reason == reason


def test_m_out_of_n_and_back_to_ok(env):
    platform, clock = env
    store = platform.component(AlarmStore)
    alarm, _ = store.save(A, R, "mofn", METRIC, errors_alarm(EvaluationPeriods=3, DatapointsToAlarm=2))
    put(platform, T0 + 1, 0.0)
    put(platform, T0 + 61, 3.0)
    put(platform, T0 + 121, 5.0)
    clock.advance(180)
    evaluator = platform.component(AlarmEvaluator)
    evaluator.evaluate_metric(alarm, clock.now())
    assert alarm.reason == ("Threshold Crossed: 2 out of the last 3 datapoints [5.0 (07/07/26 10:02:00), 3.0 "
                            "(07/07/26 10:01:00)] were greater than or equal to the threshold (1.0) (minimum 2 "
                            "datapoints for OK -> ALARM transition).")
    put(platform, T0 + 181, 0.0)
    put(platform, T0 + 241, 0.0)
    clock.advance(120)
    evaluator.evaluate_metric(alarm, clock.now())
    assert alarm.state == "OK"
    # the window is now 10:02-10:04: one breaching datapoint is fewer than DatapointsToAlarm
    assert alarm.reason == ("Threshold Crossed: 2 out of the last 3 datapoints [0.0 (07/07/26 10:04:00), 0.0 "
                            "(07/07/26 10:03:00)] were not greater than or equal to the threshold (1.0) (minimum 1 "
                            "datapoint for ALARM -> OK transition).")


def test_composite_alarm_follows_its_rule(env):
    platform, clock = env
    store = platform.component(AlarmStore)
    child, _ = store.save(A, R, "child", METRIC, errors_alarm(AlarmActions=[]))
    parent, _ = store.save(A, R, "parent", COMPOSITE, {"AlarmRule": 'ALARM("child") AND NOT OK(child)',
                                                      "ActionsEnabled": True})
    evaluator = platform.component(AlarmEvaluator)
    evaluator.transition(child, "ALARM", "manual", None, clock.now())
    parent = store.get(A, R, "parent")
    assert parent.state == "ALARM"
    assert parent.reason.startswith("arn:aws:cloudwatch:us-east-1:000000000000:alarm:child transitioned to ALARM at ")


def test_alarm_rules_parse_aws_grammar():
    rule = parse('(ALARM("a") OR OK(b)) AND NOT INSUFFICIENT_DATA(arn:aws:cloudwatch:us-east-1:1:alarm:c)')
    assert rule.alarms() == ["a", "b", "arn:aws:cloudwatch:us-east-1:1:alarm:c"]
    assert rule.evaluate({"a": "OK", "b": "OK", "arn:aws:cloudwatch:us-east-1:1:alarm:c": "OK"}.get)
    assert not parse("FALSE").evaluate(lambda _: None)
    with pytest.raises(RuleError):
        parse("ALARM(a) AND")


def test_periods_shrink_with_the_time_scale(env):
    platform, clock = env
    assert query_period(platform, 60) == 60
    clock.scale = 0.01
    assert query_period(platform, 60) == 1
    clock.scale = 0.1
    assert query_period(platform, 300) == 30


def test_metric_math_alarm_evaluates_its_returned_expression(env):
    platform, clock = env
    store = metric_store(platform)
    for name, values in (("Errors", [1.0, 1.0, 0.0, 0.0]), ("Invocations", [1.0, 1.0, 1.0, 1.0])):
        store.put(A, R, "AWS/Lambda", name, {"FunctionName": "f"}, T0 + 5, values=values)
    metric = {"Namespace": "AWS/Lambda", "Dimensions": [{"Name": "FunctionName", "Value": "f"}]}
    config = {"Metrics": [
        {"Id": "e", "MetricStat": {"Metric": {**metric, "MetricName": "Errors"}, "Period": 60, "Stat": "Sum"},
         "ReturnData": False},
        {"Id": "i", "MetricStat": {"Metric": {**metric, "MetricName": "Invocations"}, "Period": 60, "Stat": "Sum"},
         "ReturnData": False},
        {"Id": "rate", "Expression": "100 * e / i", "Label": "error rate", "ReturnData": True}],
        "EvaluationPeriods": 1, "Threshold": 25.0, "ComparisonOperator": "GreaterThanThreshold",
        "ActionsEnabled": True}
    alarm, _ = platform.component(AlarmStore).save(A, R, "rate", METRIC, config)
    clock.advance(65)
    platform.component(AlarmEvaluator).evaluate_metric(alarm, clock.now())
    assert alarm.state == "ALARM"
    assert alarm.reason == ("Threshold Crossed: 1 datapoint [50.0 (07/07/26 10:00:00)] was greater than the "
                            "threshold (25.0).")
    data = json.loads(alarm.reason_data)
    assert "statistic" not in data and data["recentDatapoints"] == [50.0]


def test_custom_standard_resolution_metrics_are_read_per_minute_at_a_time_scale(env):
    platform, clock = env
    clock.scale = 0.01
    metric_store(platform).put(A, R, "Shop", "Orders", {}, T0 + 5, values=[3.0])   # a 1-minute row
    alarm, _ = platform.component(AlarmStore).save(A, R, "orders", METRIC, {
        "MetricName": "Orders", "Namespace": "Shop", "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1,
        "Threshold": 2.0, "ComparisonOperator": "GreaterThanThreshold", "ActionsEnabled": True})
    clock.advance(61)
    platform.component(AlarmEvaluator).evaluate_metric(alarm, clock.now())
    assert alarm.state == "ALARM"
    assert alarm.reason == ("Threshold Crossed: 1 datapoint [3.0 (07/07/26 10:00:00)] was greater than the "
                            "threshold (2.0).")
