"""Alarms that act, on a real server at time scale 0.01 (an alarm's minute lasts 0.6 s): an alarm on a
function's Errors goes to ALARM after a failed invocation, notifies its SNS topic (delivered to a
subscribed queue with AWS's message), puts the state change on EventBridge, and returns to OK."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from overcast.testing import create_function, wait_until

FLAKY = """
def handler(event, context):
    if event.get("fail"):
        raise ValueError("failing on purpose")
    return {"ok": True}
"""

RECORD_EVENT = """
import json, os
def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        out.write(json.dumps(event) + "\\n")
"""

REASON = re.compile(r"^Threshold Crossed: 1 datapoint \[1\.0 \(\d\d/\d\d/\d\d \d\d:\d\d:\d\d\)\] was greater than or "
                    r"equal to the threshold \(1\.0\)\.$")


def drain(sqs: Any, url: str, count: int) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []

    def enough() -> list[dict[str, Any]] | None:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            got.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return got if len(got) >= count else None

    return wait_until(enough, 60, f"{count} messages")


def test_errors_alarm_notifies_sns_and_returns_to_ok(overcast_server, tmp_path):
    lam, sns, sqs, cw, events = (overcast_server.client(s) for s in ("lambda", "sns", "sqs", "cloudwatch", "events"))
    fn = create_function(lam, FLAKY)
    topic = sns.create_topic(Name=f"alarms-{uuid.uuid4().hex[:8]}")["TopicArn"]
    url = sqs.create_queue(QueueName=f"alarm-inbox-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    bus_url = sqs.create_queue(QueueName=f"alarm-events-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    bus_arn = sqs.get_queue_attributes(QueueUrl=bus_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = f"errors-{fn}"
    rule = f"alarm-changes-{uuid.uuid4().hex[:6]}"
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["aws.cloudwatch"],
                                                        "detail-type": ["CloudWatch Alarm State Change"],
                                                        "resources": [{"suffix": f":alarm:{name}"}]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": bus_arn}])
    cw.put_metric_alarm(AlarmName=name, AlarmDescription="function errors", MetricName="Errors",
                        Namespace="AWS/Lambda", Statistic="Sum", Dimensions=[{"Name": "FunctionName", "Value": fn}],
                        Period=60, EvaluationPeriods=1, Threshold=1.0,
                        ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching",
                        AlarmActions=[topic], OKActions=[topic])
    # no errors yet: missing data is not breaching, the alarm goes OK (and says so to its OK action)
    first = drain(sqs, url, 1)[0]
    assert json.loads(first["Message"])["NewStateValue"] == "OK"
    lam.invoke(FunctionName=fn, Payload=b'{"fail": true}')
    alarm_message, ok_message = drain(sqs, url, 2)
    assert alarm_message["Type"] == "Notification" and alarm_message["TopicArn"] == topic
    assert alarm_message["Subject"] == f'ALARM: "{name}" in US East (N. Virginia)'
    body = json.loads(alarm_message["Message"])
    assert body["AlarmName"] == name and body["AlarmDescription"] == "function errors"
    assert (body["OldStateValue"], body["NewStateValue"]) == ("OK", "ALARM")
    assert REASON.match(body["NewStateReason"]), body["NewStateReason"]
    assert body["AlarmArn"] == f"arn:aws:cloudwatch:us-east-1:000000000000:alarm:{name}"
    assert body["Region"] == "US East (N. Virginia)" and body["AWSAccountId"] == "000000000000"
    assert body["Trigger"] == {
        "MetricName": "Errors", "Namespace": "AWS/Lambda", "StatisticType": "Statistic", "Statistic": "SUM",
        "Unit": None, "Dimensions": [{"value": fn, "name": "FunctionName"}], "Period": 60, "EvaluationPeriods": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 1.0, "TreatMissingData": "notBreaching",
        "EvaluateLowSampleCountPercentile": ""}
    back = json.loads(ok_message["Message"])
    assert (back["OldStateValue"], back["NewStateValue"]) == ("ALARM", "OK")
    assert back["NewStateReason"] == ("Threshold Crossed: no datapoints were received for 1 period and 1 missing "
                                      "datapoint was treated as [NonBreaching].")
    described = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    assert described["StateValue"] == "OK" and described["StateReason"] == back["NewStateReason"]
    history = cw.describe_alarm_history(AlarmName=name, HistoryItemType="StateUpdate",
                                        ScanBy="TimestampAscending")["AlarmHistoryItems"]
    assert [h["HistorySummary"] for h in history] == ["Alarm updated from INSUFFICIENT_DATA to OK",
                                                       "Alarm updated from OK to ALARM",
                                                       "Alarm updated from ALARM to OK"]
    change = json.loads(history[1]["HistoryData"])
    assert change["newState"]["stateValue"] == "ALARM" and REASON.match(change["newState"]["stateReason"])
    assert change["newState"]["stateReasonData"]["recentDatapoints"] == [1.0]
    changes = drain(sqs, bus_url, 3)
    assert [c["detail"]["state"]["value"] for c in changes] == ["OK", "ALARM", "OK"]
    assert changes[1]["detail-type"] == "CloudWatch Alarm State Change" and changes[1]["source"] == "aws.cloudwatch"
    assert changes[1]["resources"] == [body["AlarmArn"]]
    assert changes[1]["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"] == {
        "namespace": "AWS/Lambda", "name": "Errors", "dimensions": {"FunctionName": fn}}


def test_set_alarm_state_invokes_a_lambda_action(overcast_server, tmp_path):
    lam, cw = overcast_server.client("lambda"), overcast_server.client("cloudwatch")
    out = tmp_path / "events.jsonl"
    fn = create_function(lam, RECORD_EVENT, Environment={"Variables": {"OUT": str(out)}})
    fn_arn = lam.get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
    name = f"manual-{uuid.uuid4().hex[:8]}"
    cw.put_metric_alarm(AlarmName=name, MetricName="Depth", Namespace=f"App{uuid.uuid4().hex[:6]}",
                        Statistic="Maximum", Period=3600, EvaluationPeriods=1, Threshold=10.0,
                        ComparisonOperator="GreaterThanThreshold", AlarmActions=[fn_arn])
    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="testing the action",
                       StateReasonData='{"why": "test"}')

    def delivered() -> dict[str, Any] | None:
        return json.loads(out.read_text().splitlines()[0]) if out.exists() and out.read_text() else None

    event = wait_until(delivered, 30, "the alarm event")
    assert event["source"] == "aws.cloudwatch" and event["alarmArn"].endswith(f":alarm:{name}")
    assert event["accountId"] == "000000000000" and event["region"] == "us-east-1"
    data = event["alarmData"]
    assert data["alarmName"] == name
    assert data["state"]["value"] == "ALARM" and data["state"]["reason"] == "testing the action"
    assert data["state"]["reasonData"] == '{"why": "test"}'
    assert data["previousState"]["value"] == "INSUFFICIENT_DATA"
    assert data["previousState"]["reason"] == "Unchecked: Initial alarm creation"
    assert data["configuration"]["metrics"][0]["metricStat"]["stat"] == "Maximum"
    actions = cw.describe_alarm_history(AlarmName=name, HistoryItemType="Action")["AlarmHistoryItems"]
    assert actions[0]["HistorySummary"] == f"Successfully executed action {fn_arn}"


def test_alarms_survive_a_crash_and_are_evaluated_again():
    from overcast.testing import OvercastServer

    with OvercastServer(time_scale=0.01) as server:
        cw = server.client("cloudwatch")
        cw.put_metric_alarm(AlarmName="durable", Namespace="App", MetricName="Nothing", Statistic="Sum", Period=60,
                            EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
                            TreatMissingData="breaching")

        def state() -> str:
            return cw.describe_alarms(AlarmNames=["durable"])["MetricAlarms"][0]["StateValue"]

        wait_until(lambda: state() == "ALARM", 30, "ALARM (missing data treated as breaching)")
        server.restart(crash=True)
        cw = server.client("cloudwatch")
        assert state() == "ALARM"
        history = cw.describe_alarm_history(AlarmName="durable", ScanBy="TimestampAscending")["AlarmHistoryItems"]
        assert [h["HistorySummary"] for h in history] == ['Alarm "durable" created',
                                                           "Alarm updated from INSUFFICIENT_DATA to ALARM"]
        cw.set_alarm_state(AlarmName="durable", StateValue="OK", StateReason="by hand")
        wait_until(lambda: state() == "ALARM", 30, "evaluated again after the restart")
