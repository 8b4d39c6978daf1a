"""PutLogEvents, GetLogEvents and FilterLogEvents through boto3, and persistence across a crash."""

import json

from botocore.config import Config

from overcast.testing import OvercastServer
from tests.integration.logs.helpers import error_of, make_stream, now_ms, put, unique

HOUR = 3_600_000
DAY = 24 * HOUR


def messages(events):
    return [e["message"] for e in events]


# -- PutLogEvents -------------------------------------------------------------------------------


def test_put_log_events_rejects_too_old_and_too_new_but_keeps_the_rest(overcast_server):
    logs = overcast_server.client("logs")
    group, stream = make_stream(logs)
    now = now_ms()
    batch = [{"timestamp": now - 15 * DAY, "message": "too old"}, {"timestamp": now - 1, "message": "ok 1"},
             {"timestamp": now, "message": "ok 2"}, {"timestamp": now + 3 * HOUR, "message": "too new"}]
    result = logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch,
                                 sequenceToken="not-a-valid-token")  # AWS: ignored
    assert result["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 0, "tooNewLogEventStartIndex": 3}
    assert result["nextSequenceToken"]
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]
    assert messages(got) == ["ok 1", "ok 2"]
    assert [e["timestamp"] for e in got] == [now - 1, now]
    assert all(e["ingestionTime"] >= now - 5 for e in got)
    clean = logs.put_log_events(logGroupName=group, logStreamName=stream,
                                logEvents=[{"timestamp": now, "message": "ok 3"}])
    assert "rejectedLogEventsInfo" not in clean


def test_put_log_events_batch_rules_fail_the_whole_call(overcast_server):
    logs = overcast_server.client("logs")
    group, stream = make_stream(logs)
    now = now_ms()
    cases = [
        ([{"timestamp": now, "message": "b"}, {"timestamp": now - 1, "message": "a"}],
         "Log events in a single PutLogEvents request must be in chronological order."),
        ([{"timestamp": now - DAY - 10, "message": "a"}, {"timestamp": now, "message": "b"}],
         "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."),
        ([{"timestamp": now, "message": "x" * 600_000}, {"timestamp": now, "message": "y" * 600_000}],
         "Upload too large: 1200052 bytes exceeds limit of 1048576"),
    ]
    for batch, message in cases:
        err = error_of(logs.put_log_events, logGroupName=group, logStreamName=stream, logEvents=batch)
        assert (err["Code"], err["Status"], err["Message"]) == ("InvalidParameterException", 400, message)
    err = error_of(logs.put_log_events, logGroupName=group, logStreamName=stream,
                   logEvents=[{"timestamp": now, "message": "m"}] * 10_001)
    assert err["Code"] == "InvalidParameterException"
    unchecked = overcast_server.client("logs", config=Config(parameter_validation=False))
    err = error_of(unchecked.put_log_events, logGroupName=group, logStreamName=stream,
                   logEvents=[{"timestamp": now, "message": ""}])
    assert err["Code"] == "InvalidParameterException"
    assert logs.get_log_events(logGroupName=group, logStreamName=stream)["events"] == []


def test_put_log_events_needs_an_existing_group_and_stream(overcast_server):
    logs = overcast_server.client("logs")
    event = [{"timestamp": now_ms(), "message": "m"}]
    err = error_of(logs.put_log_events, logGroupName=unique(), logStreamName="s", logEvents=event)
    assert (err["Code"], err["Message"]) == ("ResourceNotFoundException", "The specified log group does not exist.")
    group = unique()
    logs.create_log_group(logGroupName=group)
    err = error_of(logs.put_log_events, logGroupName=group, logStreamName="s", logEvents=event)
    assert (err["Code"], err["Message"]) == ("ResourceNotFoundException", "The specified log stream does not exist.")


def test_ten_thousand_events_in_one_batch(overcast_server):
    logs = overcast_server.client("logs")
    group, stream = make_stream(logs)
    start = now_ms() - 20_000
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": start + i, "message": f"e{i}"} for i in range(10_000)])
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    assert len(page["events"]) == 10_000
    assert page["events"][-1]["message"] == "e9999"


