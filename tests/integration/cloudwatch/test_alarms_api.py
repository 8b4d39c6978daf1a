"""Alarm operations in each of CloudWatch's protocols (json, smithy-rpc-v2-cbor, query)."""

from __future__ import annotations

import json

from tests.integration.cloudwatch.helpers import error_of, unique


def metric_alarm(cw, name, **extra):
    cw.put_metric_alarm(AlarmName=name, MetricName="Depth", Namespace="App/Alarms", Statistic="Maximum",
                        Dimensions=[{"Name": "Queue", "Value": "orders"}], Period=3600, EvaluationPeriods=1,
                        Threshold=10.0, ComparisonOperator="GreaterThanThreshold", **extra)


def test_put_describe_and_delete_metric_alarms(cw):
    name = unique("depth")
    metric_alarm(cw, name, AlarmDescription="deep queue", Tags=[{"Key": "team", "Value": "shop"}])
    [alarm] = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    assert alarm["AlarmArn"] == f"arn:aws:cloudwatch:us-east-1:000000000000:alarm:{name}"
    assert (alarm["StateValue"], alarm["StateReason"]) == ("INSUFFICIENT_DATA", "Unchecked: Initial alarm creation")
    assert alarm["ActionsEnabled"] is True and alarm["OKActions"] == [] and alarm["AlarmActions"] == []
    assert (alarm["MetricName"], alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == (
        "Depth", "Maximum", 3600, 10.0)
    assert alarm["Dimensions"] == [{"Name": "Queue", "Value": "orders"}]
    assert cw.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"] == [{"Key": "team", "Value": "shop"}]
    assert [a["AlarmName"] for a in cw.describe_alarms(AlarmNamePrefix=name[:12])["MetricAlarms"]] == [name]
    assert [a["AlarmName"] for a in cw.describe_alarms_for_metric(
        MetricName="Depth", Namespace="App/Alarms", Dimensions=[{"Name": "Queue", "Value": "orders"}])
        ["MetricAlarms"] if a["AlarmName"] == name] == [name]
    cw.disable_alarm_actions(AlarmNames=[name])
    assert cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["ActionsEnabled"] is False
    cw.enable_alarm_actions(AlarmNames=[name])
    assert cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["ActionsEnabled"] is True
    created = cw.describe_alarm_history(AlarmName=name, HistoryItemType="ConfigurationUpdate")["AlarmHistoryItems"]
    assert created[0]["HistorySummary"] == f'Alarm "{name}" created'
    assert json.loads(created[0]["HistoryData"])["type"] == "Create"
    cw.delete_alarms(AlarmNames=[name])
    assert cw.describe_alarms(AlarmNames=[name])["MetricAlarms"] == []


def test_composite_alarms_and_set_alarm_state(cw):
    child = unique("child")
    parent = unique("parent")
    metric_alarm(cw, child, TreatMissingData="ignore")   # without data its state stays as set
    cw.put_composite_alarm(AlarmName=parent, AlarmRule=f'ALARM("{child}")')
    assert cw.describe_alarms(AlarmNames=[parent])["CompositeAlarms"] == []   # metric alarms only by default
    [composite] = cw.describe_alarms(AlarmNames=[parent], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    # evaluated at once: the child is not in ALARM, so the rule is false (OK), or not evaluated yet
    assert composite["AlarmRule"] == f'ALARM("{child}")' and composite["StateValue"] in ("INSUFFICIENT_DATA", "OK")
    cw.set_alarm_state(AlarmName=child, StateValue="ALARM", StateReason="by hand")
    [composite] = cw.describe_alarms(AlarmNames=[parent], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    assert composite["StateValue"] == "ALARM"
    assert composite["StateReason"].startswith(f"arn:aws:cloudwatch:us-east-1:000000000000:alarm:{child} "
                                               "transitioned to ALARM at ")
    children = cw.describe_alarms(ChildrenOfAlarmName=parent)
    assert [a["AlarmName"] for a in children["MetricAlarms"]] == [child]
    parents = cw.describe_alarms(ParentsOfAlarmName=child)
    assert [a["AlarmName"] for a in parents["CompositeAlarms"]] == [parent]
    history = cw.describe_alarm_history(AlarmName=child, HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert [h["HistorySummary"] for h in history] == ["Alarm updated from INSUFFICIENT_DATA to ALARM"]
    cw.delete_alarms(AlarmNames=[parent, child])


def test_alarm_errors(cw):
    err = error_of(cw.set_alarm_state, AlarmName=unique("nope"), StateValue="OK", StateReason="x")
    assert err["Code"] == "ResourceNotFound" and err["Status"] == 404
    err = error_of(cw.put_composite_alarm, AlarmName=unique("c"), AlarmRule="ALARM(no-such-alarm)")
    assert err["Code"] == "ValidationError"
    assert err["Message"] == ("Could not save the composite alarm as alarms [no-such-alarm] in the alarm rule do "
                              "not exist")
    name = unique("bad")
    err = error_of(cw.put_metric_alarm, AlarmName=name, MetricName="M", Namespace="N", Statistic="Sum",
                   Period=60, EvaluationPeriods=1, DatapointsToAlarm=2, Threshold=1.0,
                   ComparisonOperator="GreaterThanThreshold")
    assert err["Code"] == "ValidationError"
    metric_alarm(cw, name)
    err = error_of(cw.set_alarm_state, AlarmName=name, StateValue="OK", StateReason="x", StateReasonData="{nope")
    assert err["Code"] == "InvalidFormat"
    cw.delete_alarms(AlarmNames=[name])
