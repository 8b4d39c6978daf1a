"""AWS::KMS::Key and AWS::KMS::Alias: a stack's key (policy, rotation, tags) and alias, used by its
encrypted queue; an update changes the key in place; deleting the stack schedules the key's
deletion."""

from __future__ import annotations

import json

from overcast.testing import wait_until
from tests.integration.cloudformation.helpers import check, create, outputs, unique, update, wait

POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "root", "Effect": "Allow",
                                                  "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                                                  "Action": "kms:*", "Resource": "*"}]}


def _template(description: str, rotation: bool, alias: str) -> dict:
    return {"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {
            "Description": description, "EnableKeyRotation": rotation, "KeyPolicy": POLICY,
            "PendingWindowInDays": 7, "Tags": [{"Key": "team", "Value": "a"}]}},
        "Alias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": alias, "TargetKeyId": {"Ref": "Key"}}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": {"Ref": "Alias"}}}},
        "Outputs": {"Key": {"Value": {"Ref": "Key"}}, "Arn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}},
                    "KeyId": {"Value": {"Fn::GetAtt": ["Key", "KeyId"]}}, "Alias": {"Value": {"Ref": "Alias"}},
                    "Queue": {"Value": {"Ref": "Queue"}}}}


def test_key_and_alias(cf, overcast_server):
    kms, sqs = overcast_server.client("kms"), overcast_server.client("sqs")
    alias = f"alias/{unique('cfn')}"
    name = unique()
    stack = check(cf, create(cf, _template("first", True, alias), name))
    out = outputs(stack)
    assert out["Alias"] == alias and out["Key"] == out["KeyId"]
    meta = kms.describe_key(KeyId=alias)["KeyMetadata"]
    assert (meta["KeyId"], meta["Arn"], meta["Description"]) == (out["Key"], out["Arn"], "first")
    assert json.loads(kms.get_key_policy(KeyId=out["Key"], PolicyName="default")["Policy"]) == POLICY
    assert kms.get_key_rotation_status(KeyId=out["Key"])["KeyRotationEnabled"] is True
    assert kms.list_resource_tags(KeyId=out["Key"])["Tags"] == [{"TagKey": "team", "TagValue": "a"}]
    sqs.send_message(QueueUrl=out["Queue"], MessageBody="encrypted by the stack's key")
    check(cf, update(cf, name, _template("second", False, alias)), "UPDATE_COMPLETE")
    meta = kms.describe_key(KeyId=out["Key"])["KeyMetadata"]
    assert meta["Description"] == "second"
    assert kms.get_key_rotation_status(KeyId=out["Key"])["KeyRotationEnabled"] is False
    cf.delete_stack(StackName=name)
    assert wait(cf, stack["StackId"])["StackStatus"] == "DELETE_COMPLETE"
    wait_until(lambda: kms.describe_key(KeyId=out["Key"])["KeyMetadata"]["KeyState"] == "PendingDeletion", 30,
               "the key scheduled for deletion")
    assert kms.describe_key(KeyId=out["Key"])["KeyMetadata"]["PendingDeletionWindowInDays"] == 7
    assert not [a for a in kms.list_aliases(KeyId=out["Key"])["Aliases"]]
