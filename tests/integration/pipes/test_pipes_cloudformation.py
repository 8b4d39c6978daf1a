"""AWS::Pipes::Pipe deployed by CloudFormation carries messages from queue to queue."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from overcast.testing import wait_until
from tests.integration.cloudformation.helpers import create, unique, wait
from tests.integration.pipes.test_pipes_sqs import ROLE, receive_all

TEMPLATE = {
    "Resources": {
        "Source": {"Type": "AWS::SQS::Queue"},
        "Target": {"Type": "AWS::SQS::Queue"},
        "Pipe": {"Type": "AWS::Pipes::Pipe", "Properties": {
            "RoleArn": ROLE,
            "Source": {"Fn::GetAtt": ["Source", "Arn"]},
            "Target": {"Fn::GetAtt": ["Target", "Arn"]},
            "TargetParameters": {"InputTemplate": '{"got": <$.body>}'},
            "Tags": {"app": "shop"},
        }},
    },
    "Outputs": {
        "Name": {"Value": {"Ref": "Pipe"}},
        "Arn": {"Value": {"Fn::GetAtt": ["Pipe", "Arn"]}},
        "State": {"Value": {"Fn::GetAtt": ["Pipe", "CurrentState"]}},
        "SourceUrl": {"Value": {"Ref": "Source"}},
        "TargetUrl": {"Value": {"Ref": "Target"}},
    },
}


def test_a_pipe_from_a_template(overcast_server):
    cf, sqs, pipes = (overcast_server.client(n) for n in ("cloudformation", "sqs", "pipes"))
    name = unique()
    stack = create(cf, TEMPLATE, name)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    out = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert out["Arn"].endswith(f":pipe/{out['Name']}")
    assert out["State"] == "RUNNING"
    assert pipes.list_tags_for_resource(resourceArn=out["Arn"])["tags"] == {"app": "shop"}
    sqs.send_message(QueueUrl=out["SourceUrl"], MessageBody=json.dumps({"n": 1}))
    assert json.loads(receive_all(sqs, out["TargetUrl"], 1)[0]["Body"]) == {"got": {"n": 1}}
    cf.delete_stack(StackName=name)
    wait(cf, stack["StackId"])

    def gone() -> bool:
        try:
            pipes.describe_pipe(Name=out["Name"])
        except ClientError as error:
            return error.response["Error"]["Code"] == "NotFoundException"
        return False

    wait_until(gone, 20, "the pipe deleted")

