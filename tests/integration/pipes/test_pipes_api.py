"""EventBridge Pipes' control plane: errors with AWS's codes and statuses, listing, updating, tags."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.integration.pipes.test_pipes_sqs import ROLE, queue, wait_state


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response


def test_not_found_conflict_and_validation(sqs, pipes):
    missing = error_of(pipes.describe_pipe, Name="no-such-pipe")
    assert missing["Error"]["Code"] == "NotFoundException"
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 404
    for call in (pipes.delete_pipe, pipes.start_pipe, pipes.stop_pipe):
        assert error_of(call, Name="no-such-pipe")["Error"]["Code"] == "NotFoundException"
    _, source = queue(sqs)
    _, target = queue(sqs)
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=source, Target=target, RoleArn=ROLE)
    conflict = error_of(pipes.create_pipe, Name=name, Source=source, Target=target, RoleArn=ROLE)
    assert conflict["Error"]["Code"] == "ConflictException"
    assert conflict["ResponseMetadata"]["HTTPStatusCode"] == 409
    bad_source = error_of(pipes.create_pipe, Name=f"p-{uuid.uuid4().hex[:8]}", Source=target.replace(":sqs:", ":sns:"),
                          Target=target, RoleArn=ROLE)
    assert bad_source["Error"]["Code"] == "ValidationException"
    assert bad_source["ResponseMetadata"]["HTTPStatusCode"] == 400
    stream = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
    no_position = error_of(pipes.create_pipe, Name=f"p-{uuid.uuid4().hex[:8]}", Source=stream, Target=target,
                           RoleArn=ROLE)
    assert no_position["Error"]["Code"] == "ValidationException"
    too_long = error_of(pipes.create_pipe, Name="x" * 65, Source=source, Target=target, RoleArn=ROLE)
    assert too_long["Error"]["Code"] == "ValidationException"


def test_list_update_and_tags(sqs, pipes):
    _, source = queue(sqs)
    _, target = queue(sqs)
    prefix = f"lp-{uuid.uuid4().hex[:6]}"
    arns = [pipes.create_pipe(Name=f"{prefix}-{i}", Source=source, Target=target, RoleArn=ROLE,
                              DesiredState="STOPPED", Tags={"team": "a"})["Arn"] for i in range(3)]
    for i in range(3):
        wait_state(pipes, f"{prefix}-{i}", "STOPPED")
    page = pipes.list_pipes(NamePrefix=prefix, Limit=2)
    assert [p["Name"] for p in page["Pipes"]] == [f"{prefix}-0", f"{prefix}-1"]
    rest = pipes.list_pipes(NamePrefix=prefix, Limit=2, NextToken=page["NextToken"])
    assert [p["Name"] for p in rest["Pipes"]] == [f"{prefix}-2"] and "NextToken" not in rest
    assert {p["CurrentState"] for p in page["Pipes"]} == {"STOPPED"}
    updated = pipes.update_pipe(Name=f"{prefix}-0", RoleArn=ROLE, Description="now described",
                                SourceParameters={"SqsQueueParameters": {"BatchSize": 5}})
    assert updated["CurrentState"] == "UPDATING"
    wait_state(pipes, f"{prefix}-0", "STOPPED")
    described = pipes.describe_pipe(Name=f"{prefix}-0")
    assert described["Description"] == "now described"
    assert described["SourceParameters"]["SqsQueueParameters"]["BatchSize"] == 5
    assert pipes.list_tags_for_resource(resourceArn=arns[0])["tags"] == {"team": "a"}
    pipes.tag_resource(resourceArn=arns[0], tags={"env": "dev"})
    pipes.untag_resource(resourceArn=arns[0], tagKeys=["team"])
    assert pipes.list_tags_for_resource(resourceArn=arns[0])["tags"] == {"env": "dev"}
    gone = error_of(pipes.list_tags_for_resource, resourceArn=arns[0].replace(prefix, "nope"))
    assert gone["Error"]["Code"] == "NotFoundException"
    deleted = pipes.delete_pipe(Name=f"{prefix}-1")
    assert (deleted["CurrentState"], deleted["DesiredState"]) == ("DELETING", "DELETED")