# -- GetLogEvents -------------------------------------------------------------------------------


def test_get_log_events_tokens_move_forward_and_back_like_aws(overcast_server):
    logs = overcast_server.client("logs")
    group, stream = make_stream(logs)
    put(logs, group, stream, *[f"m{i}" for i in range(10)])
    kw = {"logGroupName": group, "logStreamName": stream}

    newest = logs.get_log_events(**kw, limit=3)  # default: the latest events, in time order
    assert messages(newest["events"]) == ["m7", "m8", "m9"]
    assert newest["nextForwardToken"].startswith("f/") and newest["nextBackwardToken"].startswith("b/")
    back = logs.get_log_events(**kw, limit=3, nextToken=newest["nextBackwardToken"])
    assert messages(back["events"]) == ["m4", "m5", "m6"]
    back = logs.get_log_events(**kw, limit=5, nextToken=back["nextBackwardToken"])
    assert messages(back["events"]) == ["m0", "m1", "m2", "m3"]
    end = logs.get_log_events(**kw, limit=5, nextToken=back["nextBackwardToken"])
    assert end["events"] == []
    assert end["nextBackwardToken"] == back["nextBackwardToken"]  # AWS: the same token at the end

    oldest = logs.get_log_events(**kw, limit=4, startFromHead=True)
    assert messages(oldest["events"]) == ["m0", "m1", "m2", "m3"]
    forward = logs.get_log_events(**kw, limit=4, startFromHead=True, nextToken=oldest["nextForwardToken"])
    assert messages(forward["events"]) == ["m4", "m5", "m6", "m7"]
    forward = logs.get_log_events(**kw, startFromHead=True, nextToken=forward["nextForwardToken"])
    assert messages(forward["events"]) == ["m8", "m9"]
    token = forward["nextForwardToken"]
    done = logs.get_log_events(**kw, startFromHead=True, nextToken=token)
    assert done["events"] == [] and done["nextForwardToken"] == token
    put(logs, group, stream, "m10")  # a token keeps working as the stream grows
    assert messages(logs.get_log_events(**kw, startFromHead=True, nextToken=token)["events"]) == ["m10"]


def test_pages_split_events_with_the_same_timestamp(overcast_server):
    logs = overcast_server.client("logs")
    group, stream = make_stream(logs)
    now = now_ms()
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": now, "message": f"same {i}"} for i in range(7)])
    kw = {"logGroupName": group, "logStreamName": stream}
    forward, token = [], None
    for _ in range(4):
        page = logs.get_log_events(**kw, limit=2, startFromHead=True, **({"nextToken": token} if token else {}))
        forward += messages(page["events"])
        token = page["nextForwardToken"]
    assert forward == [f"same {i}" for i in range(7)]
    backward: list[str] = []
    token = None
    for _ in range(4):
        page = logs.get_log_events(**kw, limit=2, **({"nextToken": token} if token else {}))
        backward = messages(page["events"]) + backward
        token = page["nextBackwardToken"]
    assert backward == [f"same {i}" for i in range(7)]
    filtered, token = [], None
    while True:
        page = logs.filter_log_events(logGroupName=group, limit=3, **({"nextToken": token} if token else {}))
        filtered += messages(page["events"])
        token = page.get("nextToken")
        if not token:
            break
    assert filtered == [f"same {i}" for i in range(7)]


def test_get_log_events_time_window_and_empty_stream(overcast_server):
    logs = overcast_server.client("logs")
    group, stream = make_stream(logs)
    kw = {"logGroupName": group, "logStreamName": stream}
    empty = logs.get_log_events(**kw)
    assert empty["events"] == []
    assert empty["nextForwardToken"] == "f/" + "0" * 56 and empty["nextBackwardToken"] == "b/" + "0" * 56
    stamps = put(logs, group, stream, "a", "b", "c", "d")
    window = logs.get_log_events(**kw, startTime=stamps[1], endTime=stamps[3], startFromHead=True)
    assert messages(window["events"]) == ["b", "c"]  # startTime inclusive, endTime exclusive
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    assert len(logs.get_log_events(logGroupIdentifier=arn, logStreamName=stream)["events"]) == 4
    err = error_of(logs.get_log_events, logGroupName=group, logStreamName="nope")
    assert (err["Code"], err["Message"]) == ("ResourceNotFoundException", "The specified log stream does not exist.")
    err = error_of(logs.get_log_events, **kw, nextToken="f/bogus")
    assert err["Code"] == "InvalidParameterException"


