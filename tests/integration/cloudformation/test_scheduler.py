"""AWS::Scheduler::ScheduleGroup and AWS::Scheduler::Schedule: a stack's schedule fires into its queue."""

from __future__ import annotations

from overcast.testing import wait_until
from tests.integration.cloudformation.helpers import check, create, outputs, unique


def test_schedule_group_and_schedule_fire_into_a_queue(cf, sqs, overcast_server):
    template = {"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Group": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {"Tags": [{"Key": "team", "Value": "x"}]}},
        "Every": {"Type": "AWS::Scheduler::Schedule", "Properties": {
            "GroupName": {"Ref": "Group"}, "ScheduleExpression": "rate(1 minute)",
            "FlexibleTimeWindow": {"Mode": "OFF"}, "StartDate": "2020-01-01T00:00:00Z",
            "Target": {"Arn": {"Fn::GetAtt": ["Queue", "Arn"]}, "RoleArn": "arn:aws:iam::000000000000:role/r",
                       "Input": "tick"}}}},
        "Outputs": {"Queue": {"Value": {"Ref": "Queue"}}, "Group": {"Value": {"Ref": "Group"}},
                    "GroupArn": {"Value": {"Fn::GetAtt": ["Group", "Arn"]}},
                    "Schedule": {"Value": {"Ref": "Every"}}, "ScheduleArn": {"Value": {"Fn::GetAtt": ["Every", "Arn"]}}}}
    name = unique()
    out = outputs(check(cf, create(cf, template, name)))
    assert out["ScheduleArn"].endswith(f":schedule/{out['Group']}/{out['Schedule']}")
    scheduler = overcast_server.client("scheduler")
    assert scheduler.list_tags_for_resource(ResourceArn=out["GroupArn"])["Tags"] == [{"Key": "team", "Value": "x"}]
    got = wait_until(lambda: sqs.receive_message(QueueUrl=out["Queue"], WaitTimeSeconds=1).get("Messages"), 30,
                     "a scheduled message")
    assert got[0]["Body"] == "tick"
    cf.delete_stack(StackName=name)
    wait_until(lambda: not scheduler.list_schedule_groups(NamePrefix=out["Group"])["ScheduleGroups"], 60,
               "the group deleted")
