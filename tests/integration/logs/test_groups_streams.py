"""Log groups and log streams through boto3: create, describe (filters, order, pages), delete."""

from tests.integration.logs.helpers import error_of, now_ms, put, unique


def test_log_group_lifecycle_and_fields(overcast_server):
    logs = overcast_server.client("logs")
    name = unique("/aws/lambda/life")
    before = now_ms()
    logs.create_log_group(logGroupName=name)
    (group,) = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert group["logGroupName"] == name
    assert before - 5 <= group["creationTime"] <= now_ms()
    assert group["arn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{name}:*"
    assert group["logGroupArn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{name}"
    assert group["storedBytes"] == 0
    assert group["metricFilterCount"] == 0
    assert group["logGroupClass"] == "STANDARD"
    assert "retentionInDays" not in group
    err = error_of(logs.create_log_group, logGroupName=name)
    assert (err["Code"], err["Status"]) == ("ResourceAlreadyExistsException", 400)
    assert err["Message"] == "The specified log group already exists"
    logs.delete_log_group(logGroupName=name)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []
    err = error_of(logs.delete_log_group, logGroupName=name)
    assert (err["Code"], err["Message"]) == ("ResourceNotFoundException", "The specified log group does not exist.")


def test_stored_bytes_count_messages_plus_26(overcast_server):
    logs = overcast_server.client("logs")
    name = unique()
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    put(logs, name, "s", "abc", "héllo")
    (group,) = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert group["storedBytes"] == (3 + 26) + (6 + 26)


def test_describe_log_groups_prefix_pattern_identifiers_and_pages(overcast_server):
    logs = overcast_server.client("logs")
    base = unique("/dlg")
    names = [f"{base}/a-{i}" for i in range(5)] + [f"{base}/DataLogs", f"{base}/datalogs"]
    for n in names:
        logs.create_log_group(logGroupName=n)
    listed = logs.describe_log_groups(logGroupNamePrefix=base)["logGroups"]
    assert [g["logGroupName"] for g in listed] == sorted(names)  # ASCII order
    by_pattern = logs.describe_log_groups(logGroupNamePattern=base.split("/")[-1] + "/DataLogs")["logGroups"]
    assert [g["logGroupName"] for g in by_pattern] == [f"{base}/DataLogs"]  # case-sensitive substring
    assert set(by_pattern[0]) == {"logGroupName", "creationTime", "arn"}  # AWS: only these with a pattern
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{base}/a-1"  # logGroupArn: no `:*`
    by_id = logs.describe_log_groups(logGroupIdentifiers=[f"{base}/a-0", arn])["logGroups"]
    assert [g["logGroupName"] for g in by_id] == [f"{base}/a-0", f"{base}/a-1"]
    seen, token = [], None
    while True:
        page = logs.describe_log_groups(logGroupNamePrefix=base, limit=3, **({"nextToken": token} if token else {}))
        assert len(page["logGroups"]) <= 3
        seen += [g["logGroupName"] for g in page["logGroups"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == sorted(names)
    paginator = logs.get_paginator("describe_log_groups")
    assert sum(len(p["logGroups"]) for p in paginator.paginate(logGroupNamePrefix=base, limit=2)) == len(names)
    err = error_of(logs.describe_log_groups, logGroupNamePrefix=base, logGroupNamePattern="x")
    assert err["Code"] == "InvalidParameterException"
    err = error_of(logs.describe_log_groups, limit=51)
    assert err["Code"] == "InvalidParameterException"


def test_invalid_log_group_name_is_an_invalid_parameter(overcast_server):
    logs = overcast_server.client("logs")
    err = error_of(logs.create_log_group, logGroupName="bad:name")
    assert err["Code"] == "InvalidParameterException"
    assert err["Message"] == ("1 validation error detected: Value 'bad:name' at 'logGroupName' failed to satisfy "
                              "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")


def test_log_stream_lifecycle(overcast_server):
    logs = overcast_server.client("logs")
    group = unique()
    err = error_of(logs.create_log_stream, logGroupName=group, logStreamName="s")
    assert (err["Code"], err["Message"]) == ("ResourceNotFoundException", "The specified log group does not exist.")
    logs.create_log_group(logGroupName=group)
    stream = "2024/05/01/[$LATEST]0123456789abcdef0123456789abcdef"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    err = error_of(logs.create_log_stream, logGroupName=group, logStreamName=stream)
    assert (err["Code"], err["Message"]) == ("ResourceAlreadyExistsException", "The specified log stream already exists")
    (described,) = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert described["logStreamName"] == stream
    assert described["arn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{group}:log-stream:{stream}"
    assert "lastEventTimestamp" not in described
    stamps = put(logs, group, stream, "one", "two")
    (described,) = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert (described["firstEventTimestamp"], described["lastEventTimestamp"]) == (stamps[0], stamps[1])
    assert described["lastIngestionTime"] >= described["creationTime"]
    logs.delete_log_stream(logGroupName=group, logStreamName=stream)
    assert logs.describe_log_streams(logGroupName=group)["logStreams"] == []
    err = error_of(logs.delete_log_stream, logGroupName=group, logStreamName=stream)
    assert (err["Code"], err["Message"]) == ("ResourceNotFoundException", "The specified log stream does not exist.")
    err = error_of(logs.create_log_stream, logGroupName=group, logStreamName="a:b")
    assert err["Code"] == "InvalidParameterException"


def test_describe_log_streams_order_prefix_and_pages(overcast_server):
    logs = overcast_server.client("logs")
    group = unique()
    logs.create_log_group(logGroupName=group)
    start = now_ms() - 1000
    # b is written last, c first: LastEventTime order is c, a, b
    for name, offset in (("c", 0), ("a", 10), ("b", 20)):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        put(logs, group, name, f"in {name}", start=start + offset)
    logs.create_log_stream(logGroupName=group, logStreamName="a2")

    def names(**kw):
        return [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group, **kw)["logStreams"]]

    assert names() == ["a", "a2", "b", "c"]
    assert names(descending=True) == ["c", "b", "a2", "a"]
    assert names(logStreamNamePrefix="a") == ["a", "a2"]
    assert names(orderBy="LastEventTime") == ["a2", "c", "a", "b"]  # a2 has no events yet
    assert names(orderBy="LastEventTime", descending=True) == ["b", "a", "c", "a2"]
    for order in ("LogStreamName", "LastEventTime"):
        for desc in (False, True):
            paged, token = [], None
            while True:
                kw = {"orderBy": order, "descending": desc, "limit": 1, **({"nextToken": token} if token else {})}
                page = logs.describe_log_streams(logGroupName=group, **kw)
                paged += [s["logStreamName"] for s in page["logStreams"]]
                token = page.get("nextToken")
                if not token:
                    break
            assert paged == names(orderBy=order, descending=desc)
    err = error_of(logs.describe_log_streams, logGroupName=group, orderBy="LastEventTime", logStreamNamePrefix="a")
    assert (err["Code"], err["Message"]) == ("InvalidParameterException",
                                             "Cannot order by LastEventTime with a logStreamNamePrefix.")
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    assert len(logs.describe_log_streams(logGroupIdentifier=arn)["logStreams"]) == 4
    assert len(logs.describe_log_streams(logGroupIdentifier=group)["logStreams"]) == 4
    err = error_of(logs.describe_log_streams, logGroupName=group, logGroupIdentifier=group)
    assert err["Code"] == "InvalidParameterException"
    err = error_of(logs.describe_log_streams)
    assert err["Code"] == "InvalidParameterException"
    for token in ("garbage", "WyJ4Il0=", "e30="):  # not base64 JSON; ["x"]; {}
        err = error_of(logs.describe_log_streams, logGroupName=group, orderBy="LastEventTime", nextToken=token)
        assert err["Code"] == "InvalidParameterException"
    err = error_of(logs.describe_log_groups, nextToken="garbage")
    assert err["Code"] == "InvalidParameterException"


def test_groups_are_scoped_by_region_and_account(overcast_server):
    name = unique()
    overcast_server.client("logs").create_log_group(logGroupName=name)
    other_region = overcast_server.client("logs", region_name="eu-west-1")
    assert other_region.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []
    other_account = overcast_server.client("logs", aws_access_key_id="111122223333")
    assert other_account.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []
    other_account.create_log_group(logGroupName=name)  # no clash