def test_get_log_events_pages_stop_at_one_megabyte(overcast_server):
    logs = overcast_server.client("logs")
    group, stream = make_stream(logs)
    big = "x" * 200_000
    for _ in range(2):
        put(logs, group, stream, big, big, big)
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    assert len(page["events"]) == 5  # 5 x (200,000 + 26) bytes fit in 1 MB, 6 do not
    rest = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True,
                               nextToken=page["nextForwardToken"])
    assert len(rest["events"]) == 1


# -- FilterLogEvents ----------------------------------------------------------------------------


def test_filter_log_events_across_streams_in_time_order(overcast_server):
    logs = overcast_server.client("logs")
    group = unique("/aws/lambda/filter")
    logs.create_log_group(logGroupName=group)
    for name in ("2024/01/01/[$LATEST]aaaa", "2024/01/01/[$LATEST]bbbb", "other"):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
    start = now_ms() - 100
    put(logs, group, "2024/01/01/[$LATEST]aaaa", "INFO start", "ERROR boom", start=start)
    put(logs, group, "2024/01/01/[$LATEST]bbbb", "ERROR bang", "WARN slow", start=start + 10)
    put(logs, group, "other", json.dumps({"level": "ERROR", "latency": 120}), start=start + 20)

    def filtered(**kw):
        return logs.filter_log_events(logGroupName=group, **kw)

    everything = filtered()
    assert messages(everything["events"]) == ["INFO start", "ERROR boom", "ERROR bang", "WARN slow",
                                              '{"level": "ERROR", "latency": 120}']
    assert everything["searchedLogStreams"] == []  # AWS: no longer supported, always empty
    assert "nextToken" not in everything
    first = everything["events"][0]
    assert first["logStreamName"] == "2024/01/01/[$LATEST]aaaa"
    assert len(first["eventId"]) == 56 and first["ingestionTime"] >= first["timestamp"] - 5
    assert messages(filtered(filterPattern="ERROR")["events"]) == [
        "ERROR boom", "ERROR bang", '{"level": "ERROR", "latency": 120}']
    assert messages(filtered(filterPattern="?WARN ?INFO")["events"]) == ["INFO start", "WARN slow"]
    assert filtered(filterPattern="error")["events"] == []  # case-sensitive, though SQL narrows with LIKE
    assert filtered(filterPattern="?error ?warn")["events"] == []
    assert messages(filtered(filterPattern="ERROR -boom -latency")["events"]) == ["ERROR bang"]
    assert messages(filtered(filterPattern='"ERROR bang"')["events"]) == ["ERROR bang"]
    assert messages(filtered(filterPattern="{ $.latency > 100 }")["events"]) == [
        '{"level": "ERROR", "latency": 120}']
    assert messages(filtered(filterPattern='{ $.level = "ERROR" && $.latency < 100 }')["events"]) == []
    assert messages(filtered(filterPattern="[level = WARN, ...]")["events"]) == ["WARN slow"]
    assert messages(filtered(logStreamNames=["2024/01/01/[$LATEST]bbbb"])["events"]) == ["ERROR bang", "WARN slow"]
    assert messages(filtered(logStreamNamePrefix="2024/")["events"]) == [
        "INFO start", "ERROR boom", "ERROR bang", "WARN slow"]
    assert messages(filtered(startTime=start + 1, endTime=start + 10)["events"]) == [
        "ERROR boom", "ERROR bang"]  # both ends inclusive
    by_arn = logs.filter_log_events(logGroupIdentifier=f"arn:aws:logs:us-east-1:000000000000:log-group:{group}")
    assert len(by_arn["events"]) == 5


