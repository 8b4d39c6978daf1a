"""Service graphs (GetServiceGraph, GetTraceGraph) and trace summaries, computed from segments.

A node is a segment's `name` and `origin` (its type), or a subsegment calling an AWS service or a
remote API (`namespace` `aws`/`remote`) that no recorded segment answers: an *inferred* node, as X-Ray
draws them. An edge goes from the node of a segment's parent (the segment owning the `parent_id`,
which may be one of its subsegments) to the segment's node; an invocation that names its event
source (`metadata.overcast.source_arn`, an event source mapping's queue or stream) hangs off that
source's node when the trace recorded it. Statistics follow the Service and Edge shapes of the API
(https://docs.aws.amazon.com/xray/latest/api/API_Service.html).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from overcast.services.xray.models import Trace
from overcast.tracing import SERVICE_NODES

NodeKey = tuple[str, str]
_INFERRED_TYPES = {name: origin for name, origin in SERVICE_NODES.values()}


@dataclass
class _Stats:
    ok: int = 0
    error: int = 0
    throttle: int = 0
    fault: int = 0
    total_time: float = 0.0
    times: list[float] = field(default_factory=list)
    start: float = float("inf")
    end: float = 0.0

    def add(self, doc: dict[str, Any]) -> None:
        elapsed = max(0.0, float(doc.get("end_time") or doc["start_time"]) - float(doc["start_time"]))
        if doc.get("fault"):
            self.fault += 1
        elif doc.get("throttle"):
            self.throttle += 1
        elif doc.get("error"):
            self.error += 1
        else:
            self.ok += 1
        self.total_time += elapsed
        self.times.append(elapsed)
        self.start = min(self.start, float(doc["start_time"]))
        self.end = max(self.end, float(doc.get("end_time") or doc["start_time"]))

    def summary(self) -> dict[str, Any]:
        total = self.ok + self.error + self.throttle + self.fault
        return {"OkCount": self.ok, "ErrorStatistics": {"ThrottleCount": self.throttle, "OtherCount": self.error,
                                                        "TotalCount": self.error + self.throttle},
                "FaultStatistics": {"OtherCount": self.fault, "TotalCount": self.fault},
                "TotalCount": total, "TotalResponseTime": round(self.total_time, 6)}

    def histogram(self) -> list[dict[str, Any]]:
        counts: dict[float, int] = {}
        for value in self.times:
            key = round(value, 3)
            counts[key] = counts.get(key, 0) + 1
        return [{"Value": value, "Count": count} for value, count in sorted(counts.items())]


@dataclass
class _Node:
    key: NodeKey
    names: set[str] = field(default_factory=set)
    account: str | None = None
    stats: _Stats = field(default_factory=_Stats)
    edges: dict[NodeKey, _Stats] = field(default_factory=dict)
    root: bool = False
    inferred: bool = False


def node_key(doc: dict[str, Any]) -> NodeKey:
    return (str(doc.get("name", "")), str(doc.get("origin") or ""))


def _inferred_key(sub: dict[str, Any]) -> NodeKey:
    name = str(sub.get("name", ""))
    if sub.get("namespace") == "aws":
        # the X-Ray SDK for Python names them by endpoint prefix (`sqs`), others by service (`SQS`)
        if name.lower() in SERVICE_NODES:
            return SERVICE_NODES[name.lower()]
        return (name, _INFERRED_TYPES.get(name, f"AWS::{name}"))
    return (name, "remote")


def _walk(doc: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for sub in doc.get("subsegments") or ():
        if isinstance(sub, dict):
            yield sub
            yield from _walk(sub)


def _resource_arn(doc: dict[str, Any]) -> str | None:
    return (doc.get("aws") or {}).get("resource_arn")


def _source_arn(doc: dict[str, Any]) -> str | None:
    """The event source of Lambda's own segment of an invocation (not the function's segment)."""
    if doc.get("origin") != "AWS::Lambda":
        return None
    return ((doc.get("metadata") or {}).get("overcast") or {}).get("source_arn")


class GraphBuilder:
    """Accumulates traces into nodes and edges."""

    def __init__(self) -> None:
        self.nodes: dict[NodeKey, _Node] = {}

    def _node(self, key: NodeKey, doc: dict[str, Any] | None = None) -> _Node:
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = _Node(key)
        if doc is not None:
            node.names.add(key[0])
            account = (doc.get("aws") or {}).get("account_id")
            node.account = node.account or account
        return node

    def add(self, trace: Trace) -> None:
        owner: dict[str, dict[str, Any]] = {}
        subs: dict[str, dict[str, Any]] = {}
        for seg in trace.segments:
            owner[seg["id"]] = seg
            for sub in _walk(seg):
                if "id" in sub:
                    owner[sub["id"]] = seg
                    subs[sub["id"]] = sub
        by_resource = {_resource_arn(s): s for s in trace.segments if _resource_arn(s)}
        answered = {s.get("parent_id") for s in trace.segments}
        root = trace.root()
        for seg in trace.segments:
            node = self._node(node_key(seg), seg)
            node.stats.add(seg)
            node.root = node.root or seg is root
            parent = self._parent(seg, owner, by_resource)
            if parent is not None and node_key(parent) != node.key:
                self._node(node_key(parent)).edges.setdefault(node.key, _Stats()).add(seg)
            for sub in _walk(seg):
                if sub.get("namespace") in ("aws", "remote") and sub.get("id") not in answered and "start_time" in sub:
                    key = _inferred_key(sub)
                    inferred = self._node(key, sub)
                    inferred.inferred = True
                    inferred.stats.add(sub)
                    if key != node.key:
                        node.edges.setdefault(key, _Stats()).add(sub)

    @staticmethod
    def _parent(seg: dict[str, Any], owner: dict[str, dict[str, Any]],
                by_resource: dict[str | None, dict[str, Any]]) -> dict[str, Any] | None:
        source = by_resource.get(_source_arn(seg)) if _source_arn(seg) else None
        if source is not None and source is not seg and source["start_time"] <= seg["start_time"]:
            return source
        return owner.get(seg.get("parent_id") or "")

    def services(self) -> list[dict[str, Any]]:
        ids = {key: index for index, key in enumerate(sorted(self.nodes))}
        out = []
        for key, node in sorted(self.nodes.items()):
            stats = node.stats
            service: dict[str, Any] = {
                "ReferenceId": ids[key], "Name": key[0], "Names": sorted(node.names or {key[0]}),
                "Root": node.root, "State": "active" if not node.inferred else "unknown",
                "Edges": [_edge(ids[target], edge) for target, edge in sorted(node.edges.items())],
                "SummaryStatistics": stats.summary(), "ResponseTimeHistogram": stats.histogram(),
                "DurationHistogram": stats.histogram(),
            }
            if key[1]:
                service["Type"] = key[1]
            if node.account:
                service["AccountId"] = node.account
            if stats.times:
                service["StartTime"], service["EndTime"] = stats.start, stats.end
            out.append(service)
        return out


def _edge(reference: int, stats: _Stats) -> dict[str, Any]:
    return {"ReferenceId": reference, "StartTime": stats.start, "EndTime": stats.end,
            "SummaryStatistics": stats.summary(), "ResponseTimeHistogram": stats.histogram()}


def service_graph(traces: Iterable[Trace]) -> list[dict[str, Any]]:
    builder = GraphBuilder()
    for trace in traces:
        builder.add(trace)
    return builder.services()
