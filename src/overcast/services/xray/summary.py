"""Trace summaries (GetTraceSummaries' `TraceSummary`) and traces (BatchGetTraces' `Trace`) from a
stored trace (https://docs.aws.amazon.com/xray/latest/api/API_TraceSummary.html)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from overcast.services.xray.graph import node_key
from overcast.services.xray.models import Trace


def _all_docs(doc: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield doc
    for sub in doc.get("subsegments") or ():
        if isinstance(sub, dict):
            yield from _all_docs(sub)


def documents(trace: Trace) -> Iterable[dict[str, Any]]:
    """Every segment and subsegment of the trace."""
    for seg in trace.segments:
        yield from _all_docs(seg)


def service_id(doc: dict[str, Any]) -> dict[str, Any]:
    name, kind = node_key(doc)
    out: dict[str, Any] = {"Name": name, "Names": [name]}
    if kind:
        out["Type"] = kind
    account = (doc.get("aws") or {}).get("account_id")
    if account:
        out["AccountId"] = account
    return out


def annotations_of(trace: Trace) -> dict[str, list[Any]]:
    """annotation key → its values (any segment or subsegment)."""
    found: dict[str, list[Any]] = {}
    for doc in documents(trace):
        for key, value in (doc.get("annotations") or {}).items():
            found.setdefault(key, []).append(value)
    return found


def _annotation_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BooleanValue": value}
    if isinstance(value, (int, float)):
        return {"NumberValue": value}
    return {"StringValue": str(value)}


def summary(trace: Trace) -> dict[str, Any]:
    root = trace.root()
    docs = list(documents(trace))
    http_request = (root.get("http") or {}).get("request") or {}
    status = ((root.get("http") or {}).get("response") or {}).get("status")
    http: dict[str, Any] = {}
    for key, field in (("HttpURL", "url"), ("HttpMethod", "method"), ("UserAgent", "user_agent"),
                       ("ClientIp", "client_ip")):
        if http_request.get(field):
            http[key] = http_request[field]
    if status is not None:
        http["HttpStatus"] = status
    services: dict[tuple[str, str], dict[str, Any]] = {}
    for seg in trace.segments:
        services.setdefault(node_key(seg), service_id(seg))
    arns = sorted({a for d in docs if (a := (d.get("aws") or {}).get("resource_arn") or (
        (d.get("aws") or {}).get("function_arn")))})
    out: dict[str, Any] = {
        "Id": trace.trace_id, "StartTime": trace.start, "Duration": round(trace.duration, 3),
        "ResponseTime": round(float(root.get("end_time") or root["start_time"]) - float(root["start_time"]), 3),
        "HasFault": any(d.get("fault") for d in docs), "HasError": any(d.get("error") for d in docs),
        "HasThrottle": any(d.get("throttle") for d in docs),
        "IsPartial": any(d.get("in_progress") for d in trace.segments),
        "Http": http, "ServiceIds": list(services.values()), "ResourceARNs": [{"ARN": a} for a in arns],
        "EntryPoint": service_id(root), "Revision": 1,
        "Annotations": {k: [{"AnnotationValue": _annotation_value(v)} for v in values]
                        for k, values in annotations_of(trace).items()},
        "Users": [{"UserName": u} for u in sorted({d["user"] for d in docs if isinstance(d.get("user"), str)})],
    }
    return out


def full_trace(trace: Trace) -> dict[str, Any]:
    return {"Id": trace.trace_id, "Duration": round(trace.duration, 3), "LimitExceeded": False,
            "Segments": [{"Id": seg["id"], "Document": json.dumps(seg)} for seg in trace.segments]}
