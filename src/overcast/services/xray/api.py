"""X-Ray operations: PutTraceSegments, GetTraceSummaries, BatchGetTraces, GetServiceGraph,
GetTraceGraph; sampling rules and groups are in `api_sampling.py`."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.xray.api_sampling import SamplingOperations
from overcast.services.xray.errors import InvalidRequest
from overcast.services.xray.filters import FilterError, compile_filter
from overcast.services.xray.graph import service_graph
from overcast.services.xray.models import SegmentStore
from overcast.services.xray.summary import full_trace, summary

#: `1-<8 hex>-<24 hex>` (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-traceids)
TRACE_ID = re.compile(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$")
SEGMENT_ID = re.compile(r"^[0-9a-f]{16}$")
#: GetTraceSummaries and GetServiceGraph take at most 24 hours (GetServiceGraph: 6 hours).
MAX_SUMMARY_WINDOW = 24 * 3600
MAX_GRAPH_WINDOW = 6 * 3600
PAGE = 100


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def check_document(doc: Any) -> str | None:
    """Why a segment document is refused (None when it is fine): X-Ray's required fields."""
    if not isinstance(doc, dict):
        return "Segment document is not a JSON object"
    for name in ("name", "id", "trace_id", "start_time"):
        if name not in doc:
            return f"Missing required field: {name}"
    if not TRACE_ID.match(str(doc["trace_id"])):
        return "Invalid trace id"
    if not SEGMENT_ID.match(str(doc["id"])):
        return "Invalid segment id"
    if not isinstance(doc["start_time"], (int, float)) or isinstance(doc["start_time"], bool):
        return "Invalid start_time"
    if "end_time" not in doc and not doc.get("in_progress"):
        return "Missing required field: end_time or in_progress"
    if doc.get("type") == "subsegment" and not doc.get("parent_id"):
        return "Missing required field: parent_id"
    return None


class XrayApi(SamplingOperations):
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.store = platform.component(SegmentStore)

    # -- writing ------------------------------------------------------------------------------

    def put_trace_segments(self, ctx: RequestContext, trace_segment_documents: list[str]) -> dict[str, Any]:
        accepted, unprocessed = accept_documents(trace_segment_documents)
        if accepted:
            self.store.put((ctx.account, ctx.region, doc) for doc in accepted)
        return {"UnprocessedTraceSegments": unprocessed}

    # -- reading ------------------------------------------------------------------------------

    def _window(self, start_time: Any, end_time: Any, limit: int) -> tuple[float, float]:
        start, end = _epoch(start_time), _epoch(end_time)
        if end < start:
            raise InvalidRequest("End time must be after start time")
        if end - start > limit:
            raise InvalidRequest(f"Time range exceeds the {limit // 3600} hour limit")
        return start, end

    def get_trace_summaries(self, ctx: RequestContext, start_time: Any, end_time: Any,
                            filter_expression: str | None = None, next_token: str | None = None,
                            **_: Any) -> dict[str, Any]:
        start, end = self._window(start_time, end_time, MAX_SUMMARY_WINDOW)
        try:
            predicate = compile_filter(filter_expression)
        except FilterError as exc:
            raise InvalidRequest(f"Invalid filter expression: {exc}") from None
        ids = self.store.trace_ids(ctx.account, ctx.region, start, end)
        offset = _offset(next_token)
        page = ids[offset:offset + PAGE]
        traces = self.store.traces(ctx.account, ctx.region, page)
        out: dict[str, Any] = {"TraceSummaries": [summary(t) for t in traces if predicate(t)],
                               "ApproximateTime": end, "TracesProcessedCount": len(traces)}
        if offset + PAGE < len(ids):
            out["NextToken"] = str(offset + PAGE)
        return out

    def batch_get_traces(self, ctx: RequestContext, trace_ids: list[str], next_token: str | None = None
                         ) -> dict[str, Any]:
        traces = self.store.traces(ctx.account, ctx.region, trace_ids)
        found = {t.trace_id for t in traces}
        return {"Traces": [full_trace(t) for t in traces],
                "UnprocessedTraceIds": [t for t in dict.fromkeys(trace_ids) if t not in found]}

    def get_service_graph(self, ctx: RequestContext, start_time: Any, end_time: Any, group_name: str | None = None,
                          group_arn: str | None = None, next_token: str | None = None) -> dict[str, Any]:
        start, end = self._window(start_time, end_time, MAX_GRAPH_WINDOW)
        traces = self.store.traces_between(ctx.account, ctx.region, start, end)
        expression = self.group_filter(ctx, group_name, group_arn)
        if expression:
            try:
                predicate = compile_filter(expression)
            except FilterError as exc:
                raise InvalidRequest(f"Invalid filter expression: {exc}") from None
            traces = [t for t in traces if predicate(t)]
        return {"StartTime": start, "EndTime": end, "Services": service_graph(traces),
                "ContainsOldGroupVersions": False}

    def get_trace_graph(self, ctx: RequestContext, trace_ids: list[str], next_token: str | None = None
                        ) -> dict[str, Any]:
        return {"Services": service_graph(self.store.traces(ctx.account, ctx.region, trace_ids))}


def accept_documents(raw_documents: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Parse and check segment documents: the accepted ones, and X-Ray's `UnprocessedTraceSegments`."""
    accepted, unprocessed = [], []
    for raw in raw_documents:
        try:
            doc = json.loads(raw)
        except (TypeError, ValueError):
            unprocessed.append({"ErrorCode": "InvalidSegment", "Message": "Invalid segment document: not JSON"})
            continue
        problem = check_document(doc)
        if problem:
            entry = {"ErrorCode": "InvalidSegment", "Message": problem}
            if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                entry["Id"] = doc["id"]
            unprocessed.append(entry)
            continue
        accepted.append(doc)
    return accepted, unprocessed


def _offset(token: str | None) -> int:
    if not token:
        return 0
    if not token.isdigit():
        raise InvalidRequest("Invalid NextToken")
    return int(token)
