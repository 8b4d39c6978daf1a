"""The invocation's X-Ray trace header, and recursive loop detection
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html).

**The trace header.** An invocation runs with the caller's trace (`X-Amzn-Trace-Id` on Invoke, a
function URL or an API, SQS's `AWSTraceHeader`, what SNS and S3 pass on): its `Root` is kept, so
the function's `_X_AMZN_TRACE_ID` and the caller's header name the same trace. `Parent` becomes
the id of the invocation's own segment (Lambda's function segment is the parent of whatever the
function calls), and `Sampled` keeps the caller's decision; without one it is `0` in `PassThrough`
tracing mode and `1` in `Active` mode
(https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html). A caller sending no header
starts a new trace. Other fields (an ALB's `Self`) are not passed on.

**Recursive loop detection.** Lambda tracks a chain of events through the trace header: each
invocation of a function adds one to that function's count in the header's `Lineage` field, the
function's SDK calls carry the header on (botocore and the SDK for JavaScript send
`_X_AMZN_TRACE_ID` as `X-Amzn-Trace-Id`), SQS keeps it as the message's `AWSTraceHeader`, SNS and
S3 pass it on with their events, and the next invocation reads it back. A function invoked more
than 16 times in one chain is stopped, unless its recursion config says `Allow`: the caller gets
`RecursiveInvocationException` (an SQS mapping leaves the message to the queue's redrive policy;
an asynchronous event (SNS, S3, `Event` invokes) goes to the dead-letter queue or on-failure
destination).

The lineage field is `Lineage=<8 hex digits naming the function>:<count>`, several joined by `|`.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from urllib.parse import unquote

LIMIT = 16


@functools.lru_cache(maxsize=4096)
def function_key(function_arn: str) -> str:
    """The function's short name in the lineage (stable for its unqualified ARN)."""
    return hashlib.sha256(function_arn.encode()).hexdigest()[:8]


def new_root(epoch: float | None = None) -> str:
    """A new X-Ray trace id: `1-<epoch seconds, 8 hex>-<96 random bits, 24 hex>`."""
    return f"1-{int(time.time() if epoch is None else epoch):08x}-{secrets.token_hex(12)}"


def parse(header: str | None) -> dict[str, str]:
    """The fields of a trace header (`Root=...;Parent=...`), names as sent; `|` may arrive
    percent-encoded (botocore encodes it)."""
    fields: dict[str, str] = {}
    for field in unquote(header or "").split(";"):
        name, sep, value = field.partition("=")
        if sep and name.strip():
            fields[name.strip()] = value.strip()
    return fields


def advance(header: str | None, function_arn: str, *, active: bool = False) -> tuple[str, int]:
    """The trace header the invocation of `function_arn` runs with and how many times the chain
    has now invoked the function. `active`: the function's tracing mode is `Active`."""
    fields = parse(header)
    counts: dict[str, int] = {}
    for entry in fields.get("Lineage", "").split("|"):
        who, _, count = entry.partition(":")
        if who and count.isdigit():
            counts[who] = int(count)
    key = function_key(function_arn)
    counts[key] = counts.get(key, 0) + 1
    sampled = fields.get("Sampled")
    if sampled not in ("0", "1"):
        sampled = "1" if active else "0"
    shaped = [f"Root={fields.get('Root') or new_root()}", f"Parent={secrets.token_hex(8)}", f"Sampled={sampled}",
              "Lineage=" + "|".join(f"{who}:{count}" for who, count in counts.items())]
    return ";".join(shaped), counts[key]
