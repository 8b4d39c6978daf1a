"""Recursive loop detection (https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html).

Lambda tracks a chain of events through the X-Ray trace header: each invocation of a function adds
one to that function's count in the header's `Lineage` field, the function's SDK calls carry the
header on (botocore and the SDK for JavaScript send `_X_AMZN_TRACE_ID` as `X-Amzn-Trace-Id`), SQS
keeps it as the message's `AWSTraceHeader`, and the next invocation reads it back. A function
invoked more than 16 times in one chain is stopped, unless its recursion config says `Allow`:
the caller gets `RecursiveInvocationException` (an SQS mapping leaves the message to the queue's
redrive policy; an asynchronous event goes to the dead-letter queue or on-failure destination).

The lineage field is `Lineage=<8 hex digits naming the function>:<count>`, several joined by `|`.
"""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import unquote

from overcast.execution.model import trace_id

LIMIT = 16


@functools.lru_cache(maxsize=4096)
def function_key(function_arn: str) -> str:
    """The function's short name in the lineage (stable for its unqualified ARN)."""
    return hashlib.sha256(function_arn.encode()).hexdigest()[:8]


def advance(header: str | None, function_arn: str) -> tuple[str, int]:
    """The trace header the invocation of `function_arn` runs with (a new trace when the caller
    sent none) and how many times the chain has now invoked the function."""
    header = unquote(header) if header else trace_id()  # botocore percent-encodes `|`
    key = function_key(function_arn)
    fields = [f for f in header.split(";") if f]
    lineage: list[tuple[str, int]] = []
    kept: list[str] = []
    for field in fields:
        name, _, value = field.partition("=")
        if name.strip() != "Lineage":
            kept.append(field)
            continue
        for entry in value.split("|"):
            who, _, count = entry.partition(":")
            if who and count.isdigit():
                lineage.append((who, int(count)))
    counts = dict(lineage)
    counts[key] = counts.get(key, 0) + 1
    kept.append("Lineage=" + "|".join(f"{who}:{count}" for who, count in counts.items()))
    return ";".join(kept), counts[key]