def test_filter_terms_with_like_wildcards_match_literally(overcast_server):
    logs = overcast_server.client("logs")
    group, stream = make_stream(logs)
    put(logs, group, stream, "100%_done", "100x-done", "a\\b")
    assert messages(logs.filter_log_events(logGroupName=group, filterPattern='"100%_done"')["events"]) == [
        "100%_done"]
    assert messages(logs.filter_log_events(logGroupName=group, filterPattern='"a\\\\b"')["events"]) == ["a\\b"]


def test_filter_log_events_pages_with_next_token(overcast_server):
    logs = overcast_server.client("logs")
    group, stream = make_stream(logs)
    put(logs, group, stream, *[f"{'even' if i % 2 == 0 else 'odd'} {i}" for i in range(25)])
    got, token, pages = [], None, 0
    while True:
        page = logs.filter_log_events(logGroupName=group, filterPattern="even", limit=4,
                                      **({"nextToken": token} if token else {}))
        assert len(page["events"]) <= 4
        got += messages(page["events"])
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert got == [f"even {i}" for i in range(0, 25, 2)]
    assert pages == 4
    paginator = logs.get_paginator("filter_log_events")
    pages = paginator.paginate(logGroupName=group, interleaved=True, PaginationConfig={"PageSize": 5})  # as aws logs tail (v2)
    total = sum(len(p["events"]) for p in pages)
    assert total == 25


def test_filter_log_events_errors(overcast_server):
    logs = overcast_server.client("logs")
    group, stream = make_stream(logs)
    for pattern in ("{ $.x = ", '{ $.latency > "fast" }', "[a, b", '"unterminated'):
        err = error_of(logs.filter_log_events, logGroupName=group, filterPattern=pattern)
        assert (err["Code"], err["Status"]) == ("InvalidParameterException", 400), pattern
    err = error_of(logs.filter_log_events, logGroupName=group, logStreamNames=[stream], logStreamNamePrefix="s")
    assert err["Code"] == "InvalidParameterException"
    err = error_of(logs.filter_log_events, logGroupName=unique())
    assert (err["Code"], err["Message"]) == ("ResourceNotFoundException", "The specified log group does not exist.")
    err = error_of(logs.filter_log_events, logGroupName=group, nextToken="not-a-token")
    assert err["Code"] == "InvalidParameterException"


# -- durability ---------------------------------------------------------------------------------


def test_acknowledged_events_survive_sigkill():
    with OvercastServer(time_scale=0.01) as server:
        logs = server.client("logs")
        group, stream = make_stream(logs, "/aws/lambda/durable", "2024/01/01/[$LATEST]" + "a" * 32)
        logs.put_retention_policy(logGroupName=group, retentionInDays=3653)
        logs.tag_log_group(logGroupName=group, tags={"team": "core"})
        put(logs, group, stream, "before the crash", "second")
        server.restart(crash=True)
        logs = server.client("logs")
        (described,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        assert described["retentionInDays"] == 3653
        assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"team": "core"}
        got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]
        assert messages(got) == ["before the crash", "second"]


# -- TestMetricFilter ---------------------------------------------------------------------------


def test_test_metric_filter_reports_matches_and_extracted_values(overcast_server):
    logs = overcast_server.client("logs")
    apache = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'
    result = logs.test_metric_filter(filterPattern="[ip, user, username, timestamp, request, status_code = 4*, bytes]",
                                     logEventMessages=["not enough fields", apache])
    assert result["matches"] == [{"eventNumber": 2, "eventMessage": apache, "extractedValues": {
        "$ip": "127.0.0.1", "$user": "Prod", "$username": "frank", "$timestamp": "10/Oct/2000:13:25:15 -0700",
        "$request": "GET /index.html HTTP/1.0", "$status_code": "404", "$bytes": "1534"}}]
    terms = logs.test_metric_filter(filterPattern="?ERROR ?WARN", logEventMessages=["INFO a", "WARN b", "ERROR c"])
    assert [(m["eventNumber"], m["eventMessage"]) for m in terms["matches"]] == [(2, "WARN b"), (3, "ERROR c")]
    err = error_of(logs.test_metric_filter, filterPattern="{ $.a = ", logEventMessages=["x"])
    assert err["Code"] == "InvalidParameterException"
