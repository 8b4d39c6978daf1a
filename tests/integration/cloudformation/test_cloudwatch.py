"""AWS::CloudWatch::Alarm, CompositeAlarm and Dashboard through CloudFormation: created, updated and
deleted with the stack."""

from __future__ import annotations

import json

from tests.integration.cloudformation.helpers import create, outputs, physical, unique, update, wait


def template(threshold: float, widgets: int = 1) -> dict:
    return {
        "Resources": {
            "Dlq": {"Type": "AWS::SQS::Queue"},
            "Alerts": {"Type": "AWS::SNS::Topic"},
            "DlqNotEmpty": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
                "AlarmDescription": "messages in the dead-letter queue",
                "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Dlq", "QueueName"]}}],
                "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 1, "Threshold": threshold,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
                "AlarmActions": [{"Ref": "Alerts"}]}},
            "Health": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {
                "AlarmRule": {"Fn::Sub": "ALARM(\"${DlqNotEmpty}\")"}}},
            "Board": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {
                "DashboardBody": json.dumps({"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12,
                                                         "height": 6, "properties": {
                    "metrics": [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "dlq"]],
                    "region": "us-east-1", "title": f"DLQ {i}"}} for i in range(widgets)]})}},
        },
        "Outputs": {"AlarmArn": {"Value": {"Fn::GetAtt": ["DlqNotEmpty", "Arn"]}},
                    "Composite": {"Value": {"Fn::GetAtt": ["Health", "Arn"]}}},
    }


def test_alarm_composite_and_dashboard(cf, overcast_server):
    cw = overcast_server.client("cloudwatch")
    name = unique("cwstk")
    stack = create(cf, template(1.0), name)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    ids = physical(cf, name)
    [alarm] = cw.describe_alarms(AlarmNames=[ids["DlqNotEmpty"]])["MetricAlarms"]
    assert alarm["Threshold"] == 1.0 and alarm["AlarmDescription"] == "messages in the dead-letter queue"
    assert alarm["AlarmActions"] and alarm["AlarmActions"][0].startswith("arn:aws:sns:")
    assert ids["DlqNotEmpty"].startswith(f"{name}-DlqNotEmpty-")
    assert outputs(stack)["AlarmArn"] == alarm["AlarmArn"]
    [composite] = cw.describe_alarms(AlarmNames=[ids["Health"]], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    assert composite["AlarmRule"] == f'ALARM("{ids["DlqNotEmpty"]}")'
    board = cw.get_dashboard(DashboardName=ids["Board"])
    assert json.loads(board["DashboardBody"])["widgets"][0]["properties"]["title"] == "DLQ 0"
    assert update(cf, name, template(5.0, widgets=2))["StackStatus"] == "UPDATE_COMPLETE"
    assert cw.describe_alarms(AlarmNames=[ids["DlqNotEmpty"]])["MetricAlarms"][0]["Threshold"] == 5.0
    assert len(json.loads(cw.get_dashboard(DashboardName=ids["Board"])["DashboardBody"])["widgets"]) == 2
    cf.delete_stack(StackName=name)
    wait(cf, stack["StackId"])
    assert cw.describe_alarms(AlarmNames=[ids["DlqNotEmpty"]])["MetricAlarms"] == []
    assert cw.list_dashboards(DashboardNamePrefix=ids["Board"])["DashboardEntries"] == []
