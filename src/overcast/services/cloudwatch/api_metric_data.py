"""GetMetricData: queries, metric math, paging by MaxDatapoints and NextToken."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from overcast.context import RequestContext
from overcast.services.cloudwatch.api_base import ApiBase
from overcast.services.cloudwatch.errors import InvalidParameterValue
from overcast.services.cloudwatch.paging import decode, encode
from overcast.services.cloudwatch.put_checks import epoch
from overcast.services.cloudwatch.store import get_metric_data

#: AWS's default and largest MaxDatapoints.
MAX_DATAPOINTS = 100_800
MAX_QUERIES = 500


class MetricDataOperations(ApiBase):
    """GetMetricData over the shared query engine (`store.get_metric_data`)."""

    def get_metric_data(self, ctx: RequestContext, metric_data_queries: list[dict[str, Any]], start_time: Any,
                        end_time: Any, next_token: str | None = None, scan_by: str | None = None,
                        max_datapoints: int | None = None, label_options: dict[str, Any] | None = None,
                        **_: Any) -> dict[str, Any]:
        if len(metric_data_queries) > MAX_QUERIES:
            raise InvalidParameterValue(f"The collection MetricDataQueries must not have a size greater than "
                                        f"{MAX_QUERIES}.")
        start, end = epoch(start_time), epoch(end_time)
        if start >= end:
            raise InvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.")
        offset = decode(next_token, _scope(metric_data_queries, start, end, scan_by)) if next_token else 0
        results = get_metric_data(self.metrics, ctx.account, ctx.region, metric_data_queries, start, end,
                                  scan_by=scan_by or "TimestampDescending", now=self.platform.clock.now(),
                                  label_options=label_options)
        limit = max_datapoints or MAX_DATAPOINTS
        page, more = _slice(results, offset, limit)
        out: dict[str, Any] = {"MetricDataResults": page, "Messages": []}
        if more:
            out["NextToken"] = encode(offset + limit, _scope(metric_data_queries, start, end, scan_by))
        return out


def _scope(queries: list[dict[str, Any]], start: float, end: float, scan_by: str | None) -> str:
    """A digest of the request, so a token is only good for the request that produced it."""
    text = json.dumps([queries, start, end, scan_by], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _slice(results: list[dict[str, Any]], offset: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """The data points [offset, offset + limit) across the results, in order; PartialData marks a result
    whose points go on in the next page."""
    page: list[dict[str, Any]] = []
    position = 0
    more = False
    for result in results:
        count = len(result["Timestamps"])
        lo, hi = max(offset - position, 0), min(offset + limit - position, count)
        position += count
        if hi < count:
            more = True
        if lo >= hi and not (count == 0 and offset == 0):
            continue
        part = dict(result, Timestamps=result["Timestamps"][lo:hi], Values=result["Values"][lo:hi])
        if hi < count:
            part["StatusCode"] = "PartialData"
        page.append(part)
    return page, more
