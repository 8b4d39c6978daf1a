"""Every CloudWatch Logs operation overcast serves, through the AWS CLI (awscli v1 from PyPI)."""

import json

from tests.integration.logs.helpers import aws, now_ms, unique


def test_every_operation_with_the_aws_cli(overcast_server):
    group = unique("/aws/lambda/cli")
    stream = "2024/05/01/[$LATEST]" + "f" * 32
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    aws(overcast_server, "logs", "create-log-group", "--log-group-name", group, "--tags", "env=dev")
    aws(overcast_server, "logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", stream)
    now = now_ms()
    events = json.dumps([{"timestamp": now - 2, "message": "INFO starting"},
                         {"timestamp": now - 1, "message": "ERROR it broke"},
                         {"timestamp": now, "message": json.dumps({"level": "WARN", "ms": 250})}])
    put = aws(overcast_server, "logs", "put-log-events", "--log-group-name", group, "--log-stream-name", stream,
              "--log-events", events)
    assert "nextSequenceToken" in put
    streams = aws(overcast_server, "logs", "describe-log-streams", "--log-group-name", group,
                  "--order-by", "LastEventTime", "--descending")["logStreams"]
    assert [s["logStreamName"] for s in streams] == [stream]
    assert streams[0]["lastEventTimestamp"] == now
    got = aws(overcast_server, "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream,
              "--start-from-head")
    assert [e["message"] for e in got["events"]][:2] == ["INFO starting", "ERROR it broke"]
    assert got["nextForwardToken"].startswith("f/")
    filtered = aws(overcast_server, "logs", "filter-log-events", "--log-group-name", group,
                   "--filter-pattern", "ERROR", "--start-time", str(now - 60_000))
    assert [e["message"] for e in filtered["events"]] == ["ERROR it broke"]
    as_json = aws(overcast_server, "logs", "filter-log-events", "--log-group-name", group,
                  "--filter-pattern", '{ $.ms >= 250 }')
    assert len(as_json["events"]) == 1
    aws(overcast_server, "logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "14")
    (described,) = aws(overcast_server, "logs", "describe-log-groups",
                       "--log-group-name-prefix", group)["logGroups"]
    assert described["retentionInDays"] == 14 and described["storedBytes"] > 0
    aws(overcast_server, "logs", "delete-retention-policy", "--log-group-name", group)
    aws(overcast_server, "logs", "tag-resource", "--resource-arn", arn, "--tags", "team=core")
    aws(overcast_server, "logs", "untag-resource", "--resource-arn", arn, "--tag-keys", "env")
    assert aws(overcast_server, "logs", "list-tags-for-resource", "--resource-arn", arn)["tags"] == {"team": "core"}
    aws(overcast_server, "logs", "tag-log-group", "--log-group-name", group, "--tags", "cost=1")
    aws(overcast_server, "logs", "untag-log-group", "--log-group-name", group, "--tags", "team")
    assert aws(overcast_server, "logs", "list-tags-log-group", "--log-group-name", group)["tags"] == {"cost": "1"}
    aws(overcast_server, "logs", "delete-log-stream", "--log-group-name", group, "--log-stream-name", stream)
    aws(overcast_server, "logs", "delete-log-group", "--log-group-name", group)
    missing = aws(overcast_server, "logs", "delete-log-group", "--log-group-name", group, check=False)
    assert missing.returncode != 0
    assert "ResourceNotFoundException" in missing.stderr and "The specified log group does not exist." in missing.stderr


def test_aws_logs_tail_is_not_in_aws_cli_v1(overcast_server):
    # `aws logs tail` exists only in AWS CLI v2; the PyPI awscli (v1) answers with a usage error.
    # `overcast logs <function> --follow` (or filter-log-events) covers the same need.
    out = aws(overcast_server, "logs", "tail", "/aws/lambda/x", check=False)
    assert out.returncode == 2
    assert "invalid choice" in out.stderr.lower()
