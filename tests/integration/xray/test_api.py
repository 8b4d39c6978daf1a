"""The X-Ray API through boto3: PutTraceSegments (and the daemon's UDP protocol), reading traces back,
sampling rules and groups, and AWS's errors for bad input."""

from __future__ import annotations

import json
import socket
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.testing import wait_until


def _ids() -> tuple[str, str, str]:
    return f"1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}", uuid.uuid4().hex[:16], uuid.uuid4().hex[:16]


@pytest.fixture
def xray(overcast_server):
    return overcast_server.client("xray")


def test_put_trace_segments_and_read_them_back(xray):
    root, seg_id, sub_id = _ids()
    now = time.time()
    segment = {"name": "checkout", "id": seg_id, "trace_id": root, "start_time": now, "end_time": now + 0.25,
               "http": {"request": {"method": "POST", "url": "https://shop/checkout"}, "response": {"status": 200}},
               "annotations": {"user": "ana"},
               "subsegments": [{"id": uuid.uuid4().hex[:16], "name": "DynamoDB", "namespace": "aws",
                                "start_time": now + 0.01, "end_time": now + 0.05}]}
    loose = {"name": "pricing", "id": sub_id, "trace_id": root, "parent_id": seg_id, "type": "subsegment",
             "start_time": now + 0.1, "end_time": now + 0.2}
    out = xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(segment), json.dumps(loose), "{not json",
                                                         json.dumps({"name": "x", "id": "nothex"})])
    assert [u["ErrorCode"] for u in out["UnprocessedTraceSegments"]] == ["InvalidSegment", "InvalidSegment"]
    (trace,) = xray.batch_get_traces(TraceIds=[root])["Traces"]
    (doc,) = [json.loads(s["Document"]) for s in trace["Segments"]]
    assert [s["name"] for s in doc["subsegments"]] == ["DynamoDB", "pricing"]  # the loose one folded in
    assert trace["Duration"] == pytest.approx(0.25, abs=0.01)
    summaries = xray.get_trace_summaries(StartTime=now - 10, EndTime=now + 10,
                                         FilterExpression='annotation.user = "ana" AND http.method = "POST"')
    (summary,) = [s for s in summaries["TraceSummaries"] if s["Id"] == root]
    assert summary["Http"]["HttpStatus"] == 200 and summary["Http"]["HttpURL"] == "https://shop/checkout"
    assert summary["EntryPoint"]["Name"] == "checkout" and not summary["HasError"]
    assert summary["Annotations"]["user"][0]["AnnotationValue"] == {"StringValue": "ana"}
    graph = xray.get_trace_graph(TraceIds=[root])["Services"]
    by_name = {s["Name"]: s for s in graph}
    assert by_name["checkout"]["Root"] and by_name["DynamoDB"]["Type"] == "AWS::DynamoDB::Table"
    assert [e["ReferenceId"] for e in by_name["checkout"]["Edges"]] == [by_name["DynamoDB"]["ReferenceId"]]
    assert by_name["checkout"]["SummaryStatistics"]["OkCount"] == 1
    missing = f"1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"
    assert xray.batch_get_traces(TraceIds=[missing])["UnprocessedTraceIds"] == [missing]


def test_the_daemon_takes_segments_over_udp(overcast_server, xray):
    root, seg_id, _ = _ids()
    port = int(overcast_server.env["OVERCAST_XRAY_DAEMON_PORT"])
    doc = {"name": "udp-service", "id": seg_id, "trace_id": root, "start_time": time.time(),
           "end_time": time.time() + 0.01}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        def sent_and_stored():  # UDP: send again until the daemon has it
            sock.sendto(b'{"format": "json", "version": 1}\n' + json.dumps(doc).encode(), ("127.0.0.1", port))
            return xray.batch_get_traces(TraceIds=[root])["Traces"]
        (trace,) = wait_until(sent_and_stored, 30)
    assert json.loads(trace["Segments"][0]["Document"])["name"] == "udp-service"


