"""Retention policies (and events expiring under them) and tags, through boto3."""


from overcast.testing import OvercastServer, wait_until
from tests.integration.logs.helpers import error_of, make_stream, now_ms, put, unique

VALID_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
              3653]


def test_retention_policy_put_and_delete(overcast_server):
    logs = overcast_server.client("logs")
    group = unique()
    logs.create_log_group(logGroupName=group)
    for days in (1, 3653):
        logs.put_retention_policy(logGroupName=group, retentionInDays=days)
        (described,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        assert described["retentionInDays"] == days
    logs.delete_retention_policy(logGroupName=group)
    (described,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert "retentionInDays" not in described


def test_only_aws_retention_values_are_accepted(overcast_server):
    logs = overcast_server.client("logs")
    group = unique()
    logs.create_log_group(logGroupName=group)
    for days in (0, 2, 10, 4000, -1):
        err = error_of(logs.put_retention_policy, logGroupName=group, retentionInDays=days)
        assert err["Code"] == "InvalidParameterException"
        assert err["Message"] == (
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(map(str, VALID_DAYS))}]")
    err = error_of(logs.put_retention_policy, logGroupName=unique(), retentionInDays=7)
    assert err["Code"] == "ResourceNotFoundException"
    err = error_of(logs.delete_retention_policy, logGroupName=unique())
    assert err["Code"] == "ResourceNotFoundException"


def test_events_older_than_retention_expire():
    # One AWS day lasts 0.864 real seconds at this scale: retention is an AWS timer.
    with OvercastServer(time_scale=0.00001) as server:
        logs = server.client("logs")
        group, stream = make_stream(logs)
        logs.put_retention_policy(logGroupName=group, retentionInDays=1)
        stale = logs.put_log_events(logGroupName=group, logStreamName=stream,
                                    logEvents=[{"timestamp": now_ms() - 5_000, "message": "already expired"},
                                               {"timestamp": now_ms(), "message": "fresh"}])
        assert stale["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
        assert [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]] == [
            "fresh"]
        assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["storedBytes"] == 5 + 26
        wait_until(lambda: logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["storedBytes"] == 0,
                   15, "the expiry loop deleting the old event")
        assert logs.get_log_events(logGroupName=group, logStreamName=stream)["events"] == []
        assert logs.filter_log_events(logGroupName=group)["events"] == []


def test_tag_resource_untag_and_list(overcast_server):
    logs = overcast_server.client("logs")
    group = unique()
    logs.create_log_group(logGroupName=group, tags={"env": "dev"})
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "dev"}
    logs.tag_resource(resourceArn=arn, tags={"team": "core", "env": "prod"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod", "team": "core"}
    logs.untag_resource(resourceArn=arn, tagKeys=["env", "absent"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "core"}
    err = error_of(logs.tag_resource, resourceArn=f"arn:aws:logs:us-east-1:000000000000:log-group:{unique()}",
                   tags={"a": "b"})
    assert (err["Code"], err["Message"]) == ("ResourceNotFoundException", "The specified log group does not exist.")
    err = error_of(logs.list_tags_for_resource, resourceArn="arn:aws:logs:us-east-1:000000000000:destination:d")
    assert err["Code"] == "ResourceNotFoundException"


def test_legacy_log_group_tagging(overcast_server):
    logs = overcast_server.client("logs")
    group = unique()
    logs.create_log_group(logGroupName=group)
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {}
    logs.tag_log_group(logGroupName=group, tags={"a": "1", "b": "2"})
    logs.untag_log_group(logGroupName=group, tags=["a"])
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"b": "2"}
    err = error_of(logs.tag_log_group, logGroupName=unique(), tags={"a": "1"})
    assert err["Code"] == "ResourceNotFoundException"


def test_no_more_than_fifty_tags(overcast_server):
    logs = overcast_server.client("logs")
    group = unique()
    logs.create_log_group(logGroupName=group, tags={f"k{i}": "v" for i in range(40)})
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    err = error_of(logs.tag_resource, resourceArn=arn, tags={f"x{i}": "v" for i in range(11)})
    assert err["Code"] == "TooManyTagsException"
    assert len(logs.list_tags_for_resource(resourceArn=arn)["tags"]) == 40
    logs.tag_resource(resourceArn=arn, tags={f"x{i}": "v" for i in range(10)})
    assert len(logs.list_tags_for_resource(resourceArn=arn)["tags"]) == 50


def test_deleting_a_group_takes_its_events_and_tags(overcast_server):
    logs = overcast_server.client("logs")
    group, stream = make_stream(logs)
    logs.tag_log_group(logGroupName=group, tags={"a": "1"})
    put(logs, group, stream, "x")
    logs.delete_log_group(logGroupName=group)
    logs.create_log_group(logGroupName=group)
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {}
    assert logs.filter_log_events(logGroupName=group)["events"] == []
