"""How CloudWatch lays periods over a time range (state side, shared by the query functions).

GetMetricData and GetMetricStatistics round the start time down
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html): to a
multiple of the period when it is under a minute (5, 10, 20, 30 seconds), else to the minute when the
start is less than 15 days old, to 5 minutes up to 63 days, to the hour beyond. Periods then follow
each other from that start.
"""

from __future__ import annotations

DAY = 86400


def align_start(start: float, period: int, now: float | None) -> float:
    """The start of the first period of a query."""
    if period < 60:
        return start // period * period
    age = 0.0 if now is None else now - start
    step = 60 if age < 15 * DAY else 300 if age < 63 * DAY else 3600
    return start // step * step