def test_bad_requests_get_invalid_request_exception(xray):
    now = time.time()
    for kwargs in ({"StartTime": now, "EndTime": now - 10},
                   {"StartTime": now - 25 * 3600, "EndTime": now},
                   {"StartTime": now - 10, "EndTime": now, "FilterExpression": "service("}):
        with pytest.raises(ClientError) as info:
            xray.get_trace_summaries(**kwargs)
        assert info.value.response["Error"]["Code"] == "InvalidRequestException"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as info:
        xray.get_service_graph(StartTime=now - 7 * 3600, EndTime=now)
    assert info.value.response["Error"]["Code"] == "InvalidRequestException"


def test_sampling_rules(xray):
    rules = xray.get_sampling_rules()["SamplingRuleRecords"]
    default = next(r["SamplingRule"] for r in rules if r["SamplingRule"]["RuleName"] == "Default")
    assert (default["ReservoirSize"], default["FixedRate"], default["Priority"]) == (1, 0.05, 10000)
    name = f"r-{uuid.uuid4().hex[:8]}"
    rule = {"RuleName": name, "ResourceARN": "*", "Priority": 10, "FixedRate": 0.5, "ReservoirSize": 3,
            "ServiceName": "shop", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "/checkout",
            "Version": 1}
    created = xray.create_sampling_rule(SamplingRule=rule)["SamplingRuleRecord"]["SamplingRule"]
    assert created["RuleARN"].endswith(f":sampling-rule/{name}")
    with pytest.raises(ClientError) as info:
        xray.create_sampling_rule(SamplingRule=rule)
    assert info.value.response["Error"]["Code"] == "InvalidRequestException"
    updated = xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": name, "FixedRate": 0.25})
    assert updated["SamplingRuleRecord"]["SamplingRule"]["FixedRate"] == 0.25
    targets = xray.get_sampling_targets(SamplingStatisticsDocuments=[
        {"RuleName": name, "ClientID": "a" * 24, "Timestamp": time.time(), "RequestCount": 10, "SampledCount": 2,
         "BorrowCount": 0},
        {"RuleName": "nope", "ClientID": "a" * 24, "Timestamp": time.time(), "RequestCount": 1, "SampledCount": 0}])
    (target,) = targets["SamplingTargetDocuments"]
    assert (target["RuleName"], target["FixedRate"], target["ReservoirQuota"]) == (name, 0.25, 3)
    assert [u["RuleName"] for u in targets["UnprocessedStatistics"]] == ["nope"]
    xray.delete_sampling_rule(RuleName=name)
    assert name not in [r["SamplingRule"]["RuleName"] for r in xray.get_sampling_rules()["SamplingRuleRecords"]]
    with pytest.raises(ClientError):
        xray.delete_sampling_rule(RuleName="Default")


def test_groups_filter_the_service_graph(xray):
    name = f"g-{uuid.uuid4().hex[:8]}"
    group = xray.create_group(GroupName=name, FilterExpression="fault")["Group"]
    assert group["GroupARN"].endswith(f":group/{name}")
    assert name in [g["GroupName"] for g in xray.get_groups()["Groups"]]
    root, seg_id, _ = _ids()
    now = time.time()
    xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(
        {"name": f"ok-{name}", "id": seg_id, "trace_id": root, "start_time": now, "end_time": now + 0.1})])
    services = xray.get_service_graph(StartTime=now - 10, EndTime=now + 10, GroupName=name)["Services"]
    assert f"ok-{name}" not in [s["Name"] for s in services]
    everything = xray.get_service_graph(StartTime=now - 10, EndTime=now + 10)["Services"]
    assert f"ok-{name}" in [s["Name"] for s in everything]
    with pytest.raises(ClientError):
        xray.create_group(GroupName=f"{name}-bad", FilterExpression="nonsense(")
    xray.update_group(GroupName=name, FilterExpression="ok")
    assert xray.get_group(GroupName=name)["Group"]["FilterExpression"] == "ok"
    xray.delete_group(GroupName=name)
    with pytest.raises(ClientError):
        xray.get_group(GroupName=name)


def test_a_taken_daemon_port_leaves_the_daemon_off_and_says_so():
    from overcast.testing import OvercastServer

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with OvercastServer(env={"OVERCAST_XRAY_DAEMON_PORT": str(port)}, in_memory=True) as server:
            wait_until(lambda: "X-Ray daemon off" in server.log_text(), 30)
            assert server.client("xray").get_sampling_rules()["SamplingRuleRecords"]  # the API still answers
