"""Service graphs from segments: edges through parents (segments or subsegments), inferred nodes,
event source mappings hanging off their queue, and statistics."""

from __future__ import annotations

from overcast.services.xray.graph import service_graph
from overcast.services.xray.models import Trace, _fold

ROOT = "1-5759e988-bd862e3fe1be46a994272793"
QUEUE = "arn:aws:sqs:us-east-1:000000000000:orders"


def seg(seg_id: str, name: str, origin: str, parent: str | None = None, start: float = 0.0, **extra):
    doc = {"id": seg_id * 16, "name": name, "origin": origin, "trace_id": ROOT, "start_time": start,
           "end_time": start + 1, **extra}
    if parent:
        doc["parent_id"] = parent * 16
    return doc


def test_edges_follow_parents_and_sdk_subsegments_do_not_double_nodes():
    function = seg("b", "fn", "AWS::Lambda::Function", "a", 1,
                   subsegments=[{"id": "c" * 16, "name": "dynamodb", "namespace": "aws", "start_time": 1.1,
                                 "end_time": 1.2},
                                {"id": "d" * 16, "name": "api.example.com", "namespace": "remote",
                                 "start_time": 1.3, "end_time": 1.4, "fault": True}])
    trace = Trace(ROOT, [seg("a", "fn", "AWS::Lambda"), function,
                         seg("e", "DynamoDB", "AWS::DynamoDB::Table", "c", 1.1, error=True)])
    services = service_graph([trace])
    names = sorted((s["Name"], s.get("Type")) for s in services)
    assert names == [("DynamoDB", "AWS::DynamoDB::Table"), ("api.example.com", "remote"), ("fn", "AWS::Lambda"),
                     ("fn", "AWS::Lambda::Function")]
    by_key = {(s["Name"], s.get("Type")): s for s in services}
    lam, fn = by_key[("fn", "AWS::Lambda")], by_key[("fn", "AWS::Lambda::Function")]
    assert lam["Root"] and not fn["Root"]
    assert [e["ReferenceId"] for e in lam["Edges"]] == [fn["ReferenceId"]]
    assert {e["ReferenceId"] for e in fn["Edges"]} == {by_key[("DynamoDB", "AWS::DynamoDB::Table")]["ReferenceId"],
                                                      by_key[("api.example.com", "remote")]["ReferenceId"]}
    assert by_key[("DynamoDB", "AWS::DynamoDB::Table")]["SummaryStatistics"]["ErrorStatistics"]["OtherCount"] == 1
    assert by_key[("api.example.com", "remote")]["SummaryStatistics"]["FaultStatistics"]["TotalCount"] == 1


def test_a_mapped_invocation_hangs_off_its_queue():
    sender = seg("a", "producer", "AWS::Lambda::Function")
    send = seg("b", "SQS", "AWS::SQS::Queue", "a", 1, aws={"resource_arn": QUEUE})
    invocation = seg("c", "consumer", "AWS::Lambda", "a", 2,
                     metadata={"overcast": {"invocation_type": "EventSourceMapping", "source_arn": QUEUE}})
    consumer = seg("d", "consumer", "AWS::Lambda::Function", "c", 2.1,
                   metadata={"overcast": {"invocation_type": "EventSourceMapping", "source_arn": QUEUE}})
    services = service_graph([Trace(ROOT, [sender, send, invocation, consumer])])
    by_ref = {s["ReferenceId"]: s for s in services}
    pairs = {((s["Name"], s["Type"]), (by_ref[e["ReferenceId"]]["Name"], by_ref[e["ReferenceId"]]["Type"]))
             for s in services for e in s["Edges"]}
    assert pairs == {(("producer", "AWS::Lambda::Function"), ("SQS", "AWS::SQS::Queue")),
                     (("SQS", "AWS::SQS::Queue"), ("consumer", "AWS::Lambda")),
                     (("consumer", "AWS::Lambda"), ("consumer", "AWS::Lambda::Function"))}


def test_loose_subsegments_fold_under_their_parents_at_any_depth():
    parent = seg("a", "svc", "")
    child = {"id": "b" * 16, "name": "outer", "type": "subsegment", "parent_id": "a" * 16, "trace_id": ROOT,
             "start_time": 0.1, "end_time": 0.5}
    grandchild = {"id": "c" * 16, "name": "inner", "type": "subsegment", "parent_id": "b" * 16, "trace_id": ROOT,
                  "start_time": 0.2, "end_time": 0.3}
    (folded,) = _fold([("subsegment", grandchild), ("segment", parent), ("subsegment", child)])
    assert folded["subsegments"][0]["name"] == "outer"
    assert folded["subsegments"][0]["subsegments"][0]["name"] == "inner"
    assert "type" not in folded["subsegments"][0]
