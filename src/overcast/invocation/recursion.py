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

The lineage field is written as AWS writes it today, `Lineage=1:<8 hex digits naming the
function>:<count>` (a format version, then the function and how many times the chain invoked it
before this invocation: 0 the first time; several functions' entries joined by `|`); the older
form without the version (`Lineage=037bed70:0`) is read too.
"""

from __future__ import annotations

import functools
import hashlib
import secrets

from overcast.tracing import new_root
from overcast.tracing import parse_header as parse

LIMIT = 16
LINEAGE_VERSION = 1


@functools.lru_cache(maxsize=4096)
def function_key(function_arn: str) -> str:
    """The function's short name in the lineage (stable for its unqualified ARN)."""
    return hashlib.sha256(function_arn.encode()).hexdigest()[:8]


def advance(header: str | None, function_arn: str, *, active: bool = False) -> tuple[str, int]:
    """The trace header the invocation of `function_arn` runs with and which invocation of the
    function in the chain this is (1 for the first). `active`: the function's tracing mode is `Active`."""
    fields = parse(header)
    counts = _lineage(fields.get("Lineage", ""))
    key = function_key(function_arn)
    counts[key] = counts[key] + 1 if key in counts else 0
    sampled = fields.get("Sampled")
    if sampled not in ("0", "1"):
        sampled = "1" if active else "0"
    lineage = "|".join(f"{who}:{count}" for who, count in counts.items())
    shaped = [f"Root={fields.get('Root') or new_root()}", f"Parent={secrets.token_hex(8)}", f"Sampled={sampled}",
              f"Lineage={LINEAGE_VERSION}:{lineage}"]
    return ";".join(shaped), counts[key] + 1


def _lineage(value: str) -> dict[str, int]:
    """function key → invocations before, from `1:a87bd80c:0|68fd508a:5` (or the unversioned form)."""
    counts: dict[str, int] = {}
    for position, entry in enumerate(value.split("|")):
        parts = entry.split(":")
        if position == 0 and len(parts) == 3:  # the format version leads the first entry
            parts = parts[1:]
        if len(parts) == 2 and parts[0] and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    return counts
